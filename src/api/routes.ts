// The responses layer: every served route as data — path, SDK method, body and response models — with a handler that
// turns the decoded request into one backend call. app.ts mounts these; openapi.ts documents the same table.
import { isOneOf, type ModelName, type ModelTypes } from '../model/index.js';
import type { CallbackBackend, Principal } from '../service/backend.js';
import { RECORDING_STATES } from '../model/schema-api.js';
import { ROUTING_STATUSES } from '../store/types.js';
import { ApiError } from './errors.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a successful response carries. */
export type ResponseKind =
  | { kind: 'model'; model: ModelName }
  | { kind: 'array'; model: ModelName }
  | { kind: 'listing'; model: ModelName; item: ModelName }
  | { kind: 'string'; values?: readonly string[] }
  /** The API's `Empty` model: `{}`. */
  | { kind: 'emptyObject' }
  | { kind: 'empty' };

export interface RequestContext<Body = unknown> {
  principal: Principal;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The body, decoded by the model layer in strict mode into the route's body model. */
  body: Body;
}

/** The decoded body's type: the model, an array of it, and undefined when the body is optional. */
type BodyType<B extends ModelName, A extends boolean, R extends boolean> =
  (A extends true ? ModelTypes[B][] : ModelTypes[B]) | (R extends true ? never : undefined);

interface RouteSpec<B extends ModelName, A extends boolean, R extends boolean> extends Omit<RouteDef, 'body' | 'handler'> {
  body?: { model: B; required: R; array?: A };
  handler: (backend: CallbackBackend, ctx: RequestContext<BodyType<B, A, R>>) => Promise<unknown>;
}

/** A route whose handler sees its body typed from the body's model. */
function route<B extends ModelName = never, A extends boolean = false, R extends boolean = true>(spec: RouteSpec<B, A, R>): RouteDef {
  // The one cast: app.ts decodes every body with spec.body's model before calling the handler.
  return spec as unknown as RouteDef;
}

export interface RouteDef {
  method: Method;
  /** OpenAPI-style path with {params}. */
  path: string;
  /** The official JS SDK method that calls this route. */
  operationId: string;
  summary: string;
  tag: string;
  /** The body's model; `array` for a JSON array of that model. */
  body?: { model: ModelName; required: boolean; array?: boolean };
  query?: readonly { name: string; type: 'boolean' | 'integer' | 'string'; description: string }[];
  status: number;
  response: ResponseKind;
  handler: (backend: CallbackBackend, ctx: RequestContext) => Promise<unknown>;
}

// Handlers served under both the callback paths and the generic conversation paths (API reference rows 8/22, 14/24, 15/25).
const participantWrapup = (b: CallbackBackend, ctx: RequestContext) =>
  b.getWrapup(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), bool(ctx.query.provisional, 'provisional'));
const participantWrapupCodes = (b: CallbackBackend, ctx: RequestContext) =>
  b.wrapupCodes(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'));
const patchParticipant = (b: CallbackBackend, ctx: RequestContext<ModelTypes['MediaParticipantRequest']>) =>
  b.patchParticipant(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body);

const CB = '/api/v2/conversations/callbacks';
const CONV = '/api/v2/conversations';
const bool = (v: string | undefined, name: string): boolean => {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new ApiError(400, 'invalid.value', `Value [${v}] is not valid for field type [boolean] of query parameter ${name}.`);
};
const page = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new ApiError(400, 'invalid.value', `Query parameter ${name} must be an integer from 1 to 500, got [${v}].`);
  return n;
};
const p = (ctx: RequestContext, name: string) => ctx.params[name] as string;
const PROVISIONAL = [{ name: 'provisional', type: 'boolean', description: 'Read the provisional (unsaved) wrap-up.' }] as const;
const PAGING = [
  { name: 'pageSize', type: 'integer', description: 'Items per page (default 25).' },
  { name: 'pageNumber', type: 'integer', description: 'Page, from 1 (default 1).' },
] as const;

/** A page of items in the Platform API's listing envelope (§3.2). */
export function listing<T>(items: readonly T[], path: string, query: Record<string, string | undefined>): Record<string, unknown> {
  const pageSize = page(query.pageSize, 'pageSize', 25);
  const pageNumber = page(query.pageNumber, 'pageNumber', 1);
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const uri = (n: number) => `${path}?pageSize=${pageSize}&pageNumber=${n}`;
  return {
    entities: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total: items.length,
    firstUri: uri(1),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
    lastUri: uri(pageCount),
    selfUri: uri(pageNumber),
    pageCount,
  };
}

