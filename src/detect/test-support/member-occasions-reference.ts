/**
 * The first, obvious memberOccasions (a map of event lists per (cluster, key), a sorted copy of
 * everybody's times per key): the property test's oracle for the one that reads each key's run in place.
 */
import type { TraceData, TraceName } from '../traces/trace-names.js';
import { MEMBER_OCCASION_DEFAULTS, OCCASION_GAP_MS } from '../explain.js';
import type { MemberOccasionOptions } from '../explain.js';

function countBetween(values: Float64Array | number[], low: number, high: number): number {
  let count = 0;
  for (const value of values) if (value >= low && value <= high) count++;
  return count;
}

export function memberOccasionsReference(
  clusterOf: Int32Array,
  traces: ReadonlyMap<TraceName, TraceData>,
  windows: ReadonlyMap<TraceName, number>,
  options?: Partial<MemberOccasionOptions>,
): Int32Array {
  const opts = { ...MEMBER_OCCASION_DEFAULTS, ...options };
  const timesOf = new Map<number, number[]>();
  for (const [trace, data] of traces) {
    const window = Math.max(windows.get(trace) ?? 0, opts.occasionWindowMs);
    // (cluster, key) → members' events on the key.
    const groups = new Map<number, number[]>();
    for (let event = 0; event < data.actor.length; event++) {
      const cluster = clusterOf[data.actor[event] ?? 0] ?? -1;
      if (cluster < 0) continue;
      const id = cluster * data.keyCount + (data.key[event] ?? 0);
      let group = groups.get(id);
      if (group === undefined) groups.set(id, (group = []));
      group.push(event);
    }
    const wanted = new Map<number, number[]>();
    for (const [id, events] of groups) {
      const first = data.actor[events[0] ?? 0];
      if (!events.some((event) => data.actor[event] !== first)) {
        groups.delete(id);
        continue;
      }
      wanted.set(data.key[events[0] ?? 0] ?? 0, []);
    }
    // Everybody's event times on those keys, sorted.
    for (let event = 0; event < data.key.length; event++) wanted.get(data.key[event] ?? 0)?.push(data.time[event] ?? 0);
    const everybody = new Map<number, Float64Array>();
    for (const [key, times] of wanted) everybody.set(key, Float64Array.from(times).sort());
    for (const events of groups.values()) {
      events.sort((x, y) => (data.time[x] ?? 0) - (data.time[y] ?? 0));
      const times = events.map((event) => data.time[event] ?? 0);
      const all = everybody.get(data.key[events[0] ?? 0] ?? 0) ?? new Float64Array(0);
      for (let i = 0; i < events.length; i++) {
        const actor = data.actor[events[i] ?? 0] ?? 0;
        const time = times[i] ?? 0;
        let partner = false;
        for (let j = i - 1; j >= 0 && time - (times[j] ?? 0) <= window && !partner; j--) partner = data.actor[events[j] ?? 0] !== actor;
        for (let j = i + 1; j < events.length && (times[j] ?? 0) - time <= window && !partner; j++) partner = data.actor[events[j] ?? 0] !== actor;
        if (!partner) continue;
        const members = countBetween(times, time - window, time + window);
        if (members < opts.ownShare * countBetween(all, time - window, time + window)) continue;
        let list = timesOf.get(actor);
        if (list === undefined) timesOf.set(actor, (list = []));
        list.push(time);
      }
    }
  }
  const occasions = new Int32Array(clusterOf.length);
  for (const [actor, times] of timesOf) {
    times.sort((x, y) => x - y);
    let last = -Infinity;
    for (const time of times) {
      if (time - last > OCCASION_GAP_MS) occasions[actor] = (occasions[actor] ?? 0) + 1;
      last = time;
    }
  }
  return occasions;
}
