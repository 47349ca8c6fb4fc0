// Every model callbackd knows, by name: the participant and its conversation, then the API's bodies, notifications, analytics and the seed file.
import { CONVERSATION_MODELS } from './schema.js';
import { API_MODELS } from './schema-api.js';
import { NOTIFICATION_MODELS } from './schema-notifications.js';
import { ANALYTICS_MODELS } from './schema-analytics.js';
import { SEED_MODELS } from './schema-seed.js';

export const MODELS = { ...CONVERSATION_MODELS, ...API_MODELS, ...NOTIFICATION_MODELS, ...ANALYTICS_MODELS, ...SEED_MODELS } as const;
export type ModelName = keyof typeof MODELS;
