// GET /api/v2/notifications/availabletopics: the topic catalogue (service/topics.ts), with what `expand` asks for.
// Loaded on demand: the schemas of the bodies come from the schema library, which the server does not otherwise load.
import type { AvailableTopic, JsonValue } from '../model/core.js';
import { TOPICS } from '../service/topics.js';
import { openApiDocument } from './openapi.js';

export async function availableTopics(expand: string | undefined): Promise<AvailableTopic[]> {
  const wanted = new Set((expand ?? '').split(',').map((x) => x.trim()));
  const schemas = wanted.has('schema')
    ? (openApiDocument() as { components: { schemas: Record<string, JsonValue> } }).components.schemas
    : undefined;
  return TOPICS.map((t) => ({
    id: t.id,
    description: t.description,
    ...(wanted.has('enforced') ? { enforced: true } : {}),
    ...(wanted.has('visibility') ? { visibility: 'Public' } : {}),
    ...(wanted.has('transports') ? { transports: ['Websocket'] } : {}),
    ...(wanted.has('requiresPermissions') || wanted.has('permissionDetails')
      ? { requiresPermissions: [...t.permissions], requiresCurrentUserOrPermission: true, requiresCurrentUser: false }
      : {}),
    ...(wanted.has('publicApiTemplateUriPaths')
      ? { publicApiTemplateUriPaths: [t.entity === 'user' ? '/api/v2/users/{id}' : '/api/v2/routing/queues/{id}'] }
      : {}),
    ...(wanted.has('topicParameters') ? { topicParameters: ['id'] } : {}),
    ...(schemas !== undefined ? { schema: schemas[t.body] ?? {} } : {}),
  }));
}
