/** The OpenAPI 3.1 document, assembled from the route list and its zod schemas (zod 4's toJSONSchema). */
import { z } from 'zod';
import type { RouteSpec } from './route-spec.js';
import { errorSchema } from './schemas.js';

type JsonObject = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
  delete json['$schema'];
  return json;
};

function queryParameters(schema: z.ZodType | null): JsonObject[] {
  if (schema === null) return [];
  const json = toSchema(schema, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: required.has(name), schema: property }));
}

const ERRORS: Record<string, string> = {
  400: 'INVALID_REQUEST', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 429: 'RATE_LIMITED (with Retry-After)',
};

export function openApiDocument(routes: readonly RouteSpec[], extra: Record<string, JsonObject> = {}): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:(\w+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(route.query),
    ];
    const errorResponses = Object.fromEntries(Object.entries(ERRORS).map(([status, code]) => [status, { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));
    (paths[path] ??= {})[route.method] = {
      operationId: route.id, summary: route.summary, 'x-required-role': route.role, security: [{ bearer: [] }], parameters,
      ...(route.body === null ? {} : { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } }),
      responses: { [route.status]: { description: 'OK', content: { 'application/json': { schema: toSchema(route.response, 'output') } } }, ...errorResponses },
    };
  }
  for (const [path, operations] of Object.entries(extra)) paths[path] = { ...paths[path], ...(operations as Record<string, JsonObject>) };
  paths['/v1/health'] = { get: { operationId: 'health', summary: 'Liveness (no token)', security: [], responses: { 200: { description: 'OK' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'lockstep workspace API', version: '1.0.0', description: 'See docs/api-v1.md. Roles: admin > investigator > reviewer > viewer (x-required-role on each operation).' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: toSchema(errorSchema, 'output') } },
    paths,
  };
}
