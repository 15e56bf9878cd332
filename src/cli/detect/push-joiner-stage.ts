/**
 * The push-joiner stage of `lockstep detect` (src/detect/push-joiners.ts): after clustering and the
 * expansion by signals, accounts in no cluster that joined a flagged cluster's exclusive push are
 * recruited into it, apart from the behaviour members:
 * - `accounts.csv` gets one row per joiner with score 0;
 * - `recruited.csv` lists it with signals `push:<trace>` and its p-value;
 * - `push-joiners.json` gives, per cluster id, `push_joiners`: each joiner, the pushes it joined
 *   (trace, object, members and joiners on it, times), λ and the p-value of the test. It sits beside
 *   `expansion.json` rather than inside `clusters.json`, which keeps behaviour members only and is
 *   never read back (it is streamed out, and is hundreds of MB at 10M events);
 * - `summary.json` gets `push_joiners` (accounts tested, candidates, recruited).
 * `--no-push-joiners` turns it off.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GROUP_TRACES } from '../../detect/pipeline.js';
import { pushJoiners } from '../../detect/push-joiners.js';
import type { PushJoinerOptions, PushJoinerResult } from '../../detect/push-joiners.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { csvField } from '../../detect/output/index.js';
import type { DetectSource } from './detect-source.js';

export interface PushJoinerSummary {
  enabled: boolean;
  note: string | null;
  accounts_tested: number;
  candidates: number;
  recruited_accounts: number;
}

export interface PushJoinerStageInput {
  dir: string;
  source: DetectSource;
  actorIds: readonly string[];
  traces: ReadonlyMap<TraceName, TraceData>;
  /** Flagged clusters, in the order of the other outputs: output id and members. */
  clusters: readonly { id: number; members: readonly number[] }[];
  /** Accounts already recruited (by account signals): not tested again. */
  recruited: readonly number[];
}

const EOL = '\r\n';
const round = (value: number, digits = 4): number => Number(value.toPrecision(digits));

/**
 * Runs the stage and writes its outputs (see the file comment); `off` (--no-push-joiners) writes
 * nothing and says so in the summary.
 * @example const summary = await runPushJoinerStage({ dir, source, actorIds, traces, clusters, recruited: [] });
 */
export async function runPushJoinerStage(input: PushJoinerStageInput, off = false, options: Partial<PushJoinerOptions> = {}): Promise<PushJoinerSummary> {
  return finishPushJoinerStage(input, await startPushJoiners(input, off, options));
}

/** Where the test runs: here by default; the CLI passes its second thread's (detect-thread.ts). */
export type PushJoinerRunner = (input: Parameters<typeof pushJoiners>[0], options: Partial<PushJoinerOptions>) => PushJoinerResult | Promise<PushJoinerResult>;

/**
 * The stage's test, started now: through `run` it can go on while the caller writes the other
 * outputs (it reads the traces and clusters only). Null when `off`.
 */
export async function startPushJoiners(input: PushJoinerStageInput, off = false, options: Partial<PushJoinerOptions> = {}, run: PushJoinerRunner = pushJoiners): Promise<PushJoinerResult | null> {
  if (off) return null;
  const traces = new Map<TraceName, TraceData>();
  for (const name of GROUP_TRACES) {
    const data = input.traces.get(name);
    if (data !== undefined) traces.set(name, data);
  }
  const exclude = new Uint8Array(input.actorIds.length);
  for (const account of input.recruited) exclude[account] = 1;
  return run({ actorCount: input.actorIds.length, clusters: input.clusters.map((cluster) => ({ members: cluster.members })), traces, exclude }, options);
}

/** Writes the stage's outputs (after accounts.csv is written: joiners are appended to it); `result` null: the stage was off. */
export async function finishPushJoinerStage(input: PushJoinerStageInput, result: PushJoinerResult | null): Promise<PushJoinerSummary> {
  if (result === null) return { enabled: false, note: 'turned off (--no-push-joiners)', accounts_tested: 0, candidates: 0, recruited_accounts: 0 };
  await writeJoiners(input, result);
  return { enabled: true, note: null, accounts_tested: result.tested, candidates: result.candidates, recruited_accounts: result.joiners.length };
}

async function writeJoiners(input: PushJoinerStageInput, result: PushJoinerResult): Promise<void> {
  if (result.joiners.length === 0) return;
  const idOf = (cluster: number): number => input.clusters[cluster]?.id ?? cluster;
  const account = (index: number): string => input.actorIds[index] ?? String(index);
  await appendFile(join(input.dir, 'accounts.csv'), result.joiners.map((joiner) => `${csvField(account(joiner.account))},${idOf(joiner.cluster)},0${EOL}`).join(''));
  await appendFile(join(input.dir, 'recruited.csv'), result.joiners.map((joiner) => {
    const traces = [...new Set(joiner.pushes.map((push) => push.trace))].map((trace) => `push:${trace}`).join('+');
    return `${csvField(account(joiner.account))},${idOf(joiner.cluster)},${traces},${round(joiner.pValue)}${EOL}`;
  }).join(''));
  // Object labels (post id, URL, hashtag) for the evidence.
  const labels = new Map<TraceName, Map<number, string>>();
  for (const joiner of result.joiners) {
    for (const push of joiner.pushes) {
      if (push.trace === 'near-duplicate' || labels.get(push.trace)?.has(push.key) === true) continue;
      const keys = result.joiners.flatMap((entry) => entry.pushes.filter((other) => other.trace === push.trace).map((other) => other.key));
      labels.set(push.trace, await input.source.keyLabels(push.trace, [...new Set(keys)]));
    }
  }
  const ids = [...new Set(result.joiners.map((joiner) => idOf(joiner.cluster)))].sort((a, b) => a - b);
  const reports = ids.map((id) => ({ id, push_joiners: [] as unknown[] }));
  const byId = new Map(reports.map((report) => [report.id, report]));
  for (const joiner of result.joiners) {
    const report = byId.get(idOf(joiner.cluster));
    if (report === undefined) continue;
    report.push_joiners.push({
      account_id: account(joiner.account),
      test: 'P(Poisson(expected) >= pushes joined); expected: its events on objects and times at random; kept by Benjamini-Hochberg over every account outside the clusters',
      pushes_joined: joiner.pushes.length,
      expected: round(joiner.expected),
      p_value: round(joiner.pValue),
      pushes: joiner.pushes.map((push) => ({
        trace: push.trace,
        object: push.trace === 'near-duplicate' ? `near-duplicate text group ${push.key}` : labels.get(push.trace)?.get(push.key) ?? String(push.key),
        members: push.members,
        joiners: push.joiners,
        first_member_action: new Date(push.start).toISOString(),
        last_member_action: new Date(push.end).toISOString(),
      })),
    });
  }
  await writeFile(join(input.dir, 'push-joiners.json'), `${JSON.stringify(reports, null, 2)}\n`);
}
