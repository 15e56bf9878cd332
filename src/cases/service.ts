/**
 * The case service: a detected cluster becomes a case; assignment, notes, transitions,
 * per-entity and bulk decisions (with a dry run), enforcement through the adapters. Every change
 * is written to the audit log in the same call; a dry run changes nothing and writes nothing.
 */
import { idempotencyKey } from './enforce/port.js';
import type { EnforcementAdapter } from './enforce/port.js';
import { caseBadRequest, caseConflict, caseForbidden, caseNotFound } from './errors.js';
import type { CaseFilter, WorkspaceStore } from './port.js';
import { actionsAllowed, decisionsOpen, transitionProblem, transitionRole } from './state.js';
import { roleAllows } from './types.js';
import type { AdapterName, AuditInput, CaseRecord, CaseStatus, Decision, DecisionKind, Entity, EntityRef, Note, Outcome, User } from './types.js';

/** Where cases come from: the clusters of the latest detection run. */
export interface ClusterSource {
  clusterForCase(clusterId: string): Promise<{ score: number; entities: Entity[] } | null>;
  clusterScore(clusterId: string): Promise<number | null>;
}

export interface CaseServiceDeps {
  store: WorkspaceStore;
  clusters: ClusterSource;
  adapters: Partial<Record<AdapterName, EnforcementAdapter>>;
  now: () => number;
  newId: () => string;
}

export interface CaseDetail extends CaseRecord { entities: Entity[]; notes: Note[]; decisions: Decision[]; outcomes: Outcome[] }
export interface DecisionChange { entity: EntityRef; from: DecisionKind | null; to: DecisionKind }
export interface DecideRequest { entities: readonly EntityRef[] | 'all'; decision: DecisionKind; reason: string; dryRun: boolean }

const entityKey = (entity: EntityRef): string => `${entity.kind}\u0000${entity.id}`;

