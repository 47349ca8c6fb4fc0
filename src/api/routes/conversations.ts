// The generic conversation endpoints that apply to callbacks (docs/reference/api.md §1.1 rows 18-26, 33).
import { onePage, param, route, type RouteDef } from '../route.js';
import { participantRoutes } from './callbacks.js';

const CONV = '/api/v2/conversations';

const PARTICIPANT = `${CONV}/{conversationId}/participants/{participantId}`;
const ids = (ctx: { params: Record<string, string> }) => [param(ctx, 'conversationId'), param(ctx, 'participantId')] as const;

export const CONVERSATION_ROUTES: readonly RouteDef[] = [
  route({
    method: 'GET',
    path: CONV,
    operationId: 'getConversations',
    tag: 'Conversations',
    summary: "The calling user's conversations going on (an agent desktop's first call); callbacks only here.",
    status: 200,
    query: { communicationType: { type: 'string', description: 'Only conversations of this media (callback; others find none here).' } },
    response: { kind: 'listing', model: 'ConversationEntityListing', item: 'Conversation' },
    handler: async (s, ctx) => {
      const all = await s.callbacks.listActive(ctx.principal, ctx.query.communicationType);
      return { ...onePage(all, CONV) };
    },
  }),
  route({
    method: 'PATCH',
    path: `${CONV}/{conversationId}/recordingstate`,
    operationId: 'patchConversationRecordingstate',
    tag: 'Conversations',
    summary: 'Set the recording state (ACTIVE, PAUSED, NONE).',
    status: 202,
    body: { model: 'SetRecordingState', required: true },
    response: { kind: 'empty' },
    handler: async (s, ctx) => {
      await s.callbacks.setRecordingState(ctx.principal, param(ctx, 'conversationId'), ctx.body.recordingState);
    },
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/replace`,
    operationId: 'postConversationParticipantReplace',
    tag: 'Conversations',
    summary: 'Replace a participant with a user or a queue (deprecated: use replace/agent, replace/queue or transfer).',
    status: 202,
    body: { model: 'TransferRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.replace(ctx.principal, ...ids(ctx), ctx.body),
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/replace/agent`,
    operationId: 'postConversationParticipantReplaceAgent',
    tag: 'Conversations',
    summary: 'Transfer a participant to an agent (blind).',
    status: 202,
    body: { model: 'TransferToAgentRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.transferTo(ctx.principal, ...ids(ctx), 'userId', ctx.body.userId, ctx.body.transferType),
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/replace/queue`,
    operationId: 'postConversationParticipantReplaceQueue',
    tag: 'Conversations',
    summary: 'Transfer a participant to a queue (blind).',
    status: 202,
    body: { model: 'TransferToQueueRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.transferTo(ctx.principal, ...ids(ctx), 'queueId', ctx.body.queueId, ctx.body.transferType),
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/transfer`,
    operationId: 'postConversationParticipantTransfer',
    tag: 'Conversations',
    summary: 'Transfer a participant to an address: a user id or a queue id (phone numbers cannot take a callback).',
    status: 202,
    body: { model: 'TransferToAddressRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.transferTo(ctx.principal, ...ids(ctx), 'address', ctx.body.address, ctx.body.transferType),
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/replace/external`,
    operationId: 'postConversationParticipantReplaceExternal',
    tag: 'Conversations',
    summary: 'Transfer to an external address (deprecated): refused for callbacks, 400 bad.request.',
    status: 202,
    body: { model: 'TransferToExternalRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.refuseExternalTransfer(ctx.principal, ...ids(ctx), '/address', 'an external address'),
  }),
  route({
    method: 'POST',
    path: `${PARTICIPANT}/replace/contact/external`,
    operationId: 'postConversationParticipantReplaceContactExternal',
    tag: 'Conversations',
    summary: 'Transfer to an external contact: refused for callbacks, 400 bad.request.',
    status: 202,
    body: { model: 'TransferToExternalContactRequest', required: true },
    response: { kind: 'empty' },
    handler: (s, ctx) => s.callbacks.refuseExternalTransfer(ctx.principal, ...ids(ctx), '/contactId', 'an external contact'),
  }),
  ...participantRoutes(CONV, 'Conversations', {
    patch: 'patchConversationParticipant',
    wrapup: 'getConversationParticipantWrapup',
    wrapupcodes: 'getConversationParticipantWrapupcodes',
  }),
  route({
    method: 'GET',
    path: `${CONV}/{conversationId}`,
    operationId: 'getConversation',
    tag: 'Conversations',
    summary: 'Get a conversation (generic shape).',
    status: 200,
    response: { kind: 'model', model: 'Conversation' },
    handler: (s, ctx) => s.callbacks.getConversation(ctx.principal, param(ctx, 'conversationId')),
  }),
  route({
    method: 'DELETE',
    path: `${CONV}/{conversationId}`,
    operationId: 'deleteConversation',
    tag: 'Conversations',
    summary: 'Disconnect every participant.',
    status: 200,
    response: { kind: 'empty' },
    handler: async (s, ctx) => {
      await s.callbacks.disconnectConversation(ctx.principal, param(ctx, 'conversationId'));
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
    handler: async (s, ctx) => {
      await s.callbacks.disconnectConversation(ctx.principal, param(ctx, 'conversationId'), true);
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
    handler: async (s, ctx) => {
      await s.callbacks.assign(ctx.principal, param(ctx, 'conversationId'), ctx.body.id);
      return 'Accepted';
    },
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
    handler: async (s, ctx) => {
      await s.callbacks.patchAttributes(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId'), ctx.body.attributes);
    },
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
    handler: (s, ctx) =>
      s.callbacks.callbackFromParticipant(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId'), ctx.body),
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
    handler: (s, ctx) => s.callbacks.placeCall(ctx.principal, param(ctx, 'conversationId'), ctx.body),
  }),
];
