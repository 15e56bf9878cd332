// node:test's describe/it return promises that the test runner itself awaits.
 
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { normalizeAll, normalizeUrl } from '../model/index.js';
import type { Action } from '../model/index.js';
import { readTwitterV2Value } from './twitter-v2.js';
import type { RecordResult } from './record-result.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./test-support/${name}`, import.meta.url), 'utf8');
}

const page: unknown = JSON.parse(fixture('twitter-v2-page.json'));
const flatLines: unknown[] = fixture('twitter-v2-flat.jsonl').trim().split('\n').map((line): unknown => JSON.parse(line));

function byId(result: RecordResult, id: string): Action {
  const action = result.actions.find((candidate) => candidate.id === id);
  assert.ok(action, `action ${id} was not read`);
  return action;
}

describe('readTwitterV2Value on a response page', () => {
  const result = readTwitterV2Value(page);

  it('reads the tweets of data and includes.tweets, and leaves out the one without created_at', () => {
    assert.deepEqual(result.actions.map((action) => action.id).sort(), [
      '1163300000000000100', '1163369341466386432', '1163369402000000001', '1163369500000000003', '1163369600000000004',
    ]);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0] ?? '', /1163369700000000005.*created_at/);
  });

  it('maps an original post with its links, hashtags, mentions, language and client', () => {
    const post = byId(result, '1163369341466386432');
    assert.equal(post.platform, 'twitter');
    assert.equal(post.kind, 'post');
    assert.equal(post.actorId, '1016218357425733633');
    assert.equal(post.time, Date.UTC(2019, 7, 19, 8, 2, 11));
    assert.equal(post.targetPost, null);
    assert.equal(post.language, 'zh');
    assert.equal(post.clientApp, 'Twitter Web App');
    assert.ok(post.text?.startsWith('香港不需要暴力'));
    // The photo link (media_key) is an attachment, not a shared URL; utm_source is dropped, the host lower-cased.
    assert.deepEqual(post.urls, ['https://news.example.com/hk/2019/08/19/story?id=7']);
    assert.deepEqual(post.hashtags, ['standwithhongkongpolice', 'hongkong']);
    assert.deepEqual(post.mentions, ['hkpoliceforce']);
    assert.deepEqual(post.mediaHashes, []);
  });

  it('maps a retweet to a repost of the original, by the original author', () => {
    const repost = byId(result, '1163369402000000001');
    assert.equal(repost.kind, 'repost');
    assert.equal(repost.targetPost, '1163369341466386432');
    assert.equal(repost.targetActor, '1016218357425733633');
    assert.equal(repost.clientApp, null);
    assert.deepEqual(repost.urls, ['https://news.example.com/hk/2019/08/19/story?id=7']);
  });

  it('maps a quote, with the quoted author found in includes.tweets', () => {
    const quote = byId(result, '1163369500000000003');
    assert.equal(quote.kind, 'quote');
    assert.equal(quote.targetPost, '1163300000000000100');
    assert.equal(quote.targetActor, '1019000000000000004');
  });

  it('maps a reply to the replied-to tweet and user', () => {
    const reply = byId(result, '1163369600000000004');
    assert.equal(reply.kind, 'reply');
    assert.equal(reply.targetPost, '1163300000000000100');
    assert.equal(reply.targetActor, '1019000000000000004');
    assert.deepEqual(reply.mentions, ['rioter_watch']);
  });

  it('reads includes.users as actors', () => {
    assert.equal(result.actors.length, 4);
    const first = result.actors.find((actor) => actor.id === '1016218357425733633');
    assert.deepEqual(first, {
      platform: 'twitter', id: '1016218357425733633', kind: 'account', handle: 'hk_truth_2019', displayName: '香港真相',
      createdAt: Date.UTC(2018, 6, 9, 7, 11, 40), followers: 12, following: 48, language: null, location: 'Hong Kong',
      description: '真相只有一個',
    });
    const empty = result.actors.find((actor) => actor.id === '1018000000000000003');
    assert.equal(empty?.description, null, 'an empty description is no description');
  });
});

