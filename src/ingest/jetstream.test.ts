// node:test's describe/it return promises that the test runner itself awaits.
 
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { parseAtUri, readJetstreamEvent } from './jetstream.js';

const A = 'did:plc:w4xbfzo7kqfes5zb7r6qv3rw';
const B = 'did:plc:e3tv2pzlnuppocnc3wirsvl4';
const C = 'did:plc:a7ytkb6pqpotfgsdpgzcs6bl';
const ORIGINAL = `at://${A}/app.bsky.feed.post/3l3qo2vuowo2b`;

const events: unknown[] = readFileSync(new URL('./test-support/jetstream-sample.jsonl', import.meta.url), 'utf8')
  .trim().split('\n').map((line): unknown => JSON.parse(line));
const results = events.map((event) => readJetstreamEvent(event));
const actions = results.flatMap((result) => result.actions);

function action(id: string) {
  const found = actions.find((candidate) => candidate.id === id);
  assert.ok(found, `no action ${id}`);
  return found;
}

describe('readJetstreamEvent on a recorded sample', () => {
  it('reads every event of the sample without a problem', () => {
    assert.deepEqual(results.flatMap((result) => result.problems), []);
    assert.equal(actions.length, 9);
    assert.deepEqual(results.map((result) => result.actions.length + result.actors.length), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1]);
  });

  it('reads a facet-rich CJK post with an emoji before its link', () => {
    const post = action(ORIGINAL);
    assert.equal(post.platform, 'bluesky');
    assert.equal(post.kind, 'post');
    assert.equal(post.actorId, A);
    assert.equal(post.time, 1725911162329, 'time_us (received), in ms');
    assert.equal(post.language, 'ja');
    assert.ok(post.text?.startsWith('🔥🔥 香港の真実'));
    assert.deepEqual(post.urls, ['https://example.org/ニュース/2024', 'https://news.example.net/a?id=1']);
    assert.deepEqual(post.hashtags, ['香港', 'hk', 'truth']);
    assert.deepEqual(post.mentions, [C]);
    assert.deepEqual(post.mediaHashes, [], 'a link card thumbnail is not shared media');
  });

  it('reads a reply with its parent post and author', () => {
    const reply = action(`at://${B}/app.bsky.feed.post/3l3qo2w7fbk2c`);
    assert.equal(reply.kind, 'reply');
    assert.equal(reply.targetPost, ORIGINAL);
    assert.equal(reply.targetActor, A);
    assert.equal(reply.language, 'en');
  });

  it('reads quotes, with and without media, and the image CIDs', () => {
    const quote = action(`at://${C}/app.bsky.feed.post/3l3qo2xpmhk2d`);
    assert.equal(quote.kind, 'quote');
    assert.equal(quote.targetPost, ORIGINAL);
    assert.equal(quote.targetActor, A);
    const withMedia = action(`at://${B}/app.bsky.feed.post/3l3qo2ybzxs2e`);
    assert.equal(withMedia.kind, 'quote');
    assert.equal(withMedia.targetActor, C);
    assert.equal(withMedia.text, null, 'an empty text is no text');
    assert.deepEqual(withMedia.mediaHashes, ['bafkreibme22gw2h7y2eunmmqq5y5jrgcbgqgcuyhbu7eyodoapwbatpzku']);
    const images = action(`at://${C}/app.bsky.feed.post/3l3qo2zpo7k2f`);
    assert.equal(images.kind, 'post');
    assert.deepEqual(images.mediaHashes, [
      'bafkreibme22gw2h7y2eunmmqq5y5jrgcbgqgcuyhbu7eyodoapwbatpzku', 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
    ]);
  });

  it('reads reposts, likes and follows with their targets', () => {
    const repost = action(`at://${B}/app.bsky.feed.repost/3l3qo32kxyc2g`);
    assert.deepEqual([repost.kind, repost.targetPost, repost.targetActor], ['repost', ORIGINAL, A]);
    const like = action(`at://${C}/app.bsky.feed.like/3l3qo33nrws2h`);
    assert.deepEqual([like.kind, like.targetPost, like.targetActor], ['like', ORIGINAL, A]);
    const follow = action(`at://${B}/app.bsky.graph.follow/3l3qo34cvfc2i`);
    assert.deepEqual([follow.kind, follow.targetPost, follow.targetActor], ['follow', null, A]);
  });

  it('reads identity and account events as actors', () => {
    assert.deepEqual(results[8]?.actors.map((actor) => [actor.id, actor.handle]), [[A, 'hk-truth.bsky.social']]);
    assert.deepEqual(results[9]?.actors.map((actor) => [actor.id, actor.handle]), [[B, null]]);
  });

  it('reads the pre-October-2024 short form', () => {
    const legacy = action(`at://${C}/app.bsky.feed.repost/3l3f6nzkqpg2s`);
    assert.equal(legacy.time, 1725516665333);
    assert.equal(legacy.targetActor, A);
  });

  it('uses createdAt only when asked to, and time_us when createdAt is unusable', () => {
    const quoteEvent = events[2];
    assert.equal(readJetstreamEvent(quoteEvent).actions[0]?.time, 1725911164500);
    assert.equal(readJetstreamEvent(quoteEvent, { time: 'created' }).actions[0]?.time, Date.UTC(2019, 0, 1));
    const noDate = { did: A, time_us: 1725911162329308, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.like', rkey: 'x', record: { subject: { uri: ORIGINAL }, createdAt: 'soon' } } };
    assert.equal(readJetstreamEvent(noDate, { time: 'created' }).actions[0]?.time, 1725911162329);
  });
});

