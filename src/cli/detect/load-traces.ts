/** Loads the requested traces from a store, in the shape detection takes. */
import type { DuckDbStore } from '../../store/index.js';
import { buildActorDictionary, exportTrace } from '../../store/duckdb/trace-export.js';
import type { ExportOptions } from '../../store/duckdb/trace-export.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { textTrace } from './text-trace.js';

export interface LoadedTraces {
  actorIds: string[];
  actorPlatforms: string[];
  traces: Map<TraceName, TraceData>;
  /** Traces asked for that the data cannot support (no events). */
  missing: TraceName[];
  /** Representative texts of near-duplicate groups, by key. */
  textSamples: Map<number, string>;
}

export async function loadTraces(store: DuckDbStore, names: readonly TraceName[], options: ExportOptions, onStage: (stage: string) => void): Promise<LoadedTraces> {
  onStage('accounts');
  const { ids, platforms } = await buildActorDictionary(store.connection, options);
  const traces = new Map<TraceName, TraceData>();
  const missing: TraceName[] = [];
  let textSamples = new Map<number, string>();
  for (const name of names) {
    onStage(`${name}: reading`);
    let data: TraceData | null;
    if (name === 'near-duplicate') {
      const text = await textTrace(store, ids.length, options);
      data = text?.data ?? null;
      textSamples = text?.samples ?? textSamples;
    } else {
      data = await exportTrace(store.connection, name, ids.length, options);
    }
    if (data === null || data.actor.length < 2) missing.push(name);
    else traces.set(name, data);
  }
  return { actorIds: ids, actorPlatforms: platforms, traces, missing, textSamples };
}