describe('readTwitterV2Value on twarc2 flattened tweets', () => {
  const results = flatLines.map(readTwitterV2Value);

  it('reads each line as one tweet and its embedded author, without problems', () => {
    assert.deepEqual(results.map((result) => result.problems), [[], []]);
    assert.deepEqual(results.map((result) => result.actions.length), [1, 1]);
    assert.deepEqual(results.map((result) => result.actors.map((actor) => actor.handle)), [['Lily_Chan_88'], ['Lily_Chan_88']]);
    assert.equal(results[0]?.actors[0]?.followers, 3);
  });

  it('takes the target author from an expanded reference', () => {
    const repost = results[0]?.actions[0];
    assert.equal(repost?.kind, 'repost');
    assert.equal(repost?.targetActor, '1016218357425733633');
    const reply = results[1]?.actions[0];
    assert.equal(reply?.kind, 'reply');
    assert.equal(reply?.targetActor, '1019000000000000004');
  });

  it('reads a JSON list of tweets like a page', () => {
    const result = readTwitterV2Value(flatLines);
    assert.equal(result.actions.length, 2);
    assert.deepEqual(result.problems, []);
  });
});

describe('readTwitterV2Value on bad input', () => {
  const tweet = { id: '5', author_id: '7', created_at: '2019-08-19T08:02:11.000Z', text: 'x' };

  for (const [name, value] of [
    ['null', null], ['a number', 42], ['a string', 'tweet'], ['an empty object', {}], ['a list of lists', [[tweet]]],
    ['data that is a string', { data: 'tweet' }], ['data that is null', { data: null }],
    ['a huge string', 'x'.repeat(5_000_000)], ['an object with a huge id', { id: 9, author_id: 'x'.repeat(1_000_000) }],
  ] as const) {
    it(`reports ${name} as a problem without throwing`, () => {
      const result = readTwitterV2Value(value);
      assert.equal(result.actions.length, 0);
      assert.ok(result.problems.length > 0);
      assert.ok(result.problems.every((problem) => problem.length < 300), 'problem lines stay short');
    });
  }

  it('names the missing fields of a tweet', () => {
    const result = readTwitterV2Value({ id: '5', text: 'no author' });
    assert.deepEqual(result.problems, ['tweet 5: missing or invalid author_id, created_at; not ingested']);
  });

  it('rejects a tweet whose created_at is not a time, and reads the rest of the page', () => {
    const result = readTwitterV2Value({ data: [{ ...tweet, created_at: 'yesterday' }, { ...tweet, id: '6' }] });
    assert.deepEqual(result.actions.map((action) => action.id), ['6']);
    assert.match(result.problems[0] ?? '', /^tweet 5: created_at "yesterday" is not an ISO 8601 time/);
  });

  it('ingests a tweet with a wrongly typed optional field, and says which field was ignored', () => {
    const result = readTwitterV2Value({ ...tweet, lang: 5, entities: { hashtags: [{ tag: 'HK' }, { tag: 3 }] } });
    assert.equal(result.actions.length, 1);
    assert.equal(result.actions[0]?.language, null);
    assert.deepEqual(result.actions[0]?.hashtags, ['hk']);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems.join('\n'), /tweet 5 lang/);
    assert.match(result.problems.join('\n'), /tweet 5 entities.hashtags: 1 of 2 items/);
  });

  it('accepts an empty search result and reports a page that carries only API errors', () => {
    assert.deepEqual(readTwitterV2Value({ meta: { result_count: 0 } }), { actors: [], actions: [], problems: [] });
    const errors = readTwitterV2Value({ errors: [{ title: 'Not Found Error', detail: 'Could not find tweet with ids: [1].' }] });
    assert.match(errors.problems[0] ?? '', /without data.*1 error.*Could not find tweet/);
  });

  it('reads the whole text and entities of a long post from note_tweet', () => {
    const long = 'A'.repeat(300) + ' #HongKong https://t.co/long';
    const result = readTwitterV2Value({
      ...tweet, text: `${long.slice(0, 270)}… https://t.co/more`,
      entities: { urls: [{ url: 'https://t.co/more', expanded_url: 'https://twitter.com/i/web/status/5' }] },
      note_tweet: { text: long, entities: { hashtags: [{ tag: 'HongKong' }], urls: [{ url: 'https://t.co/long', expanded_url: 'https://long.example/' }] } },
    });
    assert.deepEqual(result.problems, []);
    assert.equal(result.actions[0]?.text, long);
    assert.deepEqual(result.actions[0]?.hashtags, ['hongkong']);
    assert.deepEqual(result.actions[0]?.urls, ['https://long.example/']);
  });

  it('reads a single tweet given as data (tweet lookup, filtered stream)', () => {
    const result = readTwitterV2Value({ data: tweet, matching_rules: [{ id: '1', tag: 'hk' }] });
    assert.deepEqual(result.actions.map((action) => action.id), ['5']);
  });
});