describe('readJetstreamEvent on bad input', () => {
  const base = { did: A, time_us: 1725911162329308, kind: 'commit' };
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /expected a Jetstream event object, got null/],
    ['a list', [base], /got a list/],
    ['an empty object', {}, /did/],
    ['a DID that is not one', { ...base, did: 'alice' }, /did: expected a DID/],
    ['a time in a string', { ...base, time_us: '1725911162329308' }, /time_us/],
    ['a commit without its commit', base, /commit event of did:plc:w4xbfzo7kqfes5zb7r6qv3rw: Invalid input/],
    ['an unknown operation', { ...base, commit: { operation: 'upsert', collection: 'app.bsky.feed.post', rkey: 'a', record: {} } }, /operation/],
    ['a create without record', { ...base, commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'a' } }, /app.bsky.feed.post\/a: a create without a record/],
    ['a like without subject', { ...base, commit: { operation: 'create', collection: 'app.bsky.feed.like', rkey: 'a', record: { subject: 5 } } }, /like\/a: subject/],
    ['a follow of a non-DID', { ...base, commit: { operation: 'create', collection: 'app.bsky.graph.follow', rkey: 'a', record: { subject: 'bob' } } }, /subject: expected a DID/],
    ['an identity without identity', { ...base, kind: 'identity' }, /no identity object/],
    ['an unknown kind', { ...base, kind: 'telepathy' }, /unknown kind "telepathy"/],
    ['a huge string', 'x'.repeat(5_000_000), /got "x{40}…"/],
  ];
  for (const [name, value, problem] of cases) {
    it(`reports ${name}`, () => {
      const result = readJetstreamEvent(value);
      assert.equal(result.actions.length + result.actors.length, 0);
      assert.equal(result.problems.length, 1);
      assert.match(result.problems[0] ?? '', problem);
    });
  }

  it('ingests a post with a malformed part and names the part', () => {
    const result = readJetstreamEvent({ ...base, commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'a', record: { text: 'hi', facets: 'none', reply: { parent: 3 } } } });
    assert.equal(result.actions[0]?.kind, 'post');
    assert.equal(result.actions[0]?.text, 'hi');
    assert.equal(result.problems.length, 2);
    assert.match(result.problems.join('\n'), /facets: expected a list/);
    assert.match(result.problems.join('\n'), /reply: parent/);
  });

  it('does not take a quoted feed generator for a quoted post', () => {
    const result = readJetstreamEvent({ ...base, commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'a', record: { text: 'my feed', embed: { $type: 'app.bsky.embed.record', record: { uri: `at://${A}/app.bsky.feed.generator/news` } } } } });
    assert.equal(result.actions[0]?.kind, 'post');
    assert.equal(result.actions[0]?.targetPost, null);
  });
});

describe('parseAtUri', () => {
  it('splits an AT URI and keeps the DID only when the authority is one', () => {
    assert.deepEqual(parseAtUri(ORIGINAL), { did: A, collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b' });
    assert.deepEqual(parseAtUri('at://alice.bsky.social/app.bsky.feed.post/1'), { did: null, collection: 'app.bsky.feed.post', rkey: '1' });
    assert.equal(parseAtUri('https://bsky.app/profile/alice'), null);
  });
});

describe('readJetstreamEvent properties', () => {
  const eventLike = fc.record({
    did: fc.oneof(fc.constant(A), fc.anything()),
    time_us: fc.oneof(fc.integer({ min: 1, max: 2 ** 52 }), fc.anything()),
    kind: fc.oneof(fc.constantFrom('commit', 'identity', 'account', 'sync'), fc.anything()),
    commit: fc.oneof(fc.record({
      operation: fc.oneof(fc.constant('create'), fc.anything()),
      collection: fc.constantFrom('app.bsky.feed.post', 'app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow'),
      rkey: fc.string({ minLength: 1 }),
      record: fc.oneof(fc.dictionary(fc.constantFrom('text', 'langs', 'facets', 'embed', 'reply', 'subject', 'tags', 'createdAt'), fc.anything())),
    }, { requiredKeys: [] }), fc.anything()),
    identity: fc.anything(), account: fc.anything(),
  }, { requiredKeys: [] });

  it('never throws, and gives data or a problem unless the event is a skipped kind', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything(), eventLike), (value) => {
      const result = readJetstreamEvent(value);
      const read = result.actions.length + result.actors.length + result.problems.length;
      if (read === 0) {
        // Only well-formed events that are skipped on purpose may give nothing.
        const event = value as { kind?: unknown; commit?: { operation?: unknown; collection?: unknown }; identity?: { handle?: unknown } };
        const handle = event.identity?.handle;
        const skipped = event.kind === 'sync'
          || (event.kind === 'identity' && (handle === undefined || handle === null || handle === '' || handle === 'handle.invalid'))
          || (event.kind === 'commit' && event.commit?.operation !== 'create');
        if (!skipped) assert.fail(`nothing read from ${inspect(value)}`);
      }
      for (const action of result.actions) {
        // time_us is a positive count of microseconds, so a time in milliseconds is at least 0 (time_us 1..999 is 0).
        assert.ok(Number.isInteger(action.time) && action.time >= 0);
        assert.ok(action.id.startsWith(`at://${action.actorId}/`));
        assert.ok(!action.urls.includes('') && !action.hashtags.includes(''));
      }
    }), { numRuns: 3000 });
  });
});
