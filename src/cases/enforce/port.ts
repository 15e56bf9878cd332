/** The enforcement port: one adapter per platform, each idempotent, each answering per entity. */
import type { AdapterName, DecisionKind, Entity, OutcomeStatus } from '../types.js';

export interface EnforcementRequest {
  caseId: string;
  clusterId: string;
  /** The cluster's score, for the moderator reading the platform's log. */
  score: number;
  entity: Entity;
  decision: DecisionKind;
  reason: string;
  /** Stable per (case, entity, decision): a platform that dedupes sees the same key on a retry. */
  idempotencyKey: string;
}

export interface EnforcementResult { status: OutcomeStatus; attempts: number; detail: string }

export interface EnforcementAdapter {
  readonly name: AdapterName;
  enforce(request: EnforcementRequest): Promise<EnforcementResult>;
}

/** The key a case's action on one entity carries wherever it goes. */
export function idempotencyKey(caseId: string, entity: { kind: string; id: string }, decision: DecisionKind): string {
  return `lockstep:${caseId}:${entity.kind}:${entity.id}:${decision}`;
}
