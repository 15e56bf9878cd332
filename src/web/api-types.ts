/** The shapes of docs/api-v1.md as the UI reads them (the server's OpenAPI document is the authority). */
import type { AdapterName, CaseRecord, DecisionKind, Entity, EntityRef, Role } from '../cases/types.js';

// The case vocabulary is the server's own (type-only imports: nothing of it reaches the bundle).
export type { AdapterName, CaseStatus, DecisionKind, Entity, EntityKind, EntityRef, Role } from '../cases/types.js';

export interface Me { name: string; role: Role }

export interface Page<T> { items: T[]; total: number }

export interface ClusterSummary {
  id: string;
  score: number;
  size: number;
  traces: string[];
  topKeys: string[];
  firstTime: number | null;
  lastTime: number | null;
  caseId: string | null;
  organic: string | null;
  /** False for a cluster kept with an organic explanation (not flagged as a campaign). */
  flagged?: boolean;
}

export interface Member { accountId: string; handle: string | null; actions: number; degree: number; attachment: number }
export interface Edge { source: string; target: string; weight: number; traces: Record<string, number> }
export interface TimelineBucket { time: number; trace: string; coActions: number }

export interface ClusterDetail extends ClusterSummary {
  members: Member[];
  edges: Edge[];
  timeline: TimelineBucket[];
  evidence: unknown;
}

export interface PostRef { actionId: string; accountId: string; time: number; kind: string; text: string | null; urls: string[] }
export interface SharedAction { trace: string; key: string; a: PostRef; b: PostRef; deltaSeconds: number }

export interface AccountDetail {
  account: Record<string, unknown> | null;
  actions: number;
  firstTime: number | null;
  lastTime: number | null;
  clusters: string[];
  signals: Record<string, unknown> | null;
  recent: PostRef[];
}

export type Case = CaseRecord;

export interface Note { id: string; caseId?: string; author: string; text: string; time: number }
export interface Decision { entity: EntityRef; decision: DecisionKind; reason: string; author?: string; time?: number }
export interface Outcome {
  entity: EntityRef;
  decision: DecisionKind;
  adapter: AdapterName;
  status: 'done' | 'failed' | 'skipped';
  attempts: number;
  detail: string;
  time: number;
}

export interface CaseDetail extends Case { entities: Entity[]; notes: Note[]; decisions: Decision[]; outcomes: Outcome[] }

export interface DecisionResult { dryRun: boolean; decisions: Decision[]; changes: { entity: EntityRef; from: string | null; to: string }[] }
export interface ActionResult { dryRun: boolean; outcomes: Outcome[] }

export interface AuditEntry { seq: number; time: number; actor: string; action: string; subject: string; caseId?: string | null; payload: unknown; prevHash: string; hash: string }

export interface ApiErrorBody { error: { code: string; message: string; details?: unknown } }
