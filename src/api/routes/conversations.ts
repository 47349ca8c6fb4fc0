// The generic conversation endpoints that apply to callbacks (docs/reference/api.md §1.1 rows 18-26, 33).
import { param, route, type RouteDef } from '../route.js';
import { participantRoutes } from './callbacks.js';

const CONV = '/api/v2/conversations';

export const CONVERSATION_ROUTES: readonly RouteDef[] = [
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
