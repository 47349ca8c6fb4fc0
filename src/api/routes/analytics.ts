// Conversation details of the analytics API (analytics-notifications-limits.md §2.1), computed from the event log.
import { param, route, type RouteDef } from '../route.js';

export const ANALYTICS_ROUTES: readonly RouteDef[] = [
  route({
    method: 'POST',
    path: '/api/v2/analytics/conversations/details/query',
    operationId: 'postAnalyticsConversationsDetailsQuery',
    tag: 'Analytics',
    summary: 'Query conversation details: conversations that started on a day the interval touches, filtered, ordered, paged.',
    status: 200,
    body: { model: 'ConversationQuery', required: true },
    response: { kind: 'model', model: 'AnalyticsConversationQueryResponse' },
    handler: (s, ctx) => s.analytics.query(ctx.principal, ctx.body),
  }),
  route({
    method: 'GET',
    path: '/api/v2/analytics/conversations/details',
    operationId: 'getAnalyticsConversationsDetails',
    tag: 'Analytics',
    summary: 'Details of several conversations by id (id=a,b; those not found are left out).',
    status: 200,
    query: { id: { type: 'strings', description: 'Conversation ids (1 to 100), repeated or comma-separated.' } },
    response: { kind: 'model', model: 'AnalyticsConversationWithoutAttributesMultiGetResponse' },
    handler: async (s, ctx) => ({
      conversations: await s.analytics.conversations(ctx.principal, ctx.query.id),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/v2/analytics/conversations/{conversationId}/details',
    operationId: 'getAnalyticsConversationDetails',
    tag: 'Analytics',
    summary: "One conversation's details: participants, sessions, segments and metrics.",
    status: 200,
    response: { kind: 'model', model: 'AnalyticsConversationWithoutAttributes' },
    handler: (s, ctx) => s.analytics.conversation(ctx.principal, param(ctx, 'conversationId')),
  }),
];