/** The listing envelope of an endpoint without paging: every item on page 1 (§3.2). */
export function onePage<T>(items: readonly T[], path: string): Record<string, unknown> {
  return {
    entities: items,
    pageSize: items.length,
    pageNumber: 1,
    total: items.length,
    firstUri: path,
    lastUri: path,
    selfUri: path,
    pageCount: 1,
  };
}

export const ROUTES: readonly RouteDef[] = [
  // ---- callback endpoints (API reference §1.1 rows 1-16) ----
  route({
    method: 'GET',
    path: CB,
    operationId: 'getConversationsCallbacks',
    tag: 'Callbacks',
    summary: "The calling user's active callback conversations.",
    status: 200,
    response: { kind: 'listing', model: 'CallbackConversationEntityListing', item: 'CallbackConversation' },
    handler: async (b, ctx) => onePage(await b.listMyCallbacks(ctx.principal), CB),
  }),
  route({
    method: 'POST',
    path: CB,
    operationId: 'postConversationsCallbacks',
    tag: 'Callbacks',
    summary: 'Create a callback.',
    status: 200,
    body: { model: 'CreateCallbackCommand', required: true },
    response: { kind: 'model', model: 'CreateCallbackResponse' },
    handler: (b, ctx) => b.createCallback(ctx.principal, ctx.body),
  }),
  route({
    method: 'PATCH',
    path: CB,
    operationId: 'patchConversationsCallbacks',
    tag: 'Callbacks',
    summary: 'Update a scheduled callback.',
    status: 200,
    body: { model: 'PatchCallbackRequest', required: true },
    response: { kind: 'model', model: 'PatchCallbackResponse' },
    handler: (b, ctx) => b.patchCallback(ctx.principal, ctx.body),
  }),
  route({
    method: 'POST',
    path: `${CB}/bulk/disconnect`,
    operationId: 'postConversationsCallbacksBulkDisconnect',
    tag: 'Callbacks',
    summary: 'Disconnect many callbacks.',
    status: 202,
    body: { model: 'BulkCallbackDisconnectRequest', required: true },
    response: { kind: 'empty' },
    handler: (b, ctx) => b.bulkDisconnect(ctx.principal, ctx.body),
  }),
  route({
    method: 'POST',
    path: `${CB}/bulk/update`,
    operationId: 'postConversationsCallbacksBulkUpdate',
    tag: 'Callbacks',
    summary: 'Update many scheduled callbacks.',
    status: 200,
    body: { model: 'BulkCallbackPatchRequest', required: true },
    response: { kind: 'model', model: 'BulkCallbackPatchResponse' },
    handler: (b, ctx) => b.bulkUpdate(ctx.principal, ctx.body),
  }),
  route({
    method: 'GET',
    path: `${CB}/{conversationId}`,
    operationId: 'getConversationsCallback',
    tag: 'Callbacks',
    summary: 'Get a callback conversation.',
    status: 200,
    response: { kind: 'model', model: 'CallbackConversation' },
    handler: (b, ctx) => b.getCallback(ctx.principal, p(ctx, 'conversationId')),
  }),
  route({
    method: 'PATCH',
    path: `${CB}/{conversationId}`,
    operationId: 'patchConversationsCallback',
    tag: 'Callbacks',
    summary: 'Disconnect every participant of a callback (body state: disconnected).',
    status: 200,
    body: { model: 'Conversation', required: true },
    response: { kind: 'model', model: 'Conversation' },
    handler: async (b, ctx) => {
      const state = ctx.body.state;
      if (state !== 'disconnected')
        throw new ApiError(
          400,
          'invalid.value',
          `Value [${state ?? 'null'}] is not valid for field type [state]: only disconnected can be set on a conversation.`,
          [{ errorCode: 'invalid.value', fieldName: '/state' }],
        );
      return b.disconnectConversation(ctx.principal, p(ctx, 'conversationId'));
    },
  }),
  route({
    method: 'PATCH',
    path: `${CB}/{conversationId}/participants/{participantId}`,
    operationId: 'patchConversationsCallbackParticipant',
    tag: 'Callbacks',
    summary: 'Answer, hold, park, disconnect or wrap up a participant.',
    status: 202,
    body: { model: 'MediaParticipantRequest', required: true },
    response: { kind: 'empty' },
    handler: patchParticipant,
  }),
  route({
    method: 'PATCH',
    path: `${CB}/{conversationId}/participants/{participantId}/attributes`,
    operationId: 'patchConversationsCallbackParticipantAttributes',
    tag: 'Callbacks',
    summary: "Merge into a participant's attributes.",
    status: 202,
    body: { model: 'ParticipantAttributes', required: true },
    response: { kind: 'model', model: 'ParticipantAttributes' },
    handler: async (b, ctx) => ({
      attributes: await b.patchAttributes(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body.attributes),
    }),
  }),
  route({
    method: 'PATCH',
    path: `${CB}/{conversationId}/participants/{participantId}/communications/{communicationId}`,
    operationId: 'patchConversationsCallbackParticipantCommunication',
    tag: 'Callbacks',
    summary: "Disconnect a participant's communication.",
    status: 200,
    body: { model: 'MediaParticipantRequest', required: true },
    response: { kind: 'emptyObject' },
    handler: async (b, ctx) => {
      await b.patchParticipant(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body, p(ctx, 'communicationId'));
      return {};
    },
  }),
  route({
    method: 'GET',
    path: `${CB}/{conversationId}/participants/{participantId}/communications/{communicationId}/wrapup`,
    operationId: 'getConversationsCallbackParticipantCommunicationWrapup',
    tag: 'Callbacks',
    summary: 'Get the wrap-up of a communication.',
    status: 200,
    query: PROVISIONAL,
    response: { kind: 'model', model: 'AssignedWrapupCode' },
    handler: (b, ctx) =>
      b.getWrapup(
        ctx.principal,
        p(ctx, 'conversationId'),
        p(ctx, 'participantId'),
        bool(ctx.query.provisional, 'provisional'),
        p(ctx, 'communicationId'),
      ),
  }),
  route({
    method: 'POST',
    path: `${CB}/{conversationId}/participants/{participantId}/communications/{communicationId}/wrapup`,
    operationId: 'postConversationsCallbackParticipantCommunicationWrapup',
    tag: 'Callbacks',
    summary: 'Apply wrap-up to a communication.',
    status: 202,
    body: { model: 'WrapupInput', required: false },
    response: { kind: 'empty' },
    handler: (b, ctx) =>
      b.postCommunicationWrapup(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), p(ctx, 'communicationId'), ctx.body),
  }),
  route({
    method: 'POST',
    path: `${CB}/{conversationId}/participants/{participantId}/replace`,
    operationId: 'postConversationsCallbackParticipantReplace',
    tag: 'Callbacks',
    summary: 'Replace a participant with a user or a queue.',
    status: 202,
    body: { model: 'TransferRequest', required: true },
    response: { kind: 'empty' },
    handler: (b, ctx) => b.replace(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body),
  }),
  route({
    method: 'GET',
    path: `${CB}/{conversationId}/participants/{participantId}/wrapup`,
    operationId: 'getConversationsCallbackParticipantWrapup',
    tag: 'Callbacks',
    summary: 'Get the wrap-up of a participant.',
    status: 200,
    query: PROVISIONAL,
    response: { kind: 'model', model: 'AssignedWrapupCode' },
    handler: participantWrapup,
  }),
  route({
    method: 'GET',
    path: `${CB}/{conversationId}/participants/{participantId}/wrapupcodes`,
    operationId: 'getConversationsCallbackParticipantWrapupcodes',
    tag: 'Callbacks',
    summary: "Wrap-up codes of the participant's queue.",
    status: 200,
    response: { kind: 'array', model: 'WrapupCode' },
    handler: participantWrapupCodes,
  }),
  route({
    method: 'PUT',
    path: `${CB}/{conversationId}/recordingstate`,
    operationId: 'putConversationsCallbackRecordingstate',
    tag: 'Callbacks',
    summary: 'Set the recording state.',
    status: 200,
    body: { model: 'SetRecordingState', required: true },
    response: { kind: 'string', values: ['ACTIVE', 'PAUSED', 'NONE'] },
    handler: (b, ctx) => {
      const state = ctx.body.recordingState;
      if (state === undefined || !isOneOf(RECORDING_STATES, state))
        throw new ApiError(400, 'invalid.value', 'recordingState is required.', [
          { errorCode: 'invalid.value', fieldName: '/recordingState' },
        ]);
      return b.setRecordingState(ctx.principal, p(ctx, 'conversationId'), state);
    },
  }),

  // ---- generic conversation endpoints that apply to callbacks (rows 18-26, 33) ----
  route({
    method: 'GET',
    path: `${CONV}/{conversationId}`,
    operationId: 'getConversation',
    tag: 'Conversations',
    summary: 'Get a conversation (generic shape).',
    status: 200,
    response: { kind: 'model', model: 'Conversation' },
    handler: (b, ctx) => b.getConversation(ctx.principal, p(ctx, 'conversationId')),
  }),
  route({
    method: 'DELETE',
    path: `${CONV}/{conversationId}`,
    operationId: 'deleteConversation',
    tag: 'Conversations',
    summary: 'Disconnect every participant.',
    status: 200,
    response: { kind: 'empty' },
    handler: async (b, ctx) => {
      await b.disconnectConversation(ctx.principal, p(ctx, 'conversationId'));
    },
  }),
  route({
    method: 'POST',
    path: `${CONV}/{conversationId}/disconnect`,
    operationId: 'postConversationDisconnect',
    tag: 'Conversations',
    summary: 'Tear the conversation down, applying a system wrap-up code to anyone pending wrap-up.',
    status: 202,
    response: { kind: 'string' },
    handler: async (b, ctx) => {
      await b.disconnectConversation(ctx.principal, p(ctx, 'conversationId'), true);
      return 'Accepted';
    },
  }),
  route({
    method: 'POST',
    path: `${CONV}/{conversationId}/assign`,
    operationId: 'postConversationAssign',
    tag: 'Conversations',
    summary: 'Offer the conversation to a user.',
    status: 202,
    body: { model: 'ConversationUser', required: true },
    response: { kind: 'string' },
    handler: async (b, ctx) => {
      await b.assign(ctx.principal, p(ctx, 'conversationId'), ctx.body.id);
      return 'Accepted';
    },
  }),
  route({
    method: 'PATCH',
    path: `${CONV}/{conversationId}/participants/{participantId}`,
    operationId: 'patchConversationParticipant',
    tag: 'Conversations',
    summary: 'Change a participant (as the callback variant).',
    status: 202,
    body: { model: 'MediaParticipantRequest', required: true },
    response: { kind: 'empty' },
    handler: patchParticipant,
  }),
  route({
    method: 'PATCH',
    path: `${CONV}/{conversationId}/participants/{participantId}/attributes`,
    operationId: 'patchConversationParticipantAttributes',
    tag: 'Conversations',
    summary: "Merge into a participant's attributes.",
    status: 202,
    body: { model: 'ParticipantAttributes', required: true },
    response: { kind: 'empty' },
    handler: async (b, ctx) => {
      await b.patchAttributes(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body.attributes);
    },
  }),
  route({
    method: 'GET',
    path: `${CONV}/{conversationId}/participants/{participantId}/wrapup`,
    operationId: 'getConversationParticipantWrapup',
    tag: 'Conversations',
    summary: 'Get the wrap-up of a participant.',
    status: 200,
    query: PROVISIONAL,
    response: { kind: 'model', model: 'AssignedWrapupCode' },
    handler: participantWrapup,
  }),
  route({
    method: 'GET',
    path: `${CONV}/{conversationId}/participants/{participantId}/wrapupcodes`,
    operationId: 'getConversationParticipantWrapupcodes',
    tag: 'Conversations',
    summary: "Wrap-up codes of the participant's queue.",
    status: 200,
    response: { kind: 'array', model: 'WrapupCode' },
    handler: participantWrapupCodes,
  }),
  route({
    method: 'POST',
    path: `${CONV}/{conversationId}/participants/{participantId}/callbacks`,
    operationId: 'postConversationParticipantCallbacks',
    tag: 'Conversations',
    summary: 'Schedule a new callback for a participant.',
    status: 201,
    body: { model: 'CreateCallbackOnConversationCommand', required: false },
    response: { kind: 'empty' },
    handler: (b, ctx) => b.callbackFromParticipant(ctx.principal, p(ctx, 'conversationId'), p(ctx, 'participantId'), ctx.body),
  }),
  route({
    method: 'POST',
    path: `${CONV}/calls/{conversationId}`,
    operationId: 'postConversationsCall',
    tag: 'Conversations',
    summary: 'Place a call from a callback (the calling agent dials the customer).',
    status: 200,
    body: { model: 'CallCommand', required: true },
    response: { kind: 'model', model: 'Conversation' },
    handler: (b, ctx) => b.placeCall(ctx.principal, p(ctx, 'conversationId'), ctx.body),
  }),

  // ---- discovery ----
  route({
    method: 'GET',
    path: '/api/v2/routing/queues',
    operationId: 'getRoutingQueues',
    tag: 'Routing',
    summary: 'List queues.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'QueueEntityListing', item: 'Queue' },
    handler: async (b, ctx) => listing(await b.configuration.listQueues(ctx.principal), '/api/v2/routing/queues', ctx.query),
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
    handler: (b, ctx) => b.configuration.createQueue(ctx.principal, ctx.body),
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
    handler: (b, ctx) => b.configuration.putQueue(ctx.principal, p(ctx, 'queueId'), ctx.body),
  }),
  route({
    method: 'DELETE',
    path: '/api/v2/routing/queues/{queueId}',
    operationId: 'deleteRoutingQueue',
    tag: 'Routing',
    summary: 'Delete a queue.',
    status: 200,
    response: { kind: 'empty' },
    handler: (b, ctx) => b.configuration.deleteQueue(ctx.principal, p(ctx, 'queueId')),
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
    handler: async (b, ctx) =>
      listing(
        await b.configuration.listMembers(ctx.principal, p(ctx, 'queueId')),
        `/api/v2/routing/queues/${p(ctx, 'queueId')}/members`,
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
    query: [{ name: 'delete', type: 'boolean', description: 'Remove the listed users instead of adding them.' }],
    body: { model: 'WritableEntity', required: true, array: true },
    response: { kind: 'empty' },
    handler: (b, ctx) =>
      b.configuration.postMembers(
        ctx.principal,
        p(ctx, 'queueId'),
        ctx.body.map((x) => x.id),
        bool(ctx.query.delete, 'delete'),
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
    handler: async (b, ctx) => listing(await b.configuration.listWrapupCodes(ctx.principal), '/api/v2/routing/wrapupcodes', ctx.query),
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
    handler: (b, ctx) => b.configuration.createWrapupCode(ctx.principal, ctx.body),
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
    handler: async (b, ctx) =>
      listing(
        await b.configuration.queueWrapupCodes(ctx.principal, p(ctx, 'queueId')),
        `/api/v2/routing/queues/${p(ctx, 'queueId')}/wrapupcodes`,
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
    handler: (b, ctx) =>
      b.configuration.addQueueWrapupCodes(
        ctx.principal,
        p(ctx, 'queueId'),
        ctx.body.map((x) => x.id),
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v2/users',
    operationId: 'postUsers',
    tag: 'Users',
    summary: 'Create a user (agent).',
    status: 200,
    body: { model: 'CreateUser', required: true },
    response: { kind: 'model', model: 'User' },
    handler: (b, ctx) => b.configuration.createUser(ctx.principal, ctx.body),
  }),
  route({
    method: 'GET',
    path: '/api/v2/routing/queues/{queueId}',
    operationId: 'getRoutingQueue',
    tag: 'Routing',
    summary: 'Get a queue.',
    status: 200,
    response: { kind: 'model', model: 'Queue' },
    handler: (b, ctx) => b.configuration.getQueue(ctx.principal, p(ctx, 'queueId')),
  }),
  route({
    method: 'GET',
    path: '/api/v2/users',
    operationId: 'getUsers',
    tag: 'Users',
    summary: 'List users.',
    status: 200,
    query: PAGING,
    response: { kind: 'listing', model: 'UserEntityListing', item: 'User' },
    handler: async (b, ctx) => listing(await b.configuration.listUsers(ctx.principal), '/api/v2/users', ctx.query),
  }),
  route({
    method: 'GET',
    path: '/api/v2/users/me',
    operationId: 'getUsersMe',
    tag: 'Users',
    summary: 'The user of a user token.',
    status: 200,
    response: { kind: 'model', model: 'User' },
    handler: (b, ctx) => b.configuration.me(ctx.principal),
  }),
  route({
    method: 'GET',
    path: '/api/v2/users/{userId}/routingstatus',
    operationId: 'getUserRoutingstatus',
    tag: 'Routing',
    summary: "An agent's routing status.",
    status: 200,
    response: { kind: 'model', model: 'RoutingStatus' },
    handler: (b, ctx) => b.configuration.getRoutingStatus(ctx.principal, p(ctx, 'userId')),
  }),
  route({
    method: 'PUT',
    path: '/api/v2/users/{userId}/routingstatus',
    operationId: 'putUserRoutingstatus',
    tag: 'Routing',
    summary: 'Put an agent on or off queue (IDLE, OFF_QUEUE).',
    status: 200,
    body: { model: 'RoutingStatus', required: true },
    response: { kind: 'model', model: 'RoutingStatus' },
    handler: (b, ctx) => {
      const status = ctx.body.status;
      if (status === undefined || !isOneOf(ROUTING_STATUSES, status))
        throw new ApiError(400, 'invalid.value', 'status is required.', [{ errorCode: 'invalid.value', fieldName: '/status' }]);
      return b.configuration.setRoutingStatus(ctx.principal, p(ctx, 'userId'), status);
    },
  }),
  route({
    method: 'GET',
    path: '/api/v2/users/{userId}',
    operationId: 'getUser',
    tag: 'Users',
    summary: 'Get a user.',
    status: 200,
    response: { kind: 'model', model: 'User' },
    handler: (b, ctx) => b.configuration.getUser(ctx.principal, p(ctx, 'userId')),
  }),
];
