/**
 * The expansion stage of `lockstep detect`: after clustering, accounts in no cluster that share a
 * flagged cluster's core signature (creation burst, client, handle template, a behavioural tie;
 * src/detect/expand-by-signals.ts) are recruited into it, and kept apart from the members found by
 * behaviour so a reviewer sees which is which:
 * - `accounts.csv` gets one row per recruit with score 0 (behaviour members keep their scores);
 * - `recruited.csv` lists each recruit with the signals that recruited it;
 * - `expansion.json` holds every flagged cluster's signature, base rates and test;
 * - `summary.json` gets `recruited_accounts` and `expansion` (its counts).
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpandOptions, ExpansionResult, SignaturePart } from '../../detect/expand-by-signals.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { csvField } from '../../detect/output/index.js';
import type { DetectSource } from './detect-source.js';

/** What the stage adds to summary.json. */
export interface ExpansionSummary {
  enabled: boolean;
  /** Why nothing was tried (no profiles in the input, turned off). */
  note: string | null;
  clusters_tested: number;
  clusters_expanded: number;
  recruited_accounts: number;
}

export interface ExpansionStageInput {
  source: DetectSource;
  actorIds: readonly string[];
  traces: ReadonlyMap<TraceName, TraceData>;
  /** Flagged clusters: output id and members (dense account ids). */
  clusters: readonly { id: number; members: readonly number[] }[];
}

// accounts.csv is CRLF-terminated (detect/output/tables.ts); appended rows must be too, or a CSV
// reader that takes the line ending from the first record reads them as one record.
const EOL = '\r\n';
const round = (value: number, digits = 6): number => Number(value.toPrecision(digits));

/**
 * Runs the expansion (null when the source has no per-account facts).
 * @example const expansion = await runExpansion({ source, actorIds, traces: loaded.traces, clusters });
 */
export async function runExpansion(input: ExpansionStageInput, options: Partial<ExpandOptions> = {}): Promise<ExpansionResult | null> {
  if (input.source.accountFacts === undefined) return null;
  const facts = await input.source.accountFacts(input.actorIds);
  if (facts === null) return null;
  const { expandBySignals } = await import('../../detect/expand-by-signals.js');
  return expandBySignals({ actorCount: input.actorIds.length, facts, clusters: input.clusters, traces: [...input.traces.values()] }, options);
}

function partJson(part: SignaturePart): Record<string, unknown> {
  return { signal: part.name, base_rate: round(part.baseRate), core: part.core, of: part.of, detail: part.detail };
}

/**
 * Writes the stage's outputs beside the others (see the file comment) and returns the summary.
 * `clusters` are the same flagged clusters, in the same order, the expansion ran on.
 */
export async function writeExpansionOutputs(dir: string, expansion: ExpansionResult | null, clusters: readonly { id: number }[], actorIds: readonly string[], note: string | null): Promise<ExpansionSummary> {
  if (expansion === null) {
    await writeFile(join(dir, 'recruited.csv'), `account_id,cluster_id,signals,chance${EOL}`);
    return { enabled: false, note: note ?? 'no per-account facts from this input: Information Operations archive files read directly give them; a store (--db, --via-store) does not yet', clusters_tested: 0, clusters_expanded: 0, recruited_accounts: 0 };
  }
  const idOf = (index: number): number => clusters[index]?.id ?? index;
  const rows = expansion.recruits.map((recruit) => ({ account: actorIds[recruit.account] ?? String(recruit.account), cluster: idOf(recruit.cluster), recruit }));
  if (rows.length > 0) await appendFile(join(dir, 'accounts.csv'), rows.map((row) => `${csvField(row.account)},${row.cluster},0${EOL}`).join(''));
  await writeFile(join(dir, 'recruited.csv'), `account_id,cluster_id,signals,chance${EOL}${rows.map((row) => `${csvField(row.account)},${row.cluster},${row.recruit.signals.join('+')},${round(row.recruit.chance, 4)}${EOL}`).join('')}`);
  const report = expansion.clusters.map((entry) => ({
    cluster_id: idOf(entry.cluster),
    skipped: entry.skipped,
    signature: entry.parts.map(partJson),
    candidates: entry.candidates,
    identity_matches: entry.identity,
    matched: entry.matched,
    expected_by_chance: round(entry.expected, 4),
    p_value: round(entry.pValue, 4),
    accepted: entry.accepted,
    recruited: entry.recruits.map((recruit) => ({ account_id: actorIds[recruit.account] ?? String(recruit.account), signals: recruit.signals, chance: round(recruit.chance, 4) })),
  }));
  await writeFile(join(dir, 'expansion.json'), `${JSON.stringify({
    note: 'Accounts recruited by account signals into a cluster found by behaviour: guilt by association, for review. Behaviour members are in clusters.json; recruits have score 0 in accounts.csv.',
    clusters: report,
  }, null, 2)}\n`);
  return {
    enabled: true, note,
    clusters_tested: expansion.clusters.filter((entry) => entry.skipped === null).length,
    clusters_expanded: expansion.clusters.filter((entry) => entry.recruits.length > 0).length,
    recruited_accounts: expansion.recruits.length,
  };
}
