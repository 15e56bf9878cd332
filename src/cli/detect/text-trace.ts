/** The near-duplicate text trace: texts from the store, MinHash groups in detect. */
import { nearDuplicateTrace } from '../../detect/traces/near-duplicate.js';
import type { TraceData } from '../../detect/traces/trace-names.js';
import { exportTexts } from '../../store/duckdb/trace-export.js';
import type { ExportOptions } from '../../store/duckdb/trace-export.js';
import type { DuckDbStore } from '../../store/index.js';

export async function textTrace(store: DuckDbStore, actorCount: number, options: ExportOptions): Promise<{ data: TraceData; samples: Map<number, string> } | null> {
  const texts = await exportTexts(store.connection, options);
  if (texts.text.length < 2) return null;
  const result = nearDuplicateTrace({ actor: texts.actor, time: texts.time, text: texts.text, actorCount });
  const events = result.events;
  // Each event is one of the input posts: carry that post's store row along for the evidence.
  const action = new Int32Array(events.actor.length);
  for (let i = 0; i < action.length; i++) action[i] = texts.action[result.source[i] ?? 0] ?? 0;
  return {
    data: { ...events, action },
    samples: new Map(result.groups.map((group) => [group.key, group.sample])),
  };
}
