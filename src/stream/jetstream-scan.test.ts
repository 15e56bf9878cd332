import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Action } from '../model/index.js';
import { parseJetstreamLine } from './jetstream-line.js';
import type { LineResult } from './jetstream-line.js';
import { scanJetstreamActions, scanJetstreamLine } from './jetstream-scan.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';
import { mutate } from './test-support/json-mutate.js';

/** The fields detection reads (the scanner leaves text, language and media hashes out). */
function detectionView(result: LineResult): unknown {
  return {
    problems: result.problems, timeUs: result.timeUs,
    actions: result.actions.map((a: Action) => ({ platform: a.platform, id: a.id, actorId: a.actorId, kind: a.kind, time: a.time, targetPost: a.targetPost, targetActor: a.targetActor, urls: a.urls, hashtags: a.hashtags, mentions: a.mentions })),
  };
}

function same(line: string, where = 'feed.jsonl:1'): void {
  assert.deepEqual(detectionView(scanJetstreamLine(line, where)), detectionView(parseJetstreamLine(line, where)), line);
}

const sample = readFileSync(new URL('../ingest/test-support/jetstream-sample.jsonl', import.meta.url), 'utf8').trim().split('\n');
const synthetic = jetstreamStream({ durationMs: 600_000, organicPerSecond: 5 }).lines;
const A = 'did:plc:w4xbfzo7kqfes5zb7r6qv3rw';
const POST = `at://${A}/app.bsky.feed.post/3l3qo2vuowo2b`;
const commit = (collection: string, record: unknown, operation = 'create'): unknown => ({ did: A, time_us: 1_725_911_162_329_308, kind: 'commit', commit: { rev: 'r', operation, collection, rkey: 'k1', record, cid: 'c' } });
const crafted: unknown[] = [
  commit('app.bsky.feed.post', { text: 'q', embed: { $type: 'app.bsky.embed.record', record: { uri: POST, cid: 'x' } } }),
  commit('app.bsky.feed.post', { text: '', reply: { root: { uri: POST }, parent: { uri: POST } }, embed: { $type: 'app.bsky.embed.recordWithMedia', record: { record: { uri: POST } }, media: { $type: 'app.bsky.embed.external', external: { uri: 'https://Media.example/x?utm_source=1' } } } }),
  commit('app.bsky.feed.post', { embed: { record: { record: { uri: POST } }, media: { external: { uri: 'https://a.example' }, $type: 'app.bsky.embed.external' }, $type: 'app.bsky.embed.recordWithMedia' } }),
  commit('app.bsky.feed.post', { langs: ['en', 'de'], tags: ['#HK', 'hk', ' '], facets: [{ features: [{ uri: 'HTTP://Y.org/?utm_source=1', $type: 'app.bsky.richtext.facet#link' }, { $type: 'app.bsky.richtext.facet#mention', did: ' did:plc:b ' }, { $type: 'other' }, { $type: 'app.bsky.richtext.facet#tag', tag: 'Ｈk' }] }], embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://x.org/' } } }),
  commit('app.bsky.feed.post', { embed: { $type: 'app.bsky.embed.record', record: { uri: `at://${A}/app.bsky.feed.generator/x` } } }),
  commit('app.bsky.feed.post', { embed: { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: 'b' } } }], external: { uri: 'https://ignored.example' } } }),
  commit('app.bsky.feed.post', { text: null, langs: null, facets: null, tags: null, reply: null, embed: null }),
  commit('app.bsky.feed.post', { text: 'say "hi" \\ \n\u2028 done\\', tags: ['a"b', 'c\\d', '\\'], facets: [{ features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://e.org/"q"\\' }] }] }),
  commit('app.bsky.graph.follow', { subject: 'did:plc:zz' }),
  commit('app.bsky.feed.like', { subject: { uri: 'at://handle.example/app.bsky.feed.post/1' } }),
  commit('app.bsky.feed.repost', { subject: { cid: 'c', uri: POST } }),
  commit('app.bsky.feed.like', undefined, 'delete'),
  commit('app.bsky.feed.post', { text: 'edited' }, 'update'),
  commit('constructor', {}),
  commit('app.bsky.actor.profile', { displayName: 'x', avatar: { ref: { $link: 'y' } } }),
  { did: A, time_us: 5_000, kind: 'identity', identity: { did: A, handle: 'a.bsky.social' } },
];
const bases = [...sample.map((line): unknown => JSON.parse(line)), ...crafted, ...synthetic.slice(0, 20).map((line): unknown => JSON.parse(line))];

/**
 * JSON text of `value` as another writer might give it: keys in another order, whitespace between
 * tokens, characters written as \u escapes, numbers in other forms, a key given twice (JSON.parse
 * keeps the last). `choice()` picks each variation.
 */
function render(value: unknown, choice: () => number): string {
  const space = (): string => [' ', '', '\n', '\t ', '\r\n'][choice() % 5] as string;
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

describe('scanJetstreamLine (the front end\'s line scanner)', () => {
  it('reads the recorded sample, the synthetic stream and crafted events itself, with the same detection fields as JSON.parse', () => {
    for (const [n, line] of [...sample, ...synthetic].entries()) same(line, `feed:${n + 1}`);
    for (const event of crafted) same(JSON.stringify(event));
    // The scanner reads them itself (it does not simply hand everything to JSON.parse).
    for (const line of synthetic) assert.notEqual(scanJetstreamActions(line), null, line);
    const scannedSample = sample.filter((line) => scanJetstreamActions(line) !== null).length;
    // All but the identity event, the account event and the legacy short form (the readers decide those).
    assert.equal(scannedSample, sample.length - 3);
    const kinds = crafted.flatMap((event) => scanJetstreamActions(JSON.stringify(event))?.actions.map((action) => action.kind) ?? ['gave up']);
    assert.deepEqual(kinds, ['quote', 'reply', 'quote', 'post', 'post', 'post', 'post', 'post', 'follow', 'like', 'repost', 'gave up']);
    // Escaped quotes and backslashes inside strings are read, not left to JSON.parse.
    assert.deepEqual(scanJetstreamActions(JSON.stringify(crafted[7]))?.actions[0]?.hashtags, parseJetstreamLine(JSON.stringify(crafted[7]), 'x').actions[0]?.hashtags);
    assert.equal(scanJetstreamActions(JSON.stringify(crafted[7]))?.actions[0]?.hashtags.length, 3);
    // The fields it reads are filled: links normalised in order (facets, then the embed), tags from facets then record.
    const post = scanJetstreamActions(JSON.stringify(crafted[3]))?.actions[0];
    assert.deepEqual([post?.urls, post?.hashtags, post?.mentions], [['https://y.org/', 'https://x.org/'], ['hk'], ['did:plc:b']]);
  });

  it('escaped strings, whitespace, key order, other number forms and repeated keys give the JSON.parse result', () => {
    fc.assert(fc.property(fc.constantFrom(...bases), fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (base, picks) => {
      let n = 0;
      same(render(base, () => picks[n++ % picks.length] as number));
    }), { numRuns: 3000 });
  });

  it('matches JSON.parse + the readers on mutated events, truncated lines and arbitrary text, and never throws', () => {
    const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constantFrom('', ' ', 'create', 'update', 'app.bsky.feed.post', POST, A, 'constructor', '__proto__', 0, -1, 2 ** 53, 1.5, [], {}, null));
    fc.assert(fc.property(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 }), (base, edits) => {
      same(JSON.stringify(mutate(base, edits)) ?? 'null');
    }), { numRuns: 4000 });
    fc.assert(fc.property(fc.constantFrom(...sample, ...synthetic.slice(0, 20)), fc.nat(), fc.constantFrom('', ' ', 'x', '}', ',', '\u0001', '"'), (line, cut, tail) => {
      same(line.slice(0, cut % (line.length + 1)) + tail);
      const at = cut % line.length;
      same(line.slice(0, at) + tail + line.slice(at + 1));
    }), { numRuns: 1500 });
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (line) => same(line)), { numRuns: 1000 });
  });

  it('gives up on deep nesting and names a bad line through the JSON.parse path', () => {
    same(`{"did":"${A}","time_us":1,"kind":"commit","x":${'['.repeat(20_000)}${']'.repeat(20_000)},"commit":{"operation":"delete","collection":"app.bsky.feed.like","rkey":"k"}}`);
    const bad = scanJetstreamLine('{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create"', () => 'feed.jsonl:9');
    assert.deepEqual(bad.actions, []);
    assert.match(bad.problems[0] ?? '', /^feed\.jsonl:9: not JSON/);
  });
});
