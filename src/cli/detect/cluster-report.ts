/** clusters.json: each cluster with its members, score, traces and evidence, labels resolved. */
import type { OrganicExplanation } from '../../detect/organic.js';
import type { DetectionResult } from '../../detect/pipeline.js';
import type { TraceName } from '../../detect/traces/trace-names.js';
import type { AttributionEvidence } from '../../signals/index.js';
import type { DetectSource } from './detect-source.js';
import { collectGarbage } from './release-memory.js';

export interface ClusterReport {
  id: number;
  /** False when an organic explanation (syndication, fandom) keeps the cluster out of accounts.csv. */
  flagged: boolean;
  organic_explanation: OrganicExplanation | null;
  size: number;
  score: number;
  members: { account_id: string; score: number }[];
  traces: { trace: TraceName; edges: number }[];
  density: number;
  median_shared_objects: number;
  median_delay_seconds: number | null;
  time_span: { first: string | null; last: string | null };
  top_shared_objects: { trace: TraceName; object: string; accounts: number; actions: number; first: string; last: string; posts: string[] }[];
  evidence: { a: string; b: string; trace: TraceName; object: string; post_a: string; post_b: string; delay_seconds: number }[];
  /** Account and infrastructure signals against the baseline (null when the data has no profiles or logins). */
  attribution: AttributionEvidence | null;
  /**
   * Members set aside from this cluster (an outlet's feeds beside it: see feedMembers), with the
   * cluster they were put in and why; empty when none were.
   */
  set_aside: { cluster: number; domain: string; accounts: string[]; reason: string }[];
}

/** Feeds set aside from cluster `from` into cluster `to` (setAsideFeeds). */
export interface SetAsideNote { from: number; to: number; domain: string; members: readonly number[]; reason: string }

const iso = (time: number): string => new Date(time).toISOString();
const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;

export async function clusterReports(source: DetectSource, result: DetectionResult, actorIds: readonly string[], textSamples: ReadonlyMap<number, string>,
  explanations: readonly (OrganicExplanation | null)[], keepOrganic: boolean, setAside: readonly SetAsideNote[] = []): Promise<ClusterReport[]> {
  // Resolve every label and post the reports name in one lookup per trace.
  collectGarbage();
  const wantedKeys = new Map<TraceName, number[]>();
  const wantedRows: number[] = [];
  // Appends in place: rebuilding the list per item was quadratic in the evidence size.
  const want = (trace: TraceName, key: number): void => {
    let keys = wantedKeys.get(trace);
    if (keys === undefined) wantedKeys.set(trace, (keys = []));
    keys.push(key);
  };
  for (const evidence of result.evidence) {
    for (const object of evidence.topObjects) {
      want(object.trace, object.key);
      wantedRows.push(...object.sampleActions);
    }
    for (const item of evidence.coActions) {
      want(item.trace, item.key);
      wantedRows.push(item.actionA, item.actionB);
    }
  }
  const labels = new Map<TraceName, Map<number, string>>();
  for (const [trace, keys] of wantedKeys) {
    labels.set(trace, trace === 'near-duplicate'
      ? new Map(keys.map((key) => [key, textSamples.get(key) ?? `text group ${key}`]))
      : await source.keyLabels(trace, keys));
  }
  const refs = await source.actionRefs(wantedRows);
  const label = (trace: TraceName, key: number): string => labels.get(trace)?.get(key) ?? String(key);
  const post = (row: number): string => refs.get(row)?.id ?? String(row);
  const attribution = source.attribution === undefined ? [] : await source.attribution(result.clusters.map((cluster) => cluster.members.map((member) => actorIds[member] ?? String(member))));
  // Attribution's baseline of every profile is garbage now.
  collectGarbage();
  return result.clusters.map((cluster, index) => {
    const evidence = result.evidence[index];
    const explanation = explanations[index] ?? null;
    return {
      id: cluster.id,
      flagged: keepOrganic || explanation === null,
      organic_explanation: explanation,
      size: cluster.members.length,
      score: round(cluster.score),
      members: cluster.members.map((member, i) => ({ account_id: actorIds[member] ?? String(member), score: round(cluster.memberScores[i] ?? 0) })),
      traces: cluster.traces,
      density: round(cluster.density),
      median_shared_objects: cluster.medianShared,
      median_delay_seconds: Number.isNaN(cluster.medianDelayMs) ? null : round(cluster.medianDelayMs / 1000, 1),
      time_span: {
        first: evidence !== undefined && Number.isFinite(evidence.firstTime) ? iso(evidence.firstTime) : null,
        last: evidence !== undefined && Number.isFinite(evidence.lastTime) ? iso(evidence.lastTime) : null,
      },
      top_shared_objects: (evidence?.topObjects ?? []).map((object) => ({
        trace: object.trace, object: label(object.trace, object.key), accounts: object.members, actions: object.actions,
        first: iso(object.firstTime), last: iso(object.lastTime), posts: object.sampleActions.map(post),
      })),
      evidence: (evidence?.coActions ?? []).map((item) => ({
        a: actorIds[item.a] ?? String(item.a), b: actorIds[item.b] ?? String(item.b), trace: item.trace, object: label(item.trace, item.key),
        post_a: post(item.actionA), post_b: post(item.actionB), delay_seconds: round(item.deltaMs / 1000, 1),
      })),
      attribution: attribution[index] ?? null,
      set_aside: setAside.filter((note) => note.from === cluster.id).map((note) => ({
        cluster: note.to, domain: note.domain, accounts: note.members.map((member) => actorIds[member] ?? String(member)), reason: note.reason,
      })),
    };
  });
}
