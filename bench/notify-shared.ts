// The shape of `npm run bench:notify`'s organization, shared by the driver and its server process.
export const USERS = 1000;
export const QUEUES = 100;
export const CLIENTS = 50;
export const ORG = 'b0b0b0b0-0000-4000-8000-000000000000';
export const userId = (i: number) => `b1000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
export const queueId = (q: number) => `b2000000-0000-4000-8000-${String(q).padStart(12, '0')}`;
export const userTopic = (i: number) => `v2.users.${userId(i)}.conversations.callbacks`;
export const queueTopic = (q: number) => `v2.routing.queues.${queueId(q)}.conversations.callbacks`;
