// The OpenAPI document of everything served, itself a route (no token needed).
import { route, type RouteDef } from '../route.js';

export const DOCS_ROUTES: readonly RouteDef[] = [
  route({
    method: 'GET',
    path: '/api/v2/docs/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'Documentation',
    summary: 'This OpenAPI 3 document: every route, generated from the route table and the schema.',
    auth: 'none',
    status: 200,
    response: { kind: 'json' },
    // Imported when asked for: the document is built from the route table this file is part of.
    handler: async () => (await import('../openapi.js')).openApiDocument(),
  }),
];
