/** Cases: open from a cluster, list, read, transitions, assignment, notes, decisions, actions. */
import { roleAllows } from '../../cases/types.js';
import { ApiError } from '../errors.js';
import { defineRoute } from '../route-spec.js';
import type { RouteSpec } from '../route-spec.js';
import {
  actionsBody, actionsResponse, assignBody, caseDetailSchema, caseSchema, casesQuery, createCaseBody, decideBody, decideResponse, listOf, noteBody, noteSchema, transitionBody,
} from '../schemas.js';

const id = (params: Record<string, string>): string => params['id'] ?? '';

export const caseRoutes: RouteSpec[] = [
  defineRoute({
    id: 'createCase', method: 'post', path: '/v1/cases', role: 'investigator', summary: 'Open a case on a cluster of the latest run (one open case per cluster)',
    body: createCaseBody, query: null, response: caseSchema, status: 201,
    handle: ({ user, body, deps }) => deps.cases.open(user, { clusterId: body.clusterId, ...(body.title === undefined ? {} : { title: body.title }) }),
  }),
  defineRoute({
    id: 'listCases', method: 'get', path: '/v1/cases', role: 'viewer', summary: 'Cases, newest first',
    body: null, query: casesQuery, response: listOf(caseSchema),
    async handle({ query, deps }) {
      const cases = await deps.cases.list({ ...(query.status === undefined ? {} : { status: query.status }), ...(query.assignee === undefined ? {} : { assignee: query.assignee }) });
      return { items: cases.slice(query.offset, query.offset + query.limit), total: cases.length };
    },
  }),
  defineRoute({
    id: 'getCase', method: 'get', path: '/v1/cases/:id', role: 'viewer', summary: 'A case with its entities, notes, decisions in force and outcomes',
    body: null, query: null, response: caseDetailSchema,
    handle: ({ params, deps }) => deps.cases.detail(id(params)),
  }),
  defineRoute({
    id: 'transitionCase', method: 'post', path: '/v1/cases/:id/transition', role: 'reviewer',
    summary: 'Move a case: open→in_review (reviewer), in_review→decided→actioned→closed (investigator); { to: "open", appeal: true, reason } reopens an actioned or closed case',
    body: transitionBody, query: null, response: caseSchema,
    handle: ({ user, params, body, deps }) => deps.cases.transition(user, id(params), {
      to: body.to, ...(body.appeal === undefined ? {} : { appeal: body.appeal }), ...(body.reason === undefined ? {} : { reason: body.reason }),
    }),
  }),
  defineRoute({
    id: 'assignCase', method: 'post', path: '/v1/cases/:id/assign', role: 'investigator', summary: 'Assign a case (null unassigns)',
    body: assignBody, query: null, response: caseSchema,
    handle: ({ user, params, body, deps }) => deps.cases.assign(user, id(params), body.assignee),
  }),
  defineRoute({
    id: 'addNote', method: 'post', path: '/v1/cases/:id/notes', role: 'reviewer', summary: 'Add a note to a case',
    body: noteBody, query: null, response: noteSchema, status: 201,
    handle: ({ user, params, body, deps }) => deps.cases.addNote(user, id(params), body.text),
  }),
  defineRoute({
    id: 'decide', method: 'post', path: '/v1/cases/:id/decisions', role: 'reviewer',
    summary: 'Decide for some entities of a case (reviewer) or all of them ("all": a bulk decision, investigator); dryRun shows the changes and writes nothing',
    body: decideBody, query: null, response: decideResponse,
    async handle({ user, params, body, deps }) {
      if (body.entities === 'all' && !roleAllows(user.role, 'investigator')) throw new ApiError('FORBIDDEN', 'a bulk decision over all entities of a case needs the investigator role');
      return deps.cases.decide(user, id(params), { entities: body.entities, decision: body.decision, reason: body.reason, dryRun: body.dryRun === true });
    },
  }),
  defineRoute({
    id: 'runActions', method: 'post', path: '/v1/cases/:id/actions', role: 'investigator',
    summary: 'Enforce the decisions in force through an adapter (idempotent: entities already done are skipped); dryRun lists what would be sent',
    body: actionsBody, query: null, response: actionsResponse,
    handle: ({ user, params, body, deps }) => deps.cases.act(user, id(params), { adapter: body.adapter, dryRun: body.dryRun === true }),
  }),
];
