/**
 * A partial's pair rows in the order the coordinator merges without hashing (pair-merge.ts): a
 * partition's accounts numbered in label order, so its ids map onto the job's ids (label ranks)
 * in the same order, and its rows grouped by the first account of the pair, ascending (the
 * kernel's groupByFirstActor). The coordinator then walks the job's accounts once, taking each
 * partial's run of rows for that account, instead of scattering every row into hash buckets.
 */
import type { TraceEvents } from '../detect/kernel/index.js';
import { grownF64, grownI32 } from './int-table.js';
import { LabelUnits } from './label-units.js';
import type { LabelColumn } from './label-units.js';

/**
 * The accounts sorted by label (code-unit order, as assemblePartials ranks them) and every trace's
 * events renumbered to match. The kernel's sums do not depend on the numbering: each pair's
 * co-actions come in the same (key, time) order either way.
 */
export function inLabelOrder<Trace>(actors: readonly string[], traces: readonly { trace: Trace; events: TraceEvents }[]): { actors: string[]; traces: { trace: Trace; events: TraceEvents }[] } {
  // A bounded job's columns come in label order already (LabelOrder, kept as labels arrive): one
  // look instead of the sort.
  if (ascending(actors)) return { actors: actors.slice(), traces: traces.slice() };
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

/** Whether the column's labels never decrease (code-unit order), as `ascending` of their strings. */
export function unitsAscending(column: LabelColumn): boolean {
  const { units, starts } = column;
  for (let i = 1; i < column.count; i++) if (compareUnits(units, starts[i - 1]!, starts[i]!, starts[i]!, starts[i + 1]!) > 0) return false;
  return true;
}

function ascending(labels: readonly string[]): boolean {
  for (let i = 1; i < labels.length; i++) if (labels[i - 1]! > labels[i]!) return false;
  return true;
}

/**
 * `labelOrder` of a partition's labels kept as they arrive, so a worker sorts them while the job
 * is published (its second core is mostly idle then), not in the job's tail. New labels are
 * sorted among themselves and merged in after any equal earlier label, which keeps labelOrder's
 * stable code-unit order. Both read 3 of labelOrder's float keys per label (12 code units after
 * the labels' common prefix: the bench's share 'organic' past it), kept beside the order, and the
 * labels themselves only where those tie: comparing the labels alone (a long common prefix, cons
 * strings) cost ~170 ns a comparison. On the bench's 8 partitions (20k labels each in ~55
 * batches): 12-20 ms left at the finish against 90-150 ms of labelOrder, for 120-190 ms while
 * batches come (a binary search per label took 300-400). The labels are read as code units
 * (label-units.ts: no string a label in a worker's heap).
 */
export class LabelOrder {
  #order: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** Per place in #order, KEYS_PER_LABEL of them: its label's code units after the `#depth` every label so far shares (labelKeys). */
  #keys: Float64Array<ArrayBuffer> = new Float64Array(KEYS_PER_LABEL * 1024);
  #spareOrder: Int32Array<ArrayBuffer> = new Int32Array(1024);
  #spareKeys: Float64Array<ArrayBuffer> = new Float64Array(KEYS_PER_LABEL * 1024);
  #depth = -1;
  #size = 0;
  /** Every label so far (the caller's store, which only grows); the ones from #size on are not placed yet. */
  #all: LabelUnits = new LabelUnits();
  #taken = 0;

  /**
   * Takes the labels `labels[from…]` (the ones added since the last call: `labels` is the same
   * store each time, holding every label so far). They are sorted and merged in once they are a
   * quarter of those placed: each merge copies the order and its keys (~55 times a partition batch by batch).
   */
  add(labels: LabelUnits, from: number): void {
    if (from !== this.#taken) throw new Error(`LabelOrder: labels from ${from}, ${this.#taken} taken`);
    this.#all = labels;
    this.#taken = labels.count;
    if (this.#taken - this.#size >= this.#size / 4) this.#place();
  }

  #place(): void {
    const all = this.#all, from = this.#size, added = this.#taken - from, size = this.#size;
    if (added <= 0) return;
    if (size + added > this.#spareOrder.length) {
      this.#order = grownI32(this.#order, size + added);
      this.#keys = grownF64(this.#keys, KEYS_PER_LABEL * this.#order.length);
      this.#spareOrder = new Int32Array(this.#order.length);
      this.#spareKeys = new Float64Array(this.#keys.length);
    }
    this.#shareFrom(all, from);
    const order = this.#order, keys = this.#keys, depth = this.#depth;
    const { units, starts } = all;
    const freshKeys = new Float64Array(KEYS_PER_LABEL * added);
    for (let i = 0; i < added; i++) labelKeys(units, starts[from + i]!, starts[from + i + 1]!, depth, freshKeys, KEYS_PER_LABEL * i);
    const fresh = sortedByKeys(freshKeys, added, (x, y) => before(freshKeys, KEYS_PER_LABEL * x, from + x, freshKeys, KEYS_PER_LABEL * y, from + y, all));
    // Merged with the earlier ones, which go first when equal.
    const outOrder = this.#spareOrder, outKeys = this.#spareKeys;
    let taken = 0, at = 0;
    for (let f = 0; f < added; f++) {
      const i = fresh[f]!, k = KEYS_PER_LABEL * i, id = from + i;
      while (taken < size && before(keys, KEYS_PER_LABEL * taken, order[taken]!, freshKeys, k, id, all) <= 0) {
        outOrder[at] = order[taken]!;
        for (let j = 0; j < KEYS_PER_LABEL; j++) outKeys[KEYS_PER_LABEL * at + j] = keys[KEYS_PER_LABEL * taken + j]!;
        at++;
        taken++;
      }
      outOrder[at] = id;
      for (let j = 0; j < KEYS_PER_LABEL; j++) outKeys[KEYS_PER_LABEL * at + j] = freshKeys[k + j]!;
      at++;
    }
    outOrder.set(order.subarray(taken, size), at);
    outKeys.set(keys.subarray(KEYS_PER_LABEL * taken, KEYS_PER_LABEL * size), KEYS_PER_LABEL * at);
    this.#spareOrder = order;
    this.#spareKeys = keys;
    this.#order = outOrder;
    this.#keys = outKeys;
    this.#size = size + added;
  }

  /** The ids taken so far in label order (a view, valid until the next `add`). */
  get order(): Int32Array {
    this.#place();
    return this.#order.subarray(0, this.#size);
  }

  /** The code units all labels share, labels from…#taken now with them; the earlier labels' keys again if that is fewer. */
  #shareFrom(all: LabelUnits, from: number): void {
    const { units, starts } = all;
    const first = starts[0]!;
    let depth = this.#depth < 0 ? starts[1]! - first : this.#depth;
    for (let id = from; id < this.#taken; id++) {
      const at = starts[id]!, most = Math.min(depth, starts[id + 1]! - at);
      let c = 0;
      while (c < most && units[at + c] === units[first + c]) c++;
      depth = c;
    }
    if (depth !== this.#depth) for (let r = 0; r < this.#size; r++) labelKeys(units, starts[this.#order[r]!]!, starts[this.#order[r]! + 1]!, depth, this.#keys, KEYS_PER_LABEL * r);
    this.#depth = depth;
  }
}

/**
 * 0…n-1 sorted by their KEYS_PER_LABEL keys in `keys`, then by `compare` where all tie, stable:
 * each key sorts natively as a float with the place below it, as labelOrder's do.
 */
function sortedByKeys(keys: Float64Array, n: number, compare: (x: number, y: number) => number): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  if (n >= PLACES) return ids.sort(compare);
  sortKeyRun(keys, ids, 0, n, 0, compare, new Float64Array(n));
  return ids;
}

function sortKeyRun(keys: Float64Array, ids: Int32Array, from: number, end: number, level: number, compare: (x: number, y: number) => number, packed: Float64Array): void {
  const n = end - from;
  if (n < 2) return;
  if (n <= SHORT_RUN || level === KEYS_PER_LABEL) {
    if (n <= SHORT_RUN) insertion(ids, from, end, compare);
    else ids.set(Array.from(ids.subarray(from, end)).sort(compare), from);
    return;
  }
  const run = packed.subarray(0, n);
  for (let r = 0; r < n; r++) run[r] = keys[KEYS_PER_LABEL * ids[from + r]! + level]! * PLACES + r;
  run.sort();
  const was = ids.slice(from, end);
  for (let r = 0; r < n; r++) ids[from + r] = was[run[r]! % PLACES]!;
  const tie: number[] = [];
  for (let r = 0; r < n;) {
    const key = Math.floor(run[r]! / PLACES);
    let to = r + 1;
    while (to < n && Math.floor(run[to]! / PLACES) === key) to++;
    if (to - r > 1) tie.push(from + r, from + to);
    r = to;
  }
  for (let t = 0; t < tie.length; t += 2) sortKeyRun(keys, ids, tie[t]!, tie[t + 1]!, level + 1, compare, packed);
}

function insertion(ids: Int32Array, from: number, end: number, compare: (x: number, y: number) => number): void {
  for (let r = from + 1; r < end; r++) {
    const id = ids[r]!;
    let to = r;
    while (to > from && compare(ids[to - 1]!, id) > 0) {
      ids[to] = ids[to - 1]!;
      to--;
    }
    ids[to] = id;
  }
}

/** Below 0, 0 or above 0 as label xId (keys from xAt in x) comes before, ties with or comes after label yId (keys in y). */
function before(x: Float64Array, xAt: number, xId: number, y: Float64Array, yAt: number, yId: number, all: LabelUnits): number {
  for (let j = 0; j < KEYS_PER_LABEL; j++) {
    const a = x[xAt + j]!, b = y[yAt + j]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return compareUnits(all.units, all.starts[xId]!, all.starts[xId + 1]!, all.starts[yId]!, all.starts[yId + 1]!);
}

/** Code-unit order of units[x … xEnd) and units[y … yEnd), as `<` orders strings. */
function compareUnits(units: Uint16Array, x: number, xEnd: number, y: number, yEnd: number): number {
  const xLength = xEnd - x, yLength = yEnd - y, most = Math.min(xLength, yLength);
  for (let u = 0; u < most; u++) {
    const a = units[x + u]!, b = units[y + u]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return xLength - yLength;
}

const KEYS_PER_LABEL = 3;

/**
 * unitsKey of the label units[from … end) at `at`, `at + KEY_UNITS`, … into KEYS_PER_LABEL keys:
 * once a key has ended (a unit of 127 or more, which says nothing of its value), the keys after
 * it are 0, so labels that differ only past it tie and are compared.
 */
function labelKeys(units: Uint16Array, from: number, end: number, at: number, keys: Float64Array, into: number): void {
  let ended = false;
  for (let k = 0; k < KEYS_PER_LABEL; k++) {
    const key = from + at + k * KEY_UNITS;
    if (ended) {
      keys[into + k] = 0;
      continue;
    }
    let value = 0;
    for (let u = key; u < key + KEY_UNITS; u++) {
      const unit = ended || u >= end ? 0 : Math.min(units[u]! + 1, 128);
      if (unit === 128) ended = true;
      value = value * 129 + unit;
    }
    // A key with a unit of 127 or more (above) or fewer than KEY_UNITS units ends the keys, as plainUnits says for labelOrder.
    if (key + KEY_UNITS > end) ended = true;
    keys[into + k] = value;
  }
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
