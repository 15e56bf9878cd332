/**
 * The workspace store port: users, cases, notes, decisions, outcomes and the audit log. The
 * embedded DuckDB store and PostgreSQL implement it, and both pass one contract suite
 * (workspace-contract.ts).
 */
import type { AuditEntry, AuditInput, CaseRecord, CaseStatus, Decision, Entity, Note, Outcome, Role, User } from './types.js';

export interface CaseFilter { status?: CaseStatus; assignee?: string; clusterId?: string }

export interface WorkspaceStore {
  addUser(user: User & { tokenHash: string }): Promise<void>;
  /** Null when no user holds a token with this hash. */
  userByTokenHash(tokenHash: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  setUserRole(name: string, role: Role): Promise<boolean>;

  insertCase(record: CaseRecord, entities: readonly Entity[]): Promise<void>;
  getCase(id: string): Promise<CaseRecord | null>;
  listCases(filter: CaseFilter): Promise<CaseRecord[]>;
  updateCase(record: CaseRecord): Promise<void>;
  caseEntities(caseId: string): Promise<Entity[]>;

  addNote(note: Note): Promise<void>;
  notes(caseId: string): Promise<Note[]>;

  /** Appends decisions; the latest per entity is the one in force. */
  addDecisions(decisions: readonly Decision[]): Promise<void>;
  /** The decision in force per entity of the case. */
  decisions(caseId: string): Promise<Decision[]>;

  addOutcome(outcome: Outcome): Promise<void>;
  outcomes(caseId: string): Promise<Outcome[]>;

  /**
   * Appends to the audit log: numbers the entries, chains each hash to the previous one and moves
   * the log's head, atomically (concurrent writers are serialised).
   */
  appendAudit(entries: readonly AuditInput[]): Promise<AuditEntry[]>;
  audit(query: { caseId?: string; limit: number; offset: number }): Promise<{ items: AuditEntry[]; total: number }>;
  /** Every entry in stored order (by seq), for verification. */
  allAudit(): Promise<AuditEntry[]>;
  /** The head the log recorded last (entries and last hash), null for an empty log. */
  auditHead(): Promise<{ count: number; hash: string } | null>;

  close(): Promise<void>;
}
