/** The zod schemas of the v1 API: requests are parsed with them, and /openapi.json is made from them. */
import { z } from 'zod';
import { ADAPTER_NAMES, CASE_STATUSES, DECISION_KINDS, ENTITY_KINDS, ROLES } from '../cases/types.js';

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) }).meta({ id: 'Error' });

const limit = z.coerce.number().int().min(1).max(1000).default(100);
const offset = z.coerce.number().int().min(0).default(0);
export const pageQuery = z.object({ limit, offset });

export const clusterSummarySchema = z.object({
  id: z.string(), score: z.number(), size: z.number().int(), traces: z.array(z.string()), topKeys: z.array(z.string()),
  firstTime: z.number().nullable(), lastTime: z.number().nullable(), caseId: z.string().nullable(), organic: z.string().nullable(), flagged: z.boolean(),
}).meta({ id: 'ClusterSummary' });

export const clustersQuery = z.object({
  minScore: z.coerce.number().min(0).max(1).optional(), trace: z.string().optional(), minSize: z.coerce.number().int().min(0).optional(),
  q: z.string().max(200).optional(), limit, offset,
});

export const memberSchema = z.object({ accountId: z.string(), handle: z.string().nullable(), actions: z.number(), degree: z.number(), attachment: z.number() }).meta({ id: 'Member' });
export const edgeSchema = z.object({ source: z.string(), target: z.string(), weight: z.number(), traces: z.record(z.string(), z.number()) }).meta({ id: 'Edge' });
export const timelineBucketSchema = z.object({ time: z.number(), trace: z.string(), coActions: z.number() }).meta({ id: 'TimelineBucket' });
export const clusterDetailSchema = clusterSummarySchema.extend({
  members: z.array(memberSchema), edges: z.array(edgeSchema), timeline: z.array(timelineBucketSchema), evidence: z.unknown(),
}).meta({ id: 'ClusterDetail' });

export const postRefSchema = z.object({ actionId: z.string(), accountId: z.string(), time: z.number(), kind: z.string(), text: z.string().nullable(), urls: z.array(z.string()) }).meta({ id: 'PostRef' });
export const sharedActionSchema = z.object({ trace: z.string(), key: z.string(), a: postRefSchema, b: postRefSchema, deltaSeconds: z.number() }).meta({ id: 'SharedAction' });
export const edgeQuery = z.object({ source: z.string().min(1), target: z.string().min(1) });

export const accountSchema = z.object({
  account: z.object({
    platform: z.string(), id: z.string(), kind: z.enum(ENTITY_KINDS), handle: z.string().nullable(), displayName: z.string().nullable(), createdAt: z.number().nullable(),
    followers: z.number().nullable(), following: z.number().nullable(), language: z.string().nullable(), location: z.string().nullable(), description: z.string().nullable(),
  }).nullable(),
  actions: z.number(), firstTime: z.number().nullable(), lastTime: z.number().nullable(), clusters: z.array(z.string()), signals: z.record(z.string(), z.unknown()).nullable(), recent: z.array(postRefSchema),
}).meta({ id: 'Account' });

export const caseSchema = z.object({
  id: z.string(), clusterId: z.string(), title: z.string(), status: z.enum(CASE_STATUSES), assignee: z.string().nullable(), createdAt: z.number(), updatedAt: z.number(),
}).meta({ id: 'Case' });
export const entityRefSchema = z.object({ kind: z.enum(ENTITY_KINDS), id: z.string().min(1) });
export const entitySchema = entityRefSchema.extend({ handle: z.string().nullable() }).meta({ id: 'Entity' });
export const noteSchema = z.object({ id: z.string(), caseId: z.string(), author: z.string(), text: z.string(), time: z.number() }).meta({ id: 'Note' });
export const decisionSchema = z.object({
  caseId: z.string(), entity: entityRefSchema, decision: z.enum(DECISION_KINDS), reason: z.string(), author: z.string(), time: z.number(),
}).meta({ id: 'Decision' });
export const outcomeSchema = z.object({
  caseId: z.string(), entity: entityRefSchema, decision: z.enum(DECISION_KINDS), adapter: z.enum(ADAPTER_NAMES), status: z.enum(['done', 'failed', 'skipped']),
  attempts: z.number().int(), detail: z.string(), time: z.number(),
}).meta({ id: 'Outcome' });
export const caseDetailSchema = caseSchema.extend({
  entities: z.array(entitySchema), notes: z.array(noteSchema), decisions: z.array(decisionSchema), outcomes: z.array(outcomeSchema),
}).meta({ id: 'CaseDetail' });

export const createCaseBody = z.object({ clusterId: z.string().min(1), title: z.string().max(300).optional() });
export const casesQuery = z.object({ status: z.enum(CASE_STATUSES).optional(), assignee: z.string().optional(), limit, offset });
export const transitionBody = z.object({ to: z.enum(CASE_STATUSES), appeal: z.boolean().optional(), reason: z.string().max(5000).optional() });
export const assignBody = z.object({ assignee: z.string().min(1).max(200).nullable() });
export const noteBody = z.object({ text: z.string().min(1).max(20_000) });
export const decideBody = z.object({
  entities: z.union([z.array(entityRefSchema).min(1).max(100_000), z.literal('all')]), decision: z.enum(DECISION_KINDS), reason: z.string().min(1).max(5000), dryRun: z.boolean().optional(),
});
export const decideResponse = z.object({
  dryRun: z.boolean(), decisions: z.array(decisionSchema), changes: z.array(z.object({ entity: entityRefSchema, from: z.enum(DECISION_KINDS).nullable(), to: z.enum(DECISION_KINDS) })),
});
export const actionsBody = z.object({ adapter: z.enum(ADAPTER_NAMES), dryRun: z.boolean().optional() });
export const actionsResponse = z.object({ dryRun: z.boolean(), outcomes: z.array(outcomeSchema) });

export const auditEntrySchema = z.object({
  seq: z.number().int(), time: z.number(), actor: z.string(), action: z.string(), subject: z.string(), caseId: z.string().nullable(), payload: z.unknown(), prevHash: z.string(), hash: z.string(),
}).meta({ id: 'AuditEntry' });
export const auditQuery = z.object({ caseId: z.string().optional(), limit, offset });

export const meSchema = z.object({ name: z.string(), role: z.enum(ROLES) });
export const userSchema = z.object({ name: z.string(), role: z.enum(ROLES), createdAt: z.number() }).meta({ id: 'User' });
export const createUserBody = z.object({ name: z.string().min(1).max(100).regex(/^[\w.@-]+$/, 'letters, digits, _ . @ - only'), role: z.enum(ROLES) });
export const adapterSchema = z.object({ name: z.enum(ADAPTER_NAMES), configured: z.boolean(), target: z.string().nullable() }).meta({ id: 'Adapter' });

export const listOf = <T extends z.ZodType>(item: T): z.ZodObject<{ items: z.ZodArray<T>; total: z.ZodNumber }> => z.object({ items: z.array(item), total: z.number().int() });
