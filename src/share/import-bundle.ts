/**
 * `share import`: a partner's bundle matched against the store, and a case opened on what matched
 * (entities strongest first; a note lists, per entity, what matched, how and how strongly; the
 * audit log records the import). Nothing matched opens nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CaseRecord, Entity, WorkspaceStore } from '../cases/index.js';
import { matchTerms } from './match.js';
import type { MatchedEntity } from './match.js';
import { bundleTerms } from './partner-bundle.js';
import type { NotUnderstood } from './partner-bundle.js';

export interface MatchReport {
  bundleId: string;
  producer: string | null;
  objects: number;
  terms: number;
  notUnderstood: NotUnderstood[];
  matched: MatchedEntity[];
  caseId: string | null;
}

export interface ImportOptions {
  /** Who imports (the audit log's actor). */
  actor?: string;
  minStrength?: number;
  now?: () => number;
  newId?: () => string;
}

export const IMPORT_DEFAULTS: Required<ImportOptions> = {
  actor: 'share-import', minStrength: 0, now: () => Date.now(), newId: () => randomUUID(),
};

/** The per-entity reasons as the case note shows them. */
export function describeMatches(report: Pick<MatchReport, 'matched' | 'producer' | 'bundleId'>): string {
  const lines = [`Partner indicators from ${report.producer ?? 'an unnamed partner'} (bundle ${report.bundleId}): ${report.matched.length} local entit${report.matched.length === 1 ? 'y' : 'ies'} matched.`];
  for (const entity of report.matched) {
    lines.push(`- ${entity.kind} ${entity.platform}:${entity.id}${entity.handle === null ? '' : ` (@${entity.handle})`}, strength ${entity.strength.toFixed(2)}:`);
    for (const reason of entity.reasons) lines.push(`    ${reason.how} [${reason.kind}, weight ${reason.weight.toFixed(2)}, from ${reason.label}]`);
  }
  return lines.join('\n');
}

/**
 * Matches a parsed bundle against the store and opens a case on the matches.
 * @example const report = await importBundle(store.connection, workspace, JSON.parse(text), { actor: 'alice' });
 */
export async function importBundle(connection: DuckDBConnection, workspace: WorkspaceStore, bundle: unknown, options: ImportOptions = {}): Promise<MatchReport> {
  const settings = { ...IMPORT_DEFAULTS, ...options };
  const partner = bundleTerms(bundle);
  const matched = await matchTerms(connection, partner.terms, { minStrength: settings.minStrength });
  const report: MatchReport = {
    bundleId: partner.bundleId, producer: partner.producer, objects: partner.objects, terms: partner.terms.length,
    notUnderstood: partner.notUnderstood, matched, caseId: null,
  };
  if (matched.length === 0) return report;
  const now = settings.now();
  const record: CaseRecord = {
    id: settings.newId(), clusterId: `import:${partner.bundleId}`, status: 'open', assignee: null, createdAt: now, updatedAt: now,
    title: `Partner indicators (${partner.producer ?? 'partner'}): ${matched.length} matching entit${matched.length === 1 ? 'y' : 'ies'}`,
  };
  const entities: Entity[] = matched.map((entity) => ({ kind: entity.kind, id: entity.id, handle: entity.handle }));
  await workspace.insertCase(record, entities);
  await workspace.addNote({ id: settings.newId(), caseId: record.id, author: settings.actor, text: describeMatches(report), time: now });
  await workspace.appendAudit([{
    time: now, actor: settings.actor, action: 'case.open', subject: `case:${record.id}`, caseId: record.id,
    payload: {
      source: 'share-import', bundle: partner.bundleId, producer: partner.producer, terms: partner.terms.length, notUnderstood: partner.notUnderstood.length,
      matched: matched.map((entity) => ({ kind: entity.kind, platform: entity.platform, id: entity.id, strength: Number(entity.strength.toFixed(4)), reasons: entity.reasons.map((reason) => reason.kind) })),
    },
  }]);
  return { ...report, caseId: record.id };
}
