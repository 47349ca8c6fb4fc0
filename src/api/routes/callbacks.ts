// The callback endpoints (docs/reference/api.md §1.1 rows 1-16).
import { onePage, param, route, type QuerySpec, type RouteDef } from '../route.js';

const CB = '/api/v2/conversations/callbacks';
export const PROVISIONAL = {
  provisional: { type: 'boolean', description: 'Read the provisional (unsaved) wrap-up.' },
} as const satisfies QuerySpec;

/**
 * The participant routes served alike under the callback paths and the generic conversation paths (rows 8/22, 14/24,
 * 15/25): change a participant, read its wrap-up, list its wrap-up codes.
 */
export function participantRoutes(base: string, tag: string, sdk: { patch: string; wrapup: string; wrapupcodes: string }): RouteDef[] {
  const path = `${base}/{conversationId}/participants/{participantId}`;
  return [
    route({
      method: 'PATCH',
      path,
      operationId: sdk.patch,
      tag,
      summary: 'Answer, hold, park, disconnect or wrap up a participant.',
      status: 202,
      body: { model: 'MediaParticipantRequest', required: true },
      response: { kind: 'empty' },
      handler: (s, ctx) => s.callbacks.patchParticipant(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId'), ctx.body),
    }),
    route({
      method: 'GET',
      path: `${path}/wrapup`,
      operationId: sdk.wrapup,
      tag,
      summary: 'Get the wrap-up of a participant.',
      status: 200,
      query: PROVISIONAL,
      response: { kind: 'model', model: 'AssignedWrapupCode' },
      handler: (s, ctx) =>
        s.callbacks.getWrapup(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId'), ctx.query.provisional),
    }),
    route({
      method: 'GET',
      path: `${path}/wrapupcodes`,
      operationId: sdk.wrapupcodes,
      tag,
      summary: "Wrap-up codes of the participant's queue.",
      status: 200,
      response: { kind: 'array', model: 'WrapupCode' },
      handler: (s, ctx) => s.callbacks.wrapupCodes(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId')),
    }),
  ];
}

export const CALLBACK_ROUTES: readonly RouteDef[] = [
  ...participantRoutes(CB, 'Callbacks', {
    patch: 'patchConversationsCallbackParticipant',
    wrapup: 'getConversationsCallbackParticipantWrapup',
    wrapupcodes: 'getConversationsCallbackParticipantWrapupcodes',
  }),
  route({
    method: 'GET',
    path: CB,
    operationId: 'getConversationsCallbacks',
    tag: 'Callbacks',
    summary: "The calling user's active callback conversations.",
    status: 200,
    response: { kind: 'listing', model: 'CallbackConversationEntityListing', item: 'CallbackConversation' },
    handler: async (s, ctx) => onePage(await s.callbacks.listMyCallbacks(ctx.principal), CB),
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
    handler: (s, ctx) => s.callbacks.createCallback(ctx.principal, ctx.body),
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
    handler: (s, ctx) => s.callbacks.patchCallback(ctx.principal, ctx.body),
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
    handler: (s, ctx) => s.callbacks.bulkDisconnect(ctx.principal, ctx.body),
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
    handler: (s, ctx) => s.callbacks.bulkUpdate(ctx.principal, ctx.body),
  }),
  route({
    method: 'GET',
    path: `${CB}/{conversationId}`,
    operationId: 'getConversationsCallback',
    tag: 'Callbacks',
    summary: 'Get a callback conversation.',
    status: 200,
    response: { kind: 'model', model: 'CallbackConversation' },
    handler: (s, ctx) => s.callbacks.getCallbackText(ctx.principal, param(ctx, 'conversationId')),
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
    handler: (s, ctx) => s.callbacks.patchConversation(ctx.principal, param(ctx, 'conversationId'), ctx.body),
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
    handler: async (s, ctx) => ({
      attributes: await s.callbacks.patchAttributes(
        ctx.principal,
        param(ctx, 'conversationId'),
        param(ctx, 'participantId'),
        ctx.body.attributes,
      ),
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
    handler: async (s, ctx) => {
      await s.callbacks.patchParticipant(
        ctx.principal,
        param(ctx, 'conversationId'),
        param(ctx, 'participantId'),
        ctx.body,
        param(ctx, 'communicationId'),
      );
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
    handler: (s, ctx) =>
      s.callbacks.getWrapup(
        ctx.principal,
        param(ctx, 'conversationId'),
        param(ctx, 'participantId'),
        ctx.query.provisional,
        param(ctx, 'communicationId'),
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
    handler: (s, ctx) =>
      s.callbacks.postCommunicationWrapup(
        ctx.principal,
        param(ctx, 'conversationId'),
        param(ctx, 'participantId'),
        param(ctx, 'communicationId'),
        ctx.body,
      ),
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
    handler: (s, ctx) => s.callbacks.replace(ctx.principal, param(ctx, 'conversationId'), param(ctx, 'participantId'), ctx.body),
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
    handler: (s, ctx) => s.callbacks.setRecordingState(ctx.principal, param(ctx, 'conversationId'), ctx.body.recordingState),
  }),
];
