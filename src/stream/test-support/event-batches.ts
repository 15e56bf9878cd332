/**
 * Tests' events sent to a PartitionWork as the partitioner sends them: numbered binary batches of
 * `size` events in arrival order, each account label and key sent with its first use, then the
 * end marker. Keys of trace -1 travel as a third trace the job does not keep.
 */
import type { PartitionWork } from '../distributed.js';
import { STREAM_TRACES } from '../extract.js';
import type { StreamTrace } from '../extract.js';
import { encodeBatch, encodeEnd } from '../wire-batch.js';

export interface TestEvent {
  actor: number;
  key: number;
  time: number;
}

/** Sends `events` (accounts named by `labels`, key k of `traces[keyTrace[k]]`) to `work` and ends it. */
export function sendEvents(work: PartitionWork, events: readonly TestEvent[], labels: readonly string[], keyTrace: readonly number[], traces: readonly StreamTrace[], size: number): void {
  const sentActor = new Map<number, number>();
  const sentKey = new Map<number, number>();
  let b = 0;
  for (let from = 0; from < events.length; from += size) {
    const part = events.slice(from, from + size);
    const newActors: string[] = [], newKeys: string[] = [], newKeyTraces: StreamTrace[] = [];
    const local = (map: Map<number, number>, id: number, add: () => void): number => {
      if (!map.has(id)) {
        map.set(id, map.size);
        add();
      }
      return map.get(id)!;
    };
    const actor = Int32Array.from(part, (e) => local(sentActor, e.actor, () => newActors.push(labels[e.actor]!)));
    const key = Int32Array.from(part, (e) => local(sentKey, e.key, () => {
      newKeys.push(`k${e.key}`);
      newKeyTraces.push(keyTrace[e.key]! >= 0 ? traces[keyTrace[e.key]!]! : STREAM_TRACES[2]!);
    }));
    work.add(encodeBatch({ b: b++, end: false, newActors, newKeys, newKeyTraces, count: part.length, actor, key, time: Float64Array.from(part, (e) => e.time) }));
  }
  work.add(encodeEnd(b));
}
