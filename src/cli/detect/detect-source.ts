/**
 * Where `lockstep detect` takes its data from: the traces, what organic explanations need to know
 * about clusters' members, and the labels and posts the reports name. Two adapters: the DuckDB
 * store (`--db`, and files in formats without a direct reader) and columns read straight from
 * files (src/cli/detect/coortweet-source.ts). Both must give the same answers for the same data
 * (detect-source.test.ts).
 */
import type { ClusterFacts } from '../../detect/organic.js';
import type { TraceName } from '../../detect/traces/trace-names.js';
import { clustersFacts } from '../../store/duckdb/cluster-facts.js';
import type { ClusterInput } from '../../store/duckdb/cluster-facts.js';
import { actionRefs, keyLabels } from '../../store/duckdb/trace-export.js';
import type { ExportOptions } from '../../store/duckdb/trace-export.js';
import type { DuckDbStore } from '../../store/index.js';
import type { AttributionEvidence } from '../../signals/index.js';
import { attributeFromStore } from '../commands/signals.js';
import type { KeyTimeHelper } from './key-time-order.js';
import { loadTraces } from './load-traces.js';
import { storeAccountFacts } from './store-account-facts.js';
import type { LoadedTraces } from './load-traces.js';

import type { AccountFacts } from '../../detect/expand-by-signals.js';
export type { ClusterInput } from '../../store/duckdb/cluster-facts.js';

/** A stored action as the reports name it. */
export interface ActionRef { id: string; time: number; kind: string }

export interface DetectSource {
  /** The traces asked for (events numbered by action row), accounts numbered densely; `helper`: a second thread for the columns' key-time ordering. */
  loadTraces(names: readonly TraceName[], options: ExportOptions, onStage: (stage: string) => void, helper?: KeyTimeHelper): Promise<LoadedTraces>;
  /** Facts about each cluster's members for the organic explanations (after loadTraces). */
  clustersFacts(clusters: readonly ClusterInput[]): Promise<ClusterFacts[]>;
  /** Labels (post id, URL, hashtag…) of keys of a trace loaded earlier. */
  keyLabels(trace: Exclude<TraceName, 'near-duplicate'>, keys: readonly number[]): Promise<Map<number, string>>;
  /** Id, time and kind of actions by the rows the traces carry. */
  actionRefs(rows: readonly number[]): Promise<Map<number, ActionRef>>;
  /** Actions in the source (the summary's input rows when no ingest report says). */
  actionCount(): Promise<number>;
  /** Attribution evidence per cluster (members' ids), when the source holds profiles or logins (src/signals). */
  attribution?(groups: readonly (readonly string[])[]): Promise<(AttributionEvidence | null)[]>;
  /** Per-account facts for the expansion by signals (after loadTraces), indexed like `actorIds`; absent when the source has no profiles. */
  accountFacts?(actorIds: readonly string[]): Promise<AccountFacts | null>;
  close(): Promise<void>;
}

/** The DuckDB store as a detect source. */
export function storeSource(store: DuckDbStore): DetectSource {
  return {
    loadTraces: (names, options, onStage) => loadTraces(store, names, options, onStage),
    clustersFacts: (clusters) => clustersFacts(store.connection, clusters),
    keyLabels: (trace, keys) => keyLabels(store.connection, trace, keys),
    actionRefs: (rows) => actionRefs(store.connection, rows),
    actionCount: async () => (await store.stats()).actions.reduce((sum, row) => sum + row.count, 0),
    attribution: (groups) => attributeFromStore(store.connection, groups),
    accountFacts: (actorIds) => storeAccountFacts(store.connection, actorIds),
    close: () => store.close(),
  };
}
