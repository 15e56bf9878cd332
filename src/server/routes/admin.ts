/** Who am I, the audit log, users and tokens, enforcement adapters. */
import { z } from 'zod';
import { addUser } from '../auth.js';
import { ApiError } from '../errors.js';
import { defineRoute } from '../route-spec.js';
import type { RouteSpec } from '../route-spec.js';
import { adapterSchema, auditEntrySchema, auditQuery, createUserBody, listOf, meSchema, userSchema } from '../schemas.js';
import { ADAPTER_NAMES } from '../../cases/types.js';

export const adminRoutes: RouteSpec[] = [
  defineRoute({
    id: 'me', method: 'get', path: '/v1/me', role: 'viewer', summary: 'The signed-in user', body: null, query: null, response: meSchema,
    handle: async ({ user }) => ({ name: user.name, role: user.role }),
  }),
  defineRoute({
    id: 'listAudit', method: 'get', path: '/v1/audit', role: 'viewer', summary: 'The hash-chained audit log, oldest first (filter by case)',
    body: null, query: auditQuery, response: listOf(auditEntrySchema),
    handle: ({ query, deps }) => deps.store.audit({ ...(query.caseId === undefined ? {} : { caseId: query.caseId }), limit: query.limit, offset: query.offset }),
  }),
  defineRoute({
    id: 'listUsers', method: 'get', path: '/v1/users', role: 'admin', summary: 'Users and their roles (tokens are never shown)',
    body: null, query: null, response: listOf(userSchema),
    async handle({ deps }) {
      const users = await deps.store.listUsers();
      return { items: users, total: users.length };
    },
  }),
  defineRoute({
    id: 'createUser', method: 'post', path: '/v1/users', role: 'admin', summary: 'Add a user; the answer holds the token, shown this once',
    body: createUserBody, query: null, response: z.object({ user: userSchema, token: z.string() }), status: 201,
    async handle({ user, body, deps }) {
      if ((await deps.store.listUsers()).some((existing) => existing.name === body.name)) throw new ApiError('CONFLICT', `user ${body.name} exists`);
      const created = await addUser(deps.store, { name: body.name, role: body.role, now: deps.now() });
      await deps.store.appendAudit([{ time: deps.now(), actor: user.name, action: 'user.add', subject: `user:${body.name}`, caseId: null, payload: { role: body.role } }]);
      return created;
    },
  }),
  defineRoute({
    id: 'listAdapters', method: 'get', path: '/v1/adapters', role: 'admin', summary: 'Enforcement adapters and where each acts (configured from the environment; secrets never shown)',
    body: null, query: null, response: listOf(adapterSchema),
    handle: async ({ deps }) => ({
      items: ADAPTER_NAMES.map((name) => ({ name, configured: deps.adapterTargets[name] !== null, target: deps.adapterTargets[name] })), total: ADAPTER_NAMES.length,
    }),
  }),
];
