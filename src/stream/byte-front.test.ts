import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteFront } from './byte-front.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { scanJetstreamBytes, SCAN_ACTION, SCAN_GIVE_UP, scanned } from './jetstream-scan.js';
import { lineShare } from './byte-front.js';
import { Partitioner } from './partitioner.js';
import { decodeBatch } from './wire-batch.js';
import type { OutBatch } from './partitioner.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';
import { mutate } from './test-support/json-mutate.js';

interface Run { batches: OutBatch[]; problems: string[]; lines: number; actions: number; events: number; duplicates: number }
const encoder = new TextEncoder();

/** The path before: readline's lines (\n, \r\n and lone \r end a line), parseJetstreamLine, Partitioner.push. */
function reference(text: string | Uint8Array, traces: readonly StreamTrace[]): Run {
  const partitioner = new Partitioner({ partitions: 5, traces, batchSize: 64 });
  const batches: OutBatch[] = [], problems: string[] = [];
  // What a file of this text holds, read back as readline reads it (a lone surrogate, and bytes
  // that are not UTF-8, become U+FFFD).
  const parts = Buffer.from(text).toString('utf8').split(/\r\n|\n|\r/);
  if (parts[parts.length - 1] === '') parts.pop();
  let actions = 0;
  for (const [index, line] of parts.entries()) {
    if (line.trim() === '') continue;
    const parsed = parseJetstreamLine(line, () => `feed:${index + 1}`);
    problems.push(...parsed.problems);
    actions += parsed.actions.length;
    for (const action of parsed.actions) partitioner.push(action, batches);
  }
  partitioner.finish(batches);
  return { batches, problems, lines: parts.length, actions, events: partitioner.events, duplicates: partitioner.duplicates };
}

/** The byte front end on the same text, cut into chunks at `cuts` (byte offsets); with `share`, its share of the lines. */
function bytes(text: string | Uint8Array, traces: readonly StreamTrace[], cuts: readonly number[] = [], share?: { index: number; of: number }): Run & { slow: number } {
  const partitioner = new Partitioner({ partitions: 5, traces, batchSize: 64 });
  const batches: OutBatch[] = [], problems: string[] = [];
  const front = new ByteFront(partitioner, { where: (n) => `feed:${n}`, onProblem: (problem) => problems.push(problem), ...(share === undefined ? {} : { share }) });
  const all = typeof text === 'string' ? encoder.encode(text) : text;
  let from = 0;
  for (const cut of [...cuts].map((c) => c % (all.length + 1)).sort((x, y) => x - y)) {
    front.push(all.subarray(from, cut), batches);
    from = cut;
  }
  front.push(all.subarray(from), batches);
  front.end(batches);
  partitioner.finish(batches);
  return { batches, problems, lines: front.lines, actions: front.actions, events: partitioner.events, duplicates: partitioner.duplicates, slow: front.slowLines };
}

function same(input: string | Uint8Array, traces: readonly StreamTrace[] = STREAM_TRACES, cuts: readonly number[] = []): Run & { slow: number } {
  const want = reference(input, traces), got = bytes(input, traces, cuts);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  assert.deepEqual(got.problems, want.problems, text);
  assert.deepEqual([got.lines, got.actions, got.events, got.duplicates], [want.lines, want.actions, want.events, want.duplicates], text);
  assert.equal(got.batches.length, want.batches.length, text);
  for (const [index, batch] of want.batches.entries()) {
    const other = got.batches[index]!;
    assert.deepEqual([other.partition, other.b, other.end], [batch.partition, batch.b, batch.end], text);
    assert.ok(Buffer.from(other.bytes).equals(Buffer.from(batch.bytes)), `batch ${index} differs for ${text.slice(0, 300)}`);
  }
  return got;
}

/**
 * `of` shares of the input (stream-publish --threads): each counts every line; together they take
 * every action and event once, meet every repeat (the duplicates), report the problems with the
 * file's line numbers, and no account is in two shares.
 */
