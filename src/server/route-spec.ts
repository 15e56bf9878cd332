/**
 * A route as data: method, path, the role it needs, its zod schemas and its handler. The app
 * registers every route from this list, /openapi.json is made from it, and the role matrix test
 * walks it, so what is documented, enforced and tested cannot drift apart.
 */
import type { z } from 'zod';
import type { CaseService } from '../cases/service.js';
import type { WorkspaceStore } from '../cases/port.js';
import type { AdapterName, Role, User } from '../cases/types.js';
import type { DetectionsReader } from './detections-port.js';

export interface ApiDeps {
  store: WorkspaceStore;
  cases: CaseService;
  detections: DetectionsReader;
  /** What each adapter acts on (a URL), null when not configured. */
  adapterTargets: Record<AdapterName, string | null>;
  now: () => number;
}

export interface HandlerInput<B, Q> { user: User; body: B; query: Q; params: Record<string, string>; deps: ApiDeps }

export interface RouteSpec {
  id: string;
  method: 'get' | 'post';
  /** Hono path, e.g. `/v1/cases/:id`. */
  path: string;
  role: Role;
  summary: string;
  body: z.ZodType | null;
  query: z.ZodType | null;
  response: z.ZodType;
  status: 200 | 201;
  handle(input: HandlerInput<unknown, unknown>): Promise<unknown>;
}

/** Defines a route with its handler typed by its schemas. */
export function defineRoute<B extends z.ZodType | null, Q extends z.ZodType | null>(spec: {
  id: string; method: 'get' | 'post'; path: string; role: Role; summary: string; body: B; query: Q; response: z.ZodType; status?: 200 | 201;
  handle(input: HandlerInput<B extends z.ZodType ? z.output<B> : undefined, Q extends z.ZodType ? z.output<Q> : undefined>): Promise<unknown>;
}): RouteSpec {
  return { ...spec, status: spec.status ?? 200, handle: spec.handle as RouteSpec['handle'] };
}
