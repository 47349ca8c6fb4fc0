// The notifications API (docs/reference/api.md §4.3): channels and their subscriptions. The sockets themselves are
// served by ../socket.ts at each channel's connectUri.
import { param, route, type RouteDef } from '../route.js';

const CHANNEL = '/api/v2/notifications/channels/{channelId}';

/** ws:// on the host and port the request reached (the Host header), as Genesys gives a wss:// one on its own. */
const socketBase = (host: string | undefined) => `ws://${host ?? '127.0.0.1'}`;

export const NOTIFICATION_ROUTES: readonly RouteDef[] = [
  route({
    method: 'POST',
    path: '/api/v2/notifications/channels',
    operationId: 'postNotificationsChannels',
    tag: 'Notifications',
    summary: 'Create a channel: a WebSocket URL to open, living 24 h unless a subscription call extends it (20 per user and client).',
    status: 200,
    response: { kind: 'model', model: 'Channel' },
    handler: async (s, ctx) => s.notifications.createChannel(ctx.principal, socketBase(ctx.host)),
  }),
  route({
    method: 'GET',
    path: '/api/v2/notifications/channels',
    operationId: 'getNotificationsChannels',
    tag: 'Notifications',
    summary: 'The channels of this token (includechannels=token, the default) or of this client and user (oauthclient).',
    status: 200,
    query: { includechannels: { type: 'string', description: 'token (default) or oauthclient.' } },
    response: { kind: 'model', model: 'ChannelEntityListing' },
    handler: async (s, ctx) => ({ entities: s.notifications.listChannels(ctx.principal, ctx.query.includechannels) }),
  }),
  route({
    method: 'HEAD',
    path: CHANNEL,
    operationId: 'headNotificationsChannel',
    tag: 'Notifications',
    summary: 'Whether a channel exists (200) or not (404).',
    status: 200,
    response: { kind: 'empty' },
    handler: async (s, ctx) => s.notifications.exists(ctx.principal, param(ctx, 'channelId')),
  }),
  route({
    method: 'GET',
    path: `${CHANNEL}/subscriptions`,
    operationId: 'getNotificationsChannelSubscriptions',
    tag: 'Notifications',
    summary: "A channel's topics, each Permitted or Rejected.",
    status: 200,
    response: { kind: 'model', model: 'ChannelTopicEntityListing' },
    handler: async (s, ctx) => ({ entities: s.notifications.subscriptions(ctx.principal, param(ctx, 'channelId')) }),
  }),
  route({
    method: 'POST',
    path: `${CHANNEL}/subscriptions`,
    operationId: 'postNotificationsChannelSubscriptions',
    tag: 'Notifications',
    summary: "Add topics to a channel's (at most 1,000 in all); extends the channel's life.",
    status: 200,
    body: { model: 'ChannelTopic', required: true, array: true },
    query: { ignoreErrors: { type: 'boolean', description: 'Leave out topics that are not valid instead of refusing the request.' } },
    response: { kind: 'model', model: 'ChannelTopicEntityListing' },
    handler: async (s, ctx) => ({
      entities: await s.notifications.subscribe(ctx.principal, param(ctx, 'channelId'), ctx.body, 'add', ctx.query.ignoreErrors),
    }),
  }),
  route({
    method: 'PUT',
    path: `${CHANNEL}/subscriptions`,
    operationId: 'putNotificationsChannelSubscriptions',
    tag: 'Notifications',
    summary: "Replace a channel's topics; extends the channel's life.",
    status: 200,
    body: { model: 'ChannelTopic', required: true, array: true },
    query: { ignoreErrors: { type: 'boolean', description: 'Leave out topics that are not valid instead of refusing the request.' } },
    response: { kind: 'model', model: 'ChannelTopicEntityListing' },
    handler: async (s, ctx) => ({
      entities: await s.notifications.subscribe(ctx.principal, param(ctx, 'channelId'), ctx.body, 'replace', ctx.query.ignoreErrors),
    }),
  }),
  route({
    method: 'DELETE',
    path: `${CHANNEL}/subscriptions`,
    operationId: 'deleteNotificationsChannelSubscriptions',
    tag: 'Notifications',
    summary: "Remove all of a channel's topics.",
    status: 200,
    response: { kind: 'empty' },
    handler: async (s, ctx) => s.notifications.unsubscribeAll(ctx.principal, param(ctx, 'channelId')),
  }),
  route({
    method: 'GET',
    path: '/api/v2/notifications/availabletopics',
    operationId: 'getNotificationsAvailabletopics',
    tag: 'Notifications',
    summary: 'The topics callbackd serves; expand adds their permissions, schema, transports and parameters.',
    status: 200,
    query: {
      expand: {
        type: 'string',
        description:
          'Comma-separated: description, enforced, schema, visibility, transports, publicApiTemplateUriPaths, requiresPermissions, permissionDetails, topicParameters.',
      },
      includePreview: { type: 'boolean', description: 'Include preview topics (callbackd has none).' },
    },
    response: { kind: 'model', model: 'AvailableTopicEntityListing' },
    handler: async (_s, ctx) => ({ entities: await (await import('../topics-listing.js')).availableTopics(ctx.query.expand) }),
  }),
];
