// Routing configuration: queues, their members and wrap-up codes (docs/routing-api.md).
import { ERRORS, ServiceError } from '../../errors.js';
import { requireUser } from '../../service/principal.js';
import { listing, PAGING, param, route, type RouteDef } from '../route.js';

/** `joined` is three-way (true, false, or absent: all), so it is read as a string and checked here. */
function joinedFilter(ctx: { query: { joined: string | undefined } }): boolean | undefined {
  const v = ctx.query.joined;
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ServiceError(ERRORS.invalidValue, `Value [${v}] is not valid for query parameter joined: expected true or false.`, [
    { field: 'joined', code: ERRORS.invalidValue.code, message: `expected true or false, got ${JSON.stringify(v)}` },
  ]);
}

const JOINED = {
  joined: { type: 'string', description: 'true: queues the user has joined (callbackd members always have); false: the others (none).' },
} as const;

export const ROUTING_ROUTES: readonly RouteDef[] = [
  // Before /routing/queues/{queueId}, so that `me` is not taken for a queue id.
  route({
    method: 'GET',
    path: '/api/v2/routing/queues/me',
    operationId: 'getRoutingQueuesMe',
    tag: 'Routing',
    summary: "The calling user's queues.",
    status: 200,
    query: { ...PAGING, ...JOINED },
    response: { kind: 'listing', model: 'UserQueueEntityListing', item: 'UserQueue' },
    handler: async (s, ctx) =>
      listing(
        await s.configuration.userQueues(ctx.principal, requireUser(ctx.principal), joinedFilter(ctx)),
        '/api/v2/routing/queues/me',
        ctx.query,
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v2/users/{userId}/queues',
    operationId: 'getUserQueues',
    tag: 'Routing',
    summary: "A user's queues.",
    status: 200,
    query: { ...PAGING, ...JOINED },
    response: { kind: 'listing', model: 'UserQueueEntityListing', item: 'UserQueue' },
    handler: async (s, ctx) =>
      listing(
        await s.configuration.userQueues(ctx.principal, param(ctx, 'userId'), joinedFilter(ctx)),
        `/api/v2/users/${param(ctx, 'userId')}/queues`,
        ctx.query,
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/queues',
    operationId: 'getRoutingQueues',
    tag: 'Routing',
    summary: 'List queues.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'QueueEntityListing', item: 'Queue' },
    handler: async (s, ctx) => listing(await s.configuration.listQueues(ctx.principal), '/api/v2/routing/queues', ctx.query),
  }),
  route({
    method: 'POST',
    path: '/api/v2/routing/queues',
    operationId: 'postRoutingQueues',
    tag: 'Routing',
    summary: 'Create a queue.',
    status: 200,
    body: { model: 'CreateQueueRequest', required: true },
    response: { kind: 'model', model: 'Queue' },
    handler: (s, ctx) => s.configuration.createQueue(ctx.principal, ctx.body),
  }),
  route({
    method: 'PUT',
    path: '/api/v2/routing/queues/{queueId}',
    operationId: 'putRoutingQueue',
    tag: 'Routing',
    summary: "Replace a queue's settings.",
    status: 200,
    body: { model: 'QueueRequest', required: true },
    response: { kind: 'model', model: 'Queue' },
    handler: (s, ctx) => s.configuration.putQueue(ctx.principal, param(ctx, 'queueId'), ctx.body),
  }),
  route({
    method: 'DELETE',
    path: '/api/v2/routing/queues/{queueId}',
    operationId: 'deleteRoutingQueue',
    tag: 'Routing',
    summary: 'Delete a queue.',
    status: 200,
    response: { kind: 'empty' },
    handler: (s, ctx) => s.configuration.deleteQueue(ctx.principal, param(ctx, 'queueId')),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/queues/{queueId}/members',
    operationId: 'getRoutingQueueMembers',
    tag: 'Routing',
    summary: 'Members of a queue.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'QueueMemberEntityListing', item: 'QueueMember' },
    handler: async (s, ctx) =>
      listing(
        await s.configuration.listMembers(ctx.principal, param(ctx, 'queueId')),
        `/api/v2/routing/queues/${param(ctx, 'queueId')}/members`,
        ctx.query,
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v2/routing/queues/{queueId}/members',
    operationId: 'postRoutingQueueMembers',
    tag: 'Routing',
    summary: 'Add members to a queue (or remove them with delete=true).',
    status: 202,
    query: { delete: { type: 'boolean', description: 'Remove the listed users instead of adding them.' } },
    body: { model: 'WritableEntity', required: true, array: true },
    response: { kind: 'empty' },
    handler: (s, ctx) =>
      s.configuration.postMembers(
        ctx.principal,
        param(ctx, 'queueId'),
        ctx.body.map((x) => x.id),
        ctx.query.delete,
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/wrapupcodes',
    operationId: 'getRoutingWrapupcodes',
    tag: 'Routing',
    summary: 'Wrap-up codes.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'WrapupCodeEntityListing', item: 'WrapupCode' },
    handler: async (s, ctx) => listing(await s.configuration.listWrapupCodes(ctx.principal), '/api/v2/routing/wrapupcodes', ctx.query),
  }),
  route({
    method: 'POST',
    path: '/api/v2/routing/wrapupcodes',
    operationId: 'postRoutingWrapupcodes',
    tag: 'Routing',
    summary: 'Create a wrap-up code.',
    status: 200,
    body: { model: 'WrapupCodeRequest', required: true },
    response: { kind: 'model', model: 'WrapupCode' },
    handler: (s, ctx) => s.configuration.createWrapupCode(ctx.principal, ctx.body),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/queues/{queueId}/wrapupcodes',
    operationId: 'getRoutingQueueWrapupcodes',
    tag: 'Routing',
    summary: 'Wrap-up codes of a queue.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'WrapupCodeEntityListing', item: 'WrapupCode' },
    handler: async (s, ctx) =>
      listing(
        await s.configuration.queueWrapupCodes(ctx.principal, param(ctx, 'queueId')),
        `/api/v2/routing/queues/${param(ctx, 'queueId')}/wrapupcodes`,
        ctx.query,
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v2/routing/queues/{queueId}/wrapupcodes',
    operationId: 'postRoutingQueueWrapupcodes',
    tag: 'Routing',
    summary: 'Add wrap-up codes to a queue.',
    status: 200,
    body: { model: 'WritableEntity', required: true, array: true },
    response: { kind: 'array', model: 'WrapupCode' },
    handler: (s, ctx) =>
      s.configuration.addQueueWrapupCodes(
        ctx.principal,
        param(ctx, 'queueId'),
        ctx.body.map((x) => x.id),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/queues/{queueId}',
    operationId: 'getRoutingQueue',
    tag: 'Routing',
    summary: 'Get a queue.',
    status: 200,
    response: { kind: 'model', model: 'Queue' },
    handler: (s, ctx) => s.configuration.getQueue(ctx.principal, param(ctx, 'queueId')),
  }),
];