function sameShared(input: string | Uint8Array, of: number, cuts: readonly number[] = []): Run[] {
  const want = reference(input, STREAM_TRACES);
  const shares = Array.from({ length: of }, (_, index) => bytes(input, STREAM_TRACES, cuts, { index, of }));
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const sum = (field: 'actions' | 'events' | 'duplicates'): number => shares.reduce((total, share) => total + share[field], 0);
  assert.deepEqual(shares.map((share) => share.lines), shares.map(() => want.lines), text);
  assert.deepEqual([sum('actions'), sum('events'), sum('duplicates')], [want.actions, want.events, want.duplicates], text);
  const line = (problem: string): number => Number(/feed:(\d+)/.exec(problem)?.[1]);
  const problems = shares.flatMap((share) => share.problems);
  assert.deepEqual(problems.map(line).sort((x, y) => x - y), want.problems.map(line), text);
  assert.deepEqual([...problems].sort(), [...want.problems].sort(), text);
  const owner = new Map<string, number>();
  for (const [index, share] of shares.entries()) {
    for (const { bytes: batch } of share.batches) {
      for (const actor of decodeBatch(batch, 'share').newActors) assert.ok((owner.get(actor) ?? index) === index, `${actor} in shares ${owner.get(actor)} and ${index}`);
      for (const actor of decodeBatch(batch, 'share').newActors) owner.set(actor, index);
    }
  }
  return shares;
}

/** Runs of the share properties (swept ×50 once before committing). */
const SHARE_RUNS = 40;
/** Runs of the chunk property (swept ×50 once before committing). */
const CHUNK_RUNS = 30;

