import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readJetstreamEvent, readJetstreamEventChecked } from '../ingest/jetstream.js';
import { parseJetstreamLine } from './jetstream-line.js';
import type { LineResult } from './jetstream-line.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';
import { mutate } from './test-support/json-mutate.js';

/** The parser before the fast path: JSON.parse, then the zod reader for every line. */
function previous(line: string, where: string): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { actions: [], problems: [`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`], timeUs: null };
  }
  const read = readJetstreamEventChecked(value);
  const timeUs = typeof value === 'object' && value !== null && 'time_us' in value && typeof value.time_us === 'number' ? value.time_us : null;
  return { actions: read.actions, problems: read.problems.map((problem) => `${where}: ${problem}`), timeUs };
}

function same(line: string, where: string): void {
  assert.deepEqual(parseJetstreamLine(line, where), previous(line, where), line);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return;
  }
  // The batch reader (ingest) takes the same fast path first.
  assert.deepEqual(readJetstreamEvent(value), readJetstreamEventChecked(value), line);
}

const sample = readFileSync(new URL('../ingest/test-support/jetstream-sample.jsonl', import.meta.url), 'utf8').trim().split('\n');
const synthetic = jetstreamStream({ durationMs: 600_000, organicPerSecond: 5 }).lines;
const A = 'did:plc:w4xbfzo7kqfes5zb7r6qv3rw';
const POST = `at://${A}/app.bsky.feed.post/3l3qo2vuowo2b`;
/** Hand-made events covering each branch of the fast path (embeds, replies, quotes, facets, follows, other operations). */
const crafted: unknown[] = [
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'a', record: { text: 'q', embed: { $type: 'app.bsky.embed.record', record: { uri: POST } } } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'b', record: { text: '', reply: { parent: { uri: POST }, root: { uri: POST } }, embed: { $type: 'app.bsky.embed.recordWithMedia', record: { record: { uri: POST } }, media: { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: ' bafy1 ' } } }, { image: { cid: 'bafy2' } }, { image: {} }, 3] } } } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'c', record: { langs: ['en', 'de'], tags: ['#HK', 'hk', ' '], facets: [{ features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'HTTP://X.org/?utm_source=1' }, { $type: 'app.bsky.richtext.facet#mention', did: ' did:plc:b ' }, { $type: 'other' }] }], embed: { $type: 'app.bsky.embed.video', video: { ref: { $link: 'v' } } } } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'd', record: { embed: { $type: 'app.bsky.embed.record', record: { uri: `at://${A}/app.bsky.feed.generator/x` } } } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.graph.follow', rkey: 'e', record: { subject: 'did:plc:zz' } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.like', rkey: 'f', record: { subject: { uri: 'at://handle.example/app.bsky.feed.post/1' } } } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'delete', collection: 'app.bsky.feed.like', rkey: 'g' } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'constructor', rkey: 'h', record: {} } },
  { did: A, time_us: 5_000, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.actor.profile', rkey: 'self', record: {} } },
  { did: A, time_us: 5_000, type: 'com', commit: { type: 'c', collection: 'app.bsky.feed.repost', rkey: 'i', record: { subject: { uri: POST } } } },
  { did: A, time_us: 5_000, kind: 'identity', identity: { did: A, handle: 'a.bsky.social' } },
];
const bases = [...sample.map((line): unknown => JSON.parse(line)), ...crafted, ...synthetic.slice(0, 20).map((line): unknown => JSON.parse(line))];

describe('parseJetstreamLine (hand-checked fast path)', () => {
  it('gives the same actions, problems and cursor as the zod reader on the recorded sample, the synthetic stream and crafted events', () => {
    for (const [index, line] of sample.entries()) same(line, `sample:${index + 1}`);
    for (const [index, line] of synthetic.entries()) same(line, `synthetic:${index + 1}`);
    for (const event of crafted) same(JSON.stringify(event), 'crafted');
    // The crafted events do reach the interesting results (not everything falls back to nothing).
    const kinds = crafted.flatMap((event) => parseJetstreamLine(JSON.stringify(event), 'x').actions.map((action) => action.kind));
    assert.deepEqual(kinds, ['quote', 'reply', 'post', 'post', 'follow', 'like', 'repost']);
  });

  it('matches the zod reader on mutated events, truncated lines and arbitrary text, and never throws', () => {
    const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constantFrom('', ' ', 'create', 'app.bsky.feed.post', POST, A, 'constructor', '__proto__', 0, -1, 2 ** 53, 1.5, [], {}));
    fc.assert(fc.property(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 }), (base, edits) => {
      same(JSON.stringify(mutate(base, edits)) ?? 'null', 'mutated:1');
    }), { numRuns: 4000 });
    fc.assert(fc.property(fc.constantFrom(...sample, ...synthetic.slice(0, 20)), fc.nat(), (line, cut) => {
      same(line.slice(0, cut % (line.length + 1)), 'cut:1');
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (line) => {
      same(line, 'text:1');
    }), { numRuns: 1000 });
  });

  it('names where only when there is a problem (a lazily built place)', () => {
    let built = 0;
    const where = (): string => { built += 1; return 'feed.jsonl:7'; };
    for (const line of synthetic.slice(0, 100)) assert.deepEqual(parseJetstreamLine(line, where).problems, []);
    assert.equal(built, 0);
    assert.match(parseJetstreamLine('{"did":1}', where).problems[0] ?? '', /^feed\.jsonl:7: /);
    assert.equal(built, 1);
  });
});
