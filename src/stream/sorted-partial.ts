/**
 * A partial's pair rows in the order the coordinator merges without hashing (pair-merge.ts): a
 * partition's accounts numbered in label order, so its ids map onto the job's ids (label ranks)
 * in the same order, and its rows grouped by the first account of the pair, ascending (the
 * kernel's groupByFirstActor). The coordinator then walks the job's accounts once, taking each
 * partial's run of rows for that account, instead of scattering every row into hash buckets.
 */
import type { TraceEvents } from '../detect/kernel/index.js';

/**
 * The accounts sorted by label (code-unit order, as assemblePartials ranks them) and every trace's
 * events renumbered to match. The kernel's sums do not depend on the numbering: each pair's
 * co-actions come in the same (key, time) order either way.
 */
export function inLabelOrder<Trace>(actors: readonly string[], traces: readonly { trace: Trace; events: TraceEvents }[]): { actors: string[]; traces: { trace: Trace; events: TraceEvents }[] } {
  const order = labelOrder(actors);
  if (order.every((id, rank) => id === rank)) return { actors: actors.slice(), traces: traces.slice() };
  const rank = new Int32Array(actors.length);
  for (let r = 0; r < order.length; r++) rank[order[r]!] = r;
  return {
    actors: Array.from(order, (id) => actors[id]!),
    traces: traces.map((entry) => {
      const { events } = entry, from = events.actor, actor = new Int32Array(from.length);
      for (let i = 0; i < from.length; i++) actor[i] = rank[from[i]!]!;
      // Literals, not spreads: a spread's object map lives only while objects of it do, so the
      // warm-up's died before a job and the job's first call bailed out here on a new one.
      return { trace: entry.trace, events: { actor, key: events.key, time: events.time, actorCount: events.actorCount, keyCount: events.keyCount } };
    }),
  };
}

/** Code units of a label packed into its sort key, after the labels' common prefix. */
const KEY_UNITS = 4;
/** Bits of a label's place below its key in one float (2^21 labels; more sort by comparing). */
const PLACE_BITS = 21;
const PLACES = 2 ** PLACE_BITS;
/** Runs up to this length sort by comparing. */
const SHORT_RUN = 16;

/**
 * The labels' indexes in code-unit order. A comparator over a partition's 20k labels ('bluesky NUL
 * did:plc:…', a long common prefix) took 25-50 ms; instead the 4 code units after the labels'
 * common prefix, each as unit + 1 below 127 (0 past the end; a unit of 127 or more as 128, which
 * also ends the key so that no later unit decides), go into a float with the label's place below
 * them, which sorts natively. Labels whose keys tie sort the same way on their next units, or by
 * comparing when a key had an end or a large unit in it.
 */
export function labelOrder(labels: readonly string[]): Int32Array {
  const order = new Int32Array(labels.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  sortRun(labels, order, 0, order.length, 0);
  return order;
}

/** Sorts order[from, end), whose labels agree on their first `depth` code units. */
function sortRun(labels: readonly string[], order: Int32Array, from: number, end: number, depth: number): void {
  const n = end - from;
  if (n < 2) return;
  if (n <= SHORT_RUN) return insertionSort(labels, order, from, end);
  if (n >= PLACES) {
    order.subarray(from, end).sort((x, y) => (labels[x]! < labels[y]! ? -1 : labels[x]! > labels[y]! ? 1 : 0));
    return;
  }
  const first = labels[order[from]!]!;
  let common = first.length;
  for (let r = from; r < end; r++) {
    const label = labels[order[r]!]!;
    let c = depth;
    while (c < common && c < label.length && label.charCodeAt(c) === first.charCodeAt(c)) c++;
    common = c;
  }
  const packed = new Float64Array(n);
  for (let r = 0; r < n; r++) packed[r] = unitsKey(labels[order[from + r]!]!, common) * PLACES + r;
  packed.sort();
  const ids = order.slice(from, end);
  for (let r = 0; r < n; r++) order[from + r] = ids[packed[r]! % PLACES]!;
  for (let r = 0; r < n;) {
    const key = Math.floor(packed[r]! / PLACES);
    let tie = r + 1;
    while (tie < n && Math.floor(packed[tie]! / PLACES) === key) tie++;
    if (tie - r > 1) {
      if (plainUnits(labels[order[from + r]!]!, common)) sortRun(labels, order, from + r, from + tie, common + KEY_UNITS);
      else insertionSort(labels, order, from + r, from + tie);
    }
    r = tie;
  }
}

/**
 * Short runs, and runs whose keys end early (rare: identical labels, units of 127 and above). A
 * typed array's sort with a comparator cost about 20 µs a call, thousands of calls a partition.
 */
function insertionSort(labels: readonly string[], order: Int32Array, from: number, end: number): void {
  for (let r = from + 1; r < end; r++) {
    const id = order[r]!, label = labels[id]!;
    let to = r;
    while (to > from && labels[order[to - 1]!]! > label) {
      order[to] = order[to - 1]!;
      to--;
    }
    order[to] = id;
  }
}

function unitsKey(label: string, at: number): number {
  let key = 0, ended = false;
  for (let u = at; u < at + KEY_UNITS; u++) {
    const unit = ended || u >= label.length ? 0 : Math.min(label.charCodeAt(u) + 1, 128);
    if (unit === 128) ended = true;
    key = key * 129 + unit;
  }
  return key;
}

/** Whether the label has KEY_UNITS units from `at`, all below 127 (its key then says all of them). */
function plainUnits(label: string, at: number): boolean {
  if (label.length < at + KEY_UNITS) return false;
  for (let u = at; u < at + KEY_UNITS; u++) if (label.charCodeAt(u) >= 127) return false;
  return true;
}