const sample = readFileSync(new URL('../ingest/test-support/jetstream-sample.jsonl', import.meta.url), 'utf8').trim().split('\n');
const synthetic = jetstreamStream({ durationMs: 600_000, organicPerSecond: 5 }).lines;
const A = 'did:plc:w4xbfzo7kqfes5zb7r6qv3rw';
const POST = `at://${A}/app.bsky.feed.post/3l3qo2vuowo2b`;
const commit = (collection: string, record: unknown, operation = 'create', rkey = 'k1'): unknown => ({ did: A, time_us: 1_725_911_162_329_308, kind: 'commit', commit: { rev: 'r', operation, collection, rkey, record, cid: 'c' } });
const crafted: unknown[] = [
  commit('app.bsky.feed.post', { text: 'q', embed: { $type: 'app.bsky.embed.record', record: { uri: POST, cid: 'x' } } }, 'create', 'a'),
  commit('app.bsky.feed.post', { text: '', reply: { root: { uri: POST }, parent: { uri: POST } }, embed: { $type: 'app.bsky.embed.recordWithMedia', record: { record: { uri: POST } }, media: { $type: 'app.bsky.embed.external', external: { uri: 'https://Media.example/x?utm_source=1' } } } }, 'create', 'b'),
  commit('app.bsky.feed.post', { embed: { record: { record: { uri: POST } }, media: { external: { uri: 'https://a.example' }, $type: 'app.bsky.embed.external' }, $type: 'app.bsky.embed.recordWithMedia' } }, 'create', 'c'),
  commit('app.bsky.feed.post', { langs: ['en', 'de'], tags: ['#HK', 'hk', ' ', '香港'], facets: [{ features: [{ uri: 'HTTP://Y.org/?utm_source=1', $type: 'app.bsky.richtext.facet#link' }, { $type: 'app.bsky.richtext.facet#mention', did: ' did:plc:b ' }, { $type: 'other' }, { $type: 'app.bsky.richtext.facet#tag', tag: 'Ｈk' }, { $type: 'app.bsky.richtext.facet#tag', tag: 'news' }] }], embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://www.x.org/a' } } }, 'create', 'd'),
  commit('app.bsky.feed.post', { embed: { $type: 'app.bsky.embed.record', record: { uri: `at://${A}/app.bsky.feed.generator/x` } } }, 'create', 'e'),
  commit('app.bsky.feed.post', { embed: { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: 'b' } } }], external: { uri: 'https://ignored.example' } } }, 'create', 'f'),
  commit('app.bsky.feed.post', { text: null, langs: null, facets: null, tags: null, reply: null, embed: null }, 'create', 'g'),
  commit('app.bsky.feed.post', { text: 'say "hi" \\ \n\u2028 done\\', tags: ['a"b', 'c\\d', '\\'], facets: [{ features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://e.org/"q"\\' }] }] }, 'create', 'h'),
  commit('app.bsky.graph.follow', { subject: 'did:plc:zz' }, 'create', 'i'),
  commit('app.bsky.feed.like', { subject: { uri: 'at://handle.example/app.bsky.feed.post/1' } }, 'create', 'j'),
  commit('app.bsky.feed.repost', { subject: { cid: 'c', uri: POST } }, 'create', 'k'),
  commit('app.bsky.feed.like', undefined, 'delete'),
  commit('app.bsky.feed.post', { text: 'edited' }, 'update'),
  commit('constructor', {}),
  commit('app.bsky.actor.profile', { displayName: 'x', avatar: { ref: { $link: 'y' } } }),
  { did: A, time_us: 5_000, kind: 'identity', identity: { did: A, handle: 'a.bsky.social' } },
];
const bases = [...sample.map((line): unknown => JSON.parse(line)), ...crafted, ...synthetic.slice(0, 20).map((line): unknown => JSON.parse(line))];

/**
 * JSON text of `value` as another writer might give it (on one line): keys in another order,
 * spaces between tokens, characters written as \u escapes, numbers in other forms, a key given
 * twice (JSON.parse keeps the last). `choice()` picks each variation.
 */
function render(value: unknown, choice: () => number): string {
  const space = (): string => [' ', '', '', '\t ', '  '][choice() % 5] as string;
  const text = (raw: string): string => {
    if (choice() % 4 !== 0) return JSON.stringify(raw);
    return `"${[...raw].map((ch) => (choice() % 3 === 0 ? `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0').slice(-4)}` : JSON.stringify(ch).slice(1, -1))).join('')}"`;
  };
  const write = (inner: unknown): string => {
    if (typeof inner === 'string') return text(inner);
    if (typeof inner === 'number' && Number.isInteger(inner) && choice() % 6 === 0) return [`${inner}.0`, `${inner}e0`, `${inner / 1000}E3`][choice() % 3] as string;
    if (Array.isArray(inner)) return `[${space()}${inner.map((item) => `${write(item)}${space()}`).join(',')}]`;
    if (typeof inner === 'object' && inner !== null) {
      const entries = Object.entries(inner).filter(([, v]) => v !== undefined);
      if (choice() % 3 === 0) entries.reverse();
      const members = entries.map(([k, v]) => `${space()}${text(k)}${space()}:${space()}${write(v)}`);
      if (entries.length > 0 && choice() % 8 === 0) {
        const [k] = entries[choice() % entries.length] as [string, unknown];
        members.unshift(`${text(k)}:${['null', '"x"', '{}', '[]', '7'][choice() % 5] as string}`);
      }
      return `{${members.join(',')}${space()}}`;
    }
    return JSON.stringify(inner) ?? 'null';
  };
  return write(value);
}

describe('ByteFront (the scale-out front end over bytes)', () => {
  it('gives the JSON.parse path\'s batches, counts and problems on the recorded sample, the synthetic stream and crafted events, reading them itself', () => {
    const lines = [...sample, ...synthetic, ...crafted.map((event) => JSON.stringify(event))];
    const run = same(`${lines.join('\n')}\n`);
    assert.ok(run.events > synthetic.length);
    // The scanner reads all but the identity and account events, the legacy short form, and the crafted identity event and escaped strings.
    assert.equal(run.slow, 5);
    const kinds = crafted.map((event) => {
      const line = encoder.encode(JSON.stringify(event));
      const code = scanJetstreamBytes(line, 0, line.length);
      return code === SCAN_ACTION ? ['post', 'repost', 'like', 'follow', 'reply', 'quote'][scanned.kind] : code === SCAN_GIVE_UP ? 'gave up' : 'none';
    });
    assert.deepEqual(kinds, ['quote', 'reply', 'quote', 'post', 'post', 'post', 'post', 'gave up', 'follow', 'like', 'repost', 'none', 'none', 'none', 'none', 'gave up']);
    // Every trace, and each alone (the partitioner's trace order decides the event order).
    for (const trace of STREAM_TRACES) same(`${lines.join('\n')}\n`, [trace]);
    same(`${lines.join('\n')}\n`, [...STREAM_TRACES].reverse());
  });

  it('repeated actions are dropped once, as the partitioner drops them', () => {
    const lines = [...synthetic.slice(0, 50), ...synthetic.slice(0, 50), JSON.stringify(crafted[3]), JSON.stringify(crafted[3])];
    const run = same(`${lines.join('\n')}\n`);
    assert.equal(run.duplicates, 51);
  });

  it('chunks cut anywhere, CRLF and lone CR line ends, blank lines, a byte-order mark and no final line break give readline\'s lines', () => {
    const lines = [...synthetic.slice(0, 40), ...crafted.map((event) => JSON.stringify(event))];
    fc.assert(fc.property(fc.array(fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' \n', '\r\r\n'), { minLength: lines.length, maxLength: lines.length }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), fc.boolean(), (ends, cuts, bom, last) => {
      const text = (bom ? '\ufeff' : '') + lines.map((line, index) => line + (index < lines.length - 1 || last ? ends[index] : '')).join('');
      same(text, STREAM_TRACES, cuts);
    }), { numRuns: 150 });
  });

  it('escaped strings, spaces, key order, other number forms and repeated keys give the JSON.parse result', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...bases), fc.array(fc.nat(), { minLength: 1, maxLength: 64 })), { minLength: 1, maxLength: 6 }), (events) => {
      same(events.map(([base, picks]) => {
        let n = 0;
        return render(base, () => picks[n++ % picks.length] as number);
      }).join('\n'));
    }), { numRuns: 600 });
  });

  it('matches the JSON.parse path on mutated events, truncated lines and arbitrary text, and never throws', () => {
    const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constantFrom('', ' ', 'create', 'update', 'app.bsky.feed.post', POST, A, 'constructor', '__proto__', 0, -1, 2 ** 53, 1.5, [], {}, null));
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 4 }), (events) => {
      same(events.map(([base, edits]) => JSON.stringify(mutate(base, edits)) ?? 'null').join('\n'));
    }), { numRuns: 1500 });
    fc.assert(fc.property(fc.constantFrom(...sample, ...synthetic.slice(0, 20)), fc.nat(), fc.constantFrom('', ' ', 'x', '}', ',', '\u0001', '"', '\\', '1', 'e'), (line, cut, tail) => {
      same(line.slice(0, cut % (line.length + 1)) + tail);
      const at = cut % line.length;
      same(`${line.slice(0, at)}${tail}${line.slice(at + 1)}\n${line}`);
    }), { numRuns: 800 });
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (line) => {
      same(line);
    }), { numRuns: 500 });
  });

  it('bytes that are not UTF-8, in string values and in keys, give the line path\'s batches and problems', () => {
    // U+E000 marks where bad bytes go: in values (accounts, keys, rkeys, text, types) and in keys (those detection reads too).
    const MARK = '\ue000', MARK_BYTES = [0xee, 0x80, 0x80];
    const BAD = [[0xff], [0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xfe, 0xfe], MARK_BYTES];
    const marked = (value: unknown, choice: () => number): unknown => {
      const mark = (raw: string): string => {
        const chars = [...raw];
        chars.splice(choice() % (chars.length + 1), 0, MARK);
        return chars.join('');
      };
      if (typeof value === 'string') return choice() % 3 === 0 ? mark(value) : value;
      if (Array.isArray(value)) return value.map((inner) => marked(inner, choice));
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [choice() % 9 === 0 ? mark(key) : key, marked(inner, choice)]));
    };
    const withBadBytes = (text: string, choice: () => number): Uint8Array => {
      const out: number[] = [];
      const utf8 = encoder.encode(text);
      for (let i = 0; i < utf8.length; i++) {
        if (utf8[i] === MARK_BYTES[0] && utf8[i + 1] === MARK_BYTES[1] && utf8[i + 2] === MARK_BYTES[2]) {
          out.push(...(BAD[choice() % BAD.length] as number[]));
          i += 2;
        } else out.push(utf8[i]!);
      }
      return Uint8Array.from(out);
    };
    let bad = 0;
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...bases), fc.array(fc.nat(), { minLength: 1, maxLength: 64 })), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), (events, cuts) => {
      const text = events.map(([base, picks]) => {
        let n = 0;
        return JSON.stringify(marked(base, () => picks[n++ % picks.length] as number)) ?? 'null';
      }).join('\n');
      let n = 0;
      const input = withBadBytes(text, () => (cuts[n++ % Math.max(1, cuts.length)] ?? 0) + n);
      if (Buffer.from(input).toString('utf8').includes('\ufffd')) bad++;
      same(input, STREAM_TRACES, cuts);
    }), { numRuns: 400 });
    assert.ok(bad > 100, `only ${bad} inputs held bytes that are not UTF-8`);
    // One by one: an account, a hashtag, a repost's subject and an rkey with a bad byte, beside the same event without it.
    // Two bad sequences that decode alike (U+FFFD) are one value to the line path: two likes whose rkeys differ only there are one action.
    const one = (event: unknown, from: string, ...bytes: number[][]): Uint8Array => {
      const utf8 = encoder.encode(JSON.stringify(event)), at = Buffer.from(utf8).indexOf(from) + from.length;
      return Uint8Array.from([...bytes.flatMap((inserted) => [...utf8.subarray(0, at), ...inserted, ...utf8.subarray(at), 10]), ...utf8, 10]);
    };
    same(one(crafted[3], '"did":"did:plc:', [0xff], [0xfe]));
    same(one(crafted[3], '"tags":["#H', [0xc3], [0xff]));
    same(one(crafted[10], '"uri":"at://', [0xed, 0xa0, 0x80], [0x80]));
    assert.equal(same(one(crafted[9], '"rkey":"', [0x80], [0xff])).duplicates, 1);
    const run = same(one(crafted[3], '"tags":["#H', [0xff, 0xfe]));
    assert.equal(run.problems.length, 0);
    assert.ok(run.events > 0);
  });

  it('split into shares by account (--threads): every action once, every repeat met, problems at the file\'s line numbers, no account in two shares', () => {
    const lines = [...synthetic.slice(0, 60), ...synthetic.slice(0, 60), ...crafted.map((event) => JSON.stringify(event)), '{"did":"did:plc:x", broken', 'not json', ' {"did":"did:plc:\\u0061"}'];
    for (const of of [2, 3]) {
      const shares = sameShared(`${lines.join('\n')}\n`, of);
      assert.ok(shares.every((share) => share.actions > 0), 'every share has actions');
      assert.equal(shares.reduce((total, share) => total + share.duplicates, 0), 60);
    }
    // The unfindable did goes to share 0, which names the line; a line opening with a did, to that did's share.
    assert.equal(lineShare(encoder.encode('not json'), 0, 8, 3), 0);
    const broken = encoder.encode('{"did":"did:plc:x", broken');
    const owner = lineShare(broken, 0, broken.length, 3);
    assert.match(bytes(`${lines.join('\n')}\n`, STREAM_TRACES, [], { index: owner, of: 3 }).problems.join('\n'), new RegExp(`feed:${lines.length - 2}\\b`));
    const ends = ['\n', '\r\n', '\r', '\n\n', ' \n', '\r\r\n'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...ends), { minLength: lines.length, maxLength: lines.length }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 2, max: 4 }), (chosen, cuts, of) => {
      sameShared(lines.map((line, index) => line + chosen[index]).join(''), of, cuts);
    }), { numRuns: SHARE_RUNS });
    const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constantFrom('', ' ', A, 'did:plc:zz', 0, null));
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 8 }), (events) => {
      const text = events.map(([base, edits]) => JSON.stringify(mutate(base, edits)) ?? 'null').join('\n');
      sameShared(`${text}\n${text}`, 2);
    }), { numRuns: SHARE_RUNS * 5 });
  });

  it('split into shares a chunk at a time (--threads, no lone CR): every line in one share, the shares\' events the one front end\'s, problems once at the file\'s line numbers', () => {
    // As the chunk property below, with lines of other shares between (skipped in the module) and dids the module cannot place (share 0's).
    const wide = (n: number): string => JSON.stringify({ ...(commit('app.bsky.feed.post', { text: 'w', facets: Array.from({ length: n }, (_, k) => ({ features: [{ $type: 'app.bsky.richtext.facet#tag', tag: `t${k % 7}` }] })) }, 'create', `w${n}`) as object), did: `did:plc:w${n % 5}` });
    const line = fc.oneof(
      fc.constantFrom(...sample, ...synthetic.slice(0, 300), ...crafted.map((event) => JSON.stringify(event)), '', ' ', '{}', 'not json', '{"did":"did:plc:x", broken', ' \t{"did":"did:plc:\\u0061"}', '{"did":"did:plc:\u0001"}'),
      fc.integer({ min: 1, max: 400 }).map(wide),
      fc.integer({ min: 1, max: 1500 }).map((n) => '\n'.repeat(n)),
    );
    fc.assert(fc.property(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 3 }), fc.integer({ min: 2, max: 4 }), (lines, cuts, of) => {
      sameShared(lines.map(([text, end]) => text + end).join(''), of, cuts);
    }), { numRuns: CHUNK_RUNS });
  });

  it('a chunk at a time in the module: more lines than a call records, more objects than its room, lines across chunks give the JSON.parse path\'s batches', () => {
    // A post with n facets holds 2n + 3 objects; a run of blank lines is many short lines.
    const wide = (n: number): string => JSON.stringify(commit('app.bsky.feed.post', { text: 'w', facets: Array.from({ length: n }, (_, k) => ({ features: [{ $type: 'app.bsky.richtext.facet#tag', tag: `t${k % 7}` }] })) }, 'create', `w${n}`));
    const line = fc.oneof(
      fc.constantFrom(...sample, ...synthetic.slice(0, 200), ...crafted.map((event) => JSON.stringify(event)), '', ' ', '{}', 'not json'),
      fc.integer({ min: 1, max: 400 }).map(wide),
      fc.integer({ min: 1, max: 1500 }).map((n) => '\n'.repeat(n)),
    );
    fc.assert(fc.property(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) => {
      same(lines.map(([text, end]) => text + end).join(''), STREAM_TRACES, cuts);
    }), { numRuns: CHUNK_RUNS });
  });

  it('a repost\'s subject and an account of the same bytes stay apart (the module keeps both in one table) and a subject seen again is found there', () => {
    const B = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb', C = 'did:plc:cccccccccccccccccccccccc';
    const by = (did: string, collection: string, record: unknown, rkey: string): string => JSON.stringify({ ...(commit(collection, record, 'create', rkey) as object), did });
    const repost = (did: string, uri: string, rkey: string): string => by(did, 'app.bsky.feed.repost', { subject: { uri, cid: 'c' } }, rkey);
    // A posts, then B reposts a subject spelt as A's did; C is reposted as a subject before C acts.
    const lines = [by(A, 'app.bsky.feed.post', { text: 'x', tags: ['t'] }, 'p1'), repost(B, A, 'r1'), repost(B, C, 'r2'), by(C, 'app.bsky.feed.post', { text: 'y' }, 'p2'), repost(C, A, 'r3'), repost(A, C, 'r4'), repost(B, POST, 'r5'), repost(C, POST, 'r6')];
    for (const traces of [STREAM_TRACES, ['co-repost'] as const]) {
      const run = same(`${lines.join('\n')}\n`, traces);
      assert.equal(run.slow, 0);
    }
    // Cut between the lines too: lines of one call and of later calls.
    same(`${lines.join('\n')}\n`, STREAM_TRACES, [1, lines[0]!.length + 3, 2 * lines[0]!.length]);
  });

  it('gives up on deep nesting and names a bad line with readline\'s line number', () => {
    same(`{"did":"${A}","time_us":1,"kind":"commit","x":${'['.repeat(20_000)}${']'.repeat(20_000)},"commit":{"operation":"delete","collection":"app.bsky.feed.like","rkey":"k"}}`);
    const run = same(`${synthetic[0]}\r\n\n{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create"\n`);
    assert.equal(run.problems.length, 1);
    assert.match(run.problems[0] ?? '', /^feed:3: not JSON/);
  });
});
