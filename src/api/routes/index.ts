// Every route callbackd serves, by resource. app.ts mounts them; openapi.ts documents them.
import type { RouteDef } from '../route.js';
import { ANALYTICS_ROUTES } from './analytics.js';
import { CALLBACK_ROUTES } from './callbacks.js';
import { CONVERSATION_ROUTES } from './conversations.js';
import { DOCS_ROUTES } from './docs.js';
import { EMULATOR_ROUTES } from './emulator.js';
import { NOTIFICATION_ROUTES } from './notifications.js';
import { OAUTH_ROUTES } from './oauth.js';
import { ROUTING_ROUTES } from './routing.js';
import { USER_ROUTES } from './users.js';

export const ROUTES: readonly RouteDef[] = [
  ...CALLBACK_ROUTES,
  ...CONVERSATION_ROUTES,
  ...ROUTING_ROUTES,
  ...USER_ROUTES,
  ...NOTIFICATION_ROUTES,
  ...ANALYTICS_ROUTES,
  ...OAUTH_ROUTES,
  ...EMULATOR_ROUTES,
  ...DOCS_ROUTES,
];
