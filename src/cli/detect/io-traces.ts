/**
 * The traces of archive columns (src/ingest/columnar/io-tweets-columns.ts) built on typed arrays,
 * with the store path's rules (src/store/duckdb/trace-export.ts): the same events, keys numbered
 * in the byte order of their labels, events ordered by key, time, account.
 */
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import type { IoTweetsColumns } from '../../ingest/columnar/index.js';
import { KIND_REPOST } from '../../ingest/columnar/index.js';
import { compareCodePoints, normalizeAll, normalizeHashtag, normalizeUrl, parseListField } from '../../model/index.js';

/** The kept actions of the columns and what every trace needs about them. */
export interface IoActionView {
  columns: IoTweetsColumns;
  /** Row of each action. */
  row: Int32Array;
  /** Actor ix of each action (-1: filtered out by platform). */
  actor: Int32Array;
  /** Actions in (time, actor, action) order. */
  order: Int32Array;
  actorCount: number;
  /** Per tweet id: the time of the action with that id (NaN when none). */
  postTime: Float64Array;
  /** Tweet ids in byte order (computed once, on first use). */
  tweetOrder: () => Int32Array;
}

/** A built trace and the label of each of its keys. */
export interface BuiltTrace { data: TraceData; label: (key: number) => string }

export { compareCodePoints };

/** The host of a normalised URL without `www.` (as sqlUrlDomain). */
export function urlDomain(url: string): string {
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([^/:?]+)/.exec(url)?.[1] ?? '';
  return host.replace(/^www\./, '');
}

/** Stable counting sort of `order` by `key[order[i]]` (integers below `buckets`). */
function countingPass(order: Int32Array, key: Uint16Array | Uint8Array, buckets: number): Int32Array {
  const starts = new Int32Array(buckets + 1);
  for (let i = 0; i < order.length; i++) starts[key[order[i]!]! + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) { const x = order[i]!; out[starts[key[x]!]!++] = x; }
  return out;
}

/**
 * Ids made of 1 to 20 ASCII digits (tweet and account ids) in byte order without comparing
 * strings: an LSD radix sort of the ids right-padded with zeros to 20 digits (four digits a
 * pass), the length first (padding keeps a prefix before its extensions). Null when some id is
 * not such a string.
 */
function digitIdOrder(n: number, at: (i: number) => string): Int32Array | null {
  const length = new Uint8Array(n);
  const chunks = Array.from({ length: 5 }, () => new Uint16Array(n));
  for (let i = 0; i < n; i++) {
    const text = at(i);
    const len = text.length;
    if (len === 0 || len > 20) return null;
    length[i] = len;
    for (let p = 0; p < 5; p++) {
      let value = 0;
      for (let c = 4 * p; c < 4 * p + 4; c++) {
        const d = c < len ? text.charCodeAt(c) - 48 : 0;
        if (d < 0 || d > 9) return null;
        value = value * 10 + d;
      }
      chunks[p]![i] = value;
    }
  }
  let order = countingPass(Int32Array.from({ length: n }, (_, i) => i), length, 21);
  for (let p = 4; p >= 0; p--) order = countingPass(order, chunks[p]!, 10_000);
  return order;
}

/**
 * Indices of `strings` in code point order (the byte order of their UTF-8, as DuckDB sorts
 * text). Digit ids are ordered by numbers (`digitIdOrder`); other strings without surrogates or
 * private-use characters by JS comparison, which is code point order for them.
 */
export function codePointOrder(strings: readonly string[] | { length: number; at: (i: number) => string }): Int32Array {
  const n = strings.length;
  const at = Array.isArray(strings) ? (i: number): string => (strings as readonly string[])[i]! : (strings as { at: (i: number) => string }).at;
  const digits = digitIdOrder(n, at);
  if (digits !== null) return digits;
  const plain = Array.from({ length: n }, (_, i) => at(i));
  const simple = plain.every((text) => !/[\ud800-\uffff]/.test(text));
  const compare = simple ? (x: number, y: number): number => { const a = plain[x]!, b = plain[y]!; return a < b ? -1 : a > b ? 1 : 0; }
    : (x: number, y: number): number => compareCodePoints(plain[x]!, plain[y]!);
  return Int32Array.from({ length: n }, (_, i) => i).sort(compare);
}

/** Events (action, label) in (time, actor, action) order become a trace: keys by label order, events by key stably. */
function assemble(view: IoActionView, evAction: Int32Array, evLabel: Int32Array, count: number, labelOrder: Int32Array): { data: TraceData; keyLabel: Int32Array } {
  const labelCount = labelOrder.length;
  const used = new Uint8Array(labelCount);
  for (let e = 0; e < count; e++) used[evLabel[e]!] = 1;
  const labels: number[] = [];
  for (const label of labelOrder) if (used[label] === 1) labels.push(label);
  const keyOf = new Int32Array(labelCount).fill(-1);
  labels.forEach((label, key) => { keyOf[label] = key; });
  const keyCount = labels.length;
  const starts = new Int32Array(keyCount + 1);
  for (let e = 0; e < count; e++) starts[keyOf[evLabel[e]!]! + 1]!++;
  for (let k = 0; k < keyCount; k++) starts[k + 1]! += starts[k]!;
  const data: TraceData = {
    actor: new Int32Array(count), key: new Int32Array(count), time: new Float64Array(count), action: new Int32Array(count),
    actorCount: view.actorCount, keyCount,
  };
  const { time } = view.columns;
  for (let e = 0; e < count; e++) {
    const key = keyOf[evLabel[e]!]!;
    const at = starts[key]!++;
    const a = evAction[e]!;
    data.actor[at] = view.actor[a]!; data.key[at] = key; data.time[at] = time[view.row[a]!]!; data.action[at] = a;
  }
  return { data, keyLabel: Int32Array.from(labels) };
}