export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  private audit(actor: User, action: string, record: { id: string } | null, payload: unknown, subject?: string): AuditInput {
    return { time: this.deps.now(), actor: actor.name, action, subject: subject ?? (record === null ? 'workspace' : `case:${record.id}`), caseId: record?.id ?? null, payload };
  }

  private async mustGet(id: string): Promise<CaseRecord> {
    const record = await this.deps.store.getCase(id);
    if (record === null) throw caseNotFound(`case ${id}`);
    return record;
  }

  /** Opens a case on a cluster of the latest run; one case at a time per cluster (until closed). */
  async open(actor: User, input: { clusterId: string; title?: string }): Promise<CaseRecord> {
    const cluster = await this.deps.clusters.clusterForCase(input.clusterId);
    if (cluster === null) throw caseNotFound(`cluster ${input.clusterId}`);
    const existing = (await this.deps.store.listCases({ clusterId: input.clusterId })).find((record) => record.status !== 'closed');
    if (existing !== undefined) throw caseConflict(`cluster ${input.clusterId} already has case ${existing.id} (${existing.status})`);
    const now = this.deps.now();
    const record: CaseRecord = {
      id: this.deps.newId(), clusterId: input.clusterId, title: input.title?.trim() || `Cluster ${input.clusterId}: ${cluster.entities.length} accounts, score ${cluster.score.toFixed(2)}`,
      status: 'open', assignee: null, createdAt: now, updatedAt: now,
    };
    await this.deps.store.insertCase(record, cluster.entities);
    await this.deps.store.appendAudit([this.audit(actor, 'case.open', record, { clusterId: record.clusterId, title: record.title, entities: cluster.entities.length, score: cluster.score })]);
    return record;
  }

  list(filter: CaseFilter): Promise<CaseRecord[]> {
    return this.deps.store.listCases(filter);
  }

  async detail(id: string): Promise<CaseDetail> {
    const record = await this.mustGet(id);
    const [entities, notes, decisions, outcomes] = await Promise.all([
      this.deps.store.caseEntities(id), this.deps.store.notes(id), this.deps.store.decisions(id), this.deps.store.outcomes(id),
    ]);
    return { ...record, entities, notes, decisions, outcomes };
  }

  async transition(actor: User, id: string, input: { to: CaseStatus; appeal?: boolean; reason?: string }): Promise<CaseRecord> {
    const record = await this.mustGet(id);
    const needed = transitionRole(record.status, input.to);
    if (!roleAllows(actor.role, needed)) throw caseForbidden(`moving a case from '${record.status}' to '${input.to}' needs the ${needed} role`);
    const problem = transitionProblem({ from: record.status, to: input.to, appeal: input.appeal === true, reason: input.reason ?? null });
    if (problem !== null) throw caseConflict(problem);
    if (input.to === 'decided' && (await this.deps.store.decisions(id)).length === 0) throw caseConflict('a case is decided once at least one entity has a decision');
    const updated = { ...record, status: input.to, updatedAt: this.deps.now() };
    await this.deps.store.updateCase(updated);
    await this.deps.store.appendAudit([this.audit(actor, input.appeal === true ? 'case.appeal' : 'case.transition', record,
      { from: record.status, to: input.to, reason: input.reason ?? null })]);
    return updated;
  }

  async assign(actor: User, id: string, assignee: string | null): Promise<CaseRecord> {
    const record = await this.mustGet(id);
    if (record.status === 'closed') throw caseConflict('a closed case cannot be assigned; appeal reopens it');
    const updated = { ...record, assignee, updatedAt: this.deps.now() };
    await this.deps.store.updateCase(updated);
    await this.deps.store.appendAudit([this.audit(actor, 'case.assign', record, { from: record.assignee, to: assignee })]);
    return updated;
  }

  async addNote(actor: User, id: string, text: string): Promise<Note> {
    const record = await this.mustGet(id);
    if (text.trim() === '') throw caseBadRequest('text: a note needs text');
    const note: Note = { id: this.deps.newId(), caseId: record.id, author: actor.name, text, time: this.deps.now() };
    await this.deps.store.addNote(note);
    await this.deps.store.appendAudit([this.audit(actor, 'case.note', record, { noteId: note.id, text })]);
    return note;
  }

  /**
   * Decides for some entities of the case or all of them. A dry run answers what would change
   * and writes nothing; a real run records one decision and one audit entry per entity.
   */
  async decide(actor: User, id: string, request: DecideRequest): Promise<{ dryRun: boolean; decisions: Decision[]; changes: DecisionChange[] }> {
    const record = await this.mustGet(id);
    if (!decisionsOpen(record.status)) throw caseConflict(`decisions are made before a case is actioned; this one is '${record.status}' (an appeal reopens it)`);
    if (request.reason.trim() === '') throw caseBadRequest('reason: a decision needs a reason');
    const entities = await this.deps.store.caseEntities(id);
    const known = new Map(entities.map((entity) => [entityKey(entity), entity]));
    let targets: EntityRef[];
    if (request.entities === 'all') targets = entities.map(({ kind, id: entityId }) => ({ kind, id: entityId }));
    else {
      const unknown = request.entities.filter((entity) => !known.has(entityKey(entity)));
      if (unknown.length > 0) throw caseBadRequest(`entities: ${unknown.slice(0, 5).map((entity) => `${entity.kind} ${entity.id}`).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} not in case ${id}`);
      const seen = new Set<string>();
      targets = request.entities.filter((entity) => !seen.has(entityKey(entity)) && seen.add(entityKey(entity)) !== undefined).map(({ kind, id: entityId }) => ({ kind, id: entityId }));
    }
    if (targets.length === 0) throw caseBadRequest('entities: none given');
    const current = new Map((await this.deps.store.decisions(id)).map((decision) => [entityKey(decision.entity), decision.decision]));
    const time = this.deps.now();
    const decisions: Decision[] = targets.map((entity) => ({ caseId: id, entity, decision: request.decision, reason: request.reason, author: actor.name, time }));
    const changes: DecisionChange[] = targets.map((entity) => ({ entity, from: current.get(entityKey(entity)) ?? null, to: request.decision }));
    if (request.dryRun) return { dryRun: true, decisions, changes };
    await this.deps.store.addDecisions(decisions);
    await this.deps.store.appendAudit(decisions.map((decision, i) => this.audit(actor, 'decision', record,
      { entity: decision.entity, decision: decision.decision, from: changes[i]?.from ?? null, reason: decision.reason, bulk: targets.length > 1 })));
    return { dryRun: false, decisions, changes };
  }

  /**
   * Enforces the decisions in force through one adapter, entity by entity. Idempotent: an entity
   * already done with this decision on this adapter is skipped. A dry run lists what would be sent.
   * A decided case whose actions all went through becomes actioned.
   */
  async act(actor: User, id: string, request: { adapter: AdapterName; dryRun: boolean }): Promise<{ dryRun: boolean; outcomes: Outcome[] }> {
    const record = await this.mustGet(id);
    if (!actionsAllowed(record.status)) throw caseConflict(`actions run on decided cases; this one is '${record.status}'`);
    const adapter = this.deps.adapters[request.adapter];
    if (adapter === undefined) throw caseBadRequest(`adapter: '${request.adapter}' is not configured on this server (see lockstep serve --help)`);
    const [decisions, outcomes, entities] = await Promise.all([this.deps.store.decisions(id), this.deps.store.outcomes(id), this.deps.store.caseEntities(id)]);
    const handles = new Map(entities.map((entity) => [entityKey(entity), entity.handle]));
    const done = new Set(outcomes.filter((outcome) => outcome.status === 'done' && outcome.adapter === request.adapter).map((outcome) => `${entityKey(outcome.entity)}\u0000${outcome.decision}`));
    const score = (await this.deps.clusters.clusterScore(record.clusterId)) ?? 0;
    const results: Outcome[] = [];
    if (!request.dryRun) await this.deps.store.appendAudit([this.audit(actor, 'action.run', record, { adapter: request.adapter, decisions: decisions.length })]);
    for (const decision of decisions) {
      const base = { caseId: id, entity: decision.entity, decision: decision.decision, adapter: request.adapter };
      if (done.has(`${entityKey(decision.entity)}\u0000${decision.decision}`)) {
        results.push({ ...base, status: 'skipped', attempts: 0, detail: 'already done', time: this.deps.now() });
        continue;
      }
      if (request.dryRun) {
        results.push({ ...base, status: 'skipped', attempts: 0, detail: `dry run: would send ${decision.decision} to ${request.adapter}`, time: this.deps.now() });
        continue;
      }
      const result = await adapter.enforce({
        caseId: id, clusterId: record.clusterId, score, reason: decision.reason, decision: decision.decision,
        entity: { ...decision.entity, handle: handles.get(entityKey(decision.entity)) ?? null }, idempotencyKey: idempotencyKey(id, decision.entity, decision.decision),
      });
      const outcome: Outcome = { ...base, ...result, time: this.deps.now() };
      results.push(outcome);
      await this.deps.store.addOutcome(outcome);
      await this.deps.store.appendAudit([this.audit(actor, 'action.outcome', record, { entity: outcome.entity, decision: outcome.decision, adapter: outcome.adapter, status: outcome.status, attempts: outcome.attempts, detail: outcome.detail })]);
    }
    if (!request.dryRun && record.status === 'decided' && results.length > 0 && results.every((outcome) => outcome.status !== 'failed')) {
      await this.deps.store.updateCase({ ...record, status: 'actioned', updatedAt: this.deps.now() });
      await this.deps.store.appendAudit([this.audit(actor, 'case.transition', record, { from: 'decided', to: 'actioned', reason: `actions through ${request.adapter} went through` })]);
    }
    return { dryRun: request.dryRun, outcomes: results };
  }
}