/** Pages that legitimately hold nothing: the only inputs allowed to give neither data nor a problem. */
function isEmptyInput(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((item) => !Array.isArray(item) && isEmptyInput(item));
  if (typeof value !== 'object' || value === null) return false;
  const data: unknown = (value as Record<string, unknown>)['data'];
  const meta: unknown = (value as Record<string, unknown>)['meta'];
  if (Array.isArray(data)) return data.length === 0;
  return data === undefined && typeof meta === 'object' && meta !== null && (meta as Record<string, unknown>)['result_count'] === 0;
}

describe('readTwitterV2Value properties', () => {
  const tweetLike = fc.record({
    id: fc.oneof(fc.stringMatching(/^[0-9]{1,19}$/), fc.anything()),
    author_id: fc.oneof(fc.stringMatching(/^[0-9]{1,19}$/), fc.anything()),
    created_at: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.anything()),
    text: fc.anything(), lang: fc.anything(), entities: fc.anything(), referenced_tweets: fc.anything(), author: fc.anything(),
  }, { requiredKeys: [] });
  const pageLike = fc.record({ data: fc.oneof(tweetLike, fc.array(tweetLike), fc.anything()), includes: fc.anything(), meta: fc.anything() }, { requiredKeys: [] });
  const anyInput = fc.oneof(fc.jsonValue(), fc.anything(), tweetLike, pageLike, fc.array(pageLike, { maxLength: 3 }));

  it('never throws, and gives data or a problem unless the input is an empty page', () => {
    fc.assert(fc.property(anyInput, (value) => {
      const result = readTwitterV2Value(value);
      const read = result.actions.length + result.actors.length + result.problems.length;
      assert.ok(read > 0 || isEmptyInput(value));
      for (const action of result.actions) {
        assert.ok(Number.isFinite(action.time));
        assert.ok(action.id !== '' && action.actorId !== '');
        assert.ok(!action.urls.includes(''));
      }
    }), { numRuns: 2000 });
  });

  it('round-trips the fields of a valid tweet', () => {
    const reference = fc.option(fc.record({
      type: fc.constantFrom('retweeted', 'quoted', 'replied_to'), id: fc.stringMatching(/^[1-9][0-9]{0,18}$/),
    }), { nil: undefined });
    fc.assert(fc.property(
      fc.stringMatching(/^[1-9][0-9]{0,18}$/), fc.stringMatching(/^[1-9][0-9]{0,18}$/),
      fc.date({ min: new Date('2006-03-21T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
      fc.string({ minLength: 1, unit: 'grapheme' }), fc.constantFrom('en', 'zh', 'ru', 'und'),
      fc.array(fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), { maxLength: 5 }),
      fc.array(fc.stringMatching(/^[A-Za-z0-9_]{1,15}$/), { maxLength: 5 }),
      fc.array(fc.webUrl(), { maxLength: 4 }), reference,
      (id, authorId, date, text, lang, tags, names, urls, ref) => {
        const result = readTwitterV2Value({
          id, author_id: authorId, created_at: date.toISOString(), text, lang,
          ...(ref === undefined ? {} : { referenced_tweets: [ref] }),
          entities: {
            hashtags: tags.map((tag) => ({ tag })),
            mentions: names.map((username) => ({ username })),
            urls: urls.map((url) => ({ url: 'https://t.co/x', expanded_url: url })),
          },
        });
        assert.deepEqual(result.problems, []);
        assert.equal(result.actions.length, 1);
        const action = result.actions[0];
        const kinds = { retweeted: 'repost', quoted: 'quote', replied_to: 'reply' } as const;
        assert.deepEqual(action, {
          platform: 'twitter', id, actorId: authorId, kind: ref === undefined ? 'post' : kinds[ref.type], time: date.getTime(),
          targetPost: ref?.id ?? null, targetActor: null, text, language: lang,
          urls: normalizeAll(urls, normalizeUrl),
          hashtags: [...new Set(tags.map((tag) => tag.toLowerCase()))],
          mentions: [...new Set(names.map((name) => name.toLowerCase()))],
          mediaHashes: [], clientApp: null,
        });
      },
    ), { numRuns: 500 });
  });
});
