/** The workspace's records: users and roles, cases, notes, decisions, outcomes, audit entries. */

export type Role = 'admin' | 'investigator' | 'reviewer' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'investigator', 'reviewer', 'viewer'];

/** Each role holds the rights of the ones after it (admin > investigator > reviewer > viewer). */
const RANK: Record<Role, number> = { viewer: 0, reviewer: 1, investigator: 2, admin: 3 };

/** True when `role` holds at least the rights of `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface User { name: string; role: Role; createdAt: number }

export type CaseStatus = 'open' | 'in_review' | 'decided' | 'actioned' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'in_review', 'decided', 'actioned', 'closed'];

export type EntityKind = 'account' | 'page' | 'group';
export const ENTITY_KINDS: readonly EntityKind[] = ['account', 'page', 'group'];

export type DecisionKind = 'suspend' | 'remove' | 'label' | 'no_action';
export const DECISION_KINDS: readonly DecisionKind[] = ['suspend', 'remove', 'label', 'no_action'];

export type AdapterName = 'mastodon' | 'ozone' | 'webhook';
export const ADAPTER_NAMES: readonly AdapterName[] = ['mastodon', 'ozone', 'webhook'];

export interface CaseRecord {
  id: string;
  clusterId: string;
  title: string;
  status: CaseStatus;
  assignee: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EntityRef { kind: EntityKind; id: string }
export interface Entity extends EntityRef { handle: string | null }

export interface Note { id: string; caseId: string; author: string; text: string; time: number }

export interface Decision {
  caseId: string;
  entity: EntityRef;
  decision: DecisionKind;
  reason: string;
  author: string;
  time: number;
}

export type OutcomeStatus = 'done' | 'failed' | 'skipped';

export interface Outcome {
  caseId: string;
  entity: EntityRef;
  decision: DecisionKind;
  adapter: AdapterName;
  status: OutcomeStatus;
  attempts: number;
  detail: string;
  time: number;
}

/** One entry of the append-only, hash-chained audit log. */
export interface AuditEntry {
  seq: number;
  time: number;
  actor: string;
  action: string;
  /** What the entry is about: `case:ID`, `user:NAME`, ... */
  subject: string;
  /** The case the entry belongs to, when it belongs to one. */
  caseId: string | null;
  payload: unknown;
  prevHash: string;
  hash: string;
}

/** An entry before the log numbers and hashes it. */
export type AuditInput = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;