class EventList {
  action = new Int32Array(1024);
  label = new Int32Array(1024);
  size = 0;
  push(action: number, label: number): void {
    if (this.size === this.action.length) {
      const a = new Int32Array(this.size * 2); a.set(this.action); this.action = a;
      const l = new Int32Array(this.size * 2); l.set(this.label); this.label = l;
    }
    this.action[this.size] = action; this.label[this.size++] = label;
  }
}

/** co-repost, fast-repost and co-reply: keyed by the target post (`twitter:<id>`). */
function postTrace(view: IoActionView, name: 'co-repost' | 'fast-repost' | 'co-reply', fastRepostMs: number, platform: string): BuiltTrace | null {
  const { columns, row, order, postTime } = view;
  const events = new EventList();
  for (const a of order) {
    if (view.actor[a]! < 0) continue;
    const r = row[a]!;
    const target = columns.targetPost[r]!;
    if (target < 0) continue;
    const repost = columns.kind[r] === KIND_REPOST;
    if (name === 'co-reply' ? columns.kind[r] !== 1 : !repost) continue;
    if (name === 'fast-repost') {
      const delay = columns.time[r]! - postTime[target]!;
      if (!(delay >= 0 && delay <= fastRepostMs)) continue;
    }
    events.push(a, target);
  }
  if (events.size === 0) return null;
  const built = assemble(view, events.action, events.label, events.size, view.tweetOrder());
  return { data: built.data, label: (key) => `${platform}:${columns.tweets.text(built.keyLabel[key]!)}` };
}

/** Keys of one raw list text for a list trace (label ids in `labels`). */
function listKeys(name: TraceName, raw: string, labelId: (label: string) => number, platform: string): number[] {
  if (name === 'co-link' || name === 'co-domain') {
    const urls = normalizeAll(parseListField(raw), normalizeUrl);
    if (name === 'co-link') return urls.map(labelId);
    return [...new Set(urls.map(urlDomain))].filter((domain) => domain !== '').map(labelId);
  }
  if (name === 'co-mention') return normalizeAll(parseListField(raw), (item) => item).map((item) => labelId(`${platform}:${item}`));
  const tags = normalizeAll(parseListField(raw), normalizeHashtag);
  if (name === 'hashtag-sequence') return tags.length >= 2 ? [labelId(tags.join(' '))] : [];
  return tags.map(labelId);
}

/** co-link, co-domain, co-hashtag, hashtag-sequence, co-mention: keyed by list items of posts, replies and quotes. */
function listTrace(view: IoActionView, name: TraceName, platform: string): BuiltTrace | null {
  const { columns, row, order } = view;
  const [ids, lists] = name === 'co-link' || name === 'co-domain' ? [columns.urls, columns.urlLists]
    : name === 'co-mention' ? [columns.mentions, columns.mentionLists] : [columns.hashtags, columns.hashtagLists];
  const labels: string[] = [];
  const labelIds = new Map<string, number>();
  const labelId = (label: string): number => {
    let id = labelIds.get(label);
    if (id === undefined) { id = labels.length; labels.push(label); labelIds.set(label, id); }
    return id;
  };
  // Each distinct raw list is parsed and normalised once.
  const keysOfList: (Int32Array | undefined)[] = new Array(lists.size);
  const events = new EventList();
  for (const a of order) {
    if (view.actor[a]! < 0) continue;
    const r = row[a]!;
    const list = ids[r]!;
    if (list < 0 || columns.kind[r] === KIND_REPOST) continue;
    let keys = keysOfList[list];
    if (keys === undefined) keys = keysOfList[list] = Int32Array.from(listKeys(name, lists.text(list), labelId, platform));
    for (const key of keys) events.push(a, key);
  }
  if (events.size === 0) return null;
  const built = assemble(view, events.action, events.label, events.size, codePointOrder(labels));
  return { data: built.data, label: (key) => labels[built.keyLabel[key]!]! };
}

/** One trace other than near-duplicate (null when the data has no events for it). */
export function ioTrace(view: IoActionView, name: Exclude<TraceName, 'near-duplicate'>, fastRepostMs: number, platform: string): BuiltTrace | null {
  return name === 'co-repost' || name === 'fast-repost' || name === 'co-reply' ? postTrace(view, name, fastRepostMs, platform) : listTrace(view, name, platform);
}
