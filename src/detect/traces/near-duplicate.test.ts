import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import { FIXTURES } from '../../test-support/fixtures.js';
import { exactJaccard } from './minhash.js';
import { NEAR_DUPLICATE_DEFAULTS, nearDuplicateTrace } from './near-duplicate.js';
import type { NearDuplicateOptions, NearDuplicateResult } from './near-duplicate.js';
import { textShingles } from './shingles.js';

/** Runs the trace on texts posted one minute apart, post i by actor n − 1 − i. */
function trace(texts: readonly (string | null)[], options?: Partial<NearDuplicateOptions>): NearDuplicateResult {
  const n = texts.length;
  return nearDuplicateTrace(
    { actor: Int32Array.from({ length: n }, (_, i) => n - 1 - i), time: Float64Array.from({ length: n }, (_, i) => i * 60_000), text: texts, actorCount: n },
    options,
  );
}

/** The key of each post (-1: no event). */
function keysOf(result: NearDuplicateResult, n: number): number[] {
  const keys = new Array<number>(n).fill(-1);
  result.source.forEach((post, e) => (keys[post] = result.events.key[e]!));
  return keys;
}

const EN = 'I am a Hong Kong citizen and I am tired of the violence. The rioters destroy our MTR stations, beat innocent people and block the roads every weekend. They do not represent Hong Kong and they never will. Please support our police and let us return to a peaceful life.';
const EN_EDITS = [
  EN.replace('tired', 'sick'),
  EN.replaceAll('.', '!!!').replaceAll(',', ''),
  `${EN} 🙏🇭🇰`,
  `${EN} #StandWithHKPolice`,
  `${EN} https://t.co/9xKq2LmZ1a`,
  `${EN} https://t.co/Zz81PqRt0b`,
  `RT @hkpeace_2019: ${EN}`,
  `@SCMPNews ${EN}`,
];
const ZH = '香港是中国的香港，我们坚决支持香港警察严正执法，反对一切暴力行为。那些破坏港铁、堵塞道路、殴打市民的暴徒不能代表香港人，请还香港一个安宁！';
const ZH_EDITS = [
  ZH.replace('坚决', '坚定'),
  ZH.replace('安宁', '安定'),
  ZH.replaceAll('，', ',').replaceAll('。', '.'),
  `${ZH}😡😡`,
  `${ZH} #香港# #守护香港#`,
  `${ZH} https://t.co/AbC123xyz`,
  `RT @xinhua_hk: ${ZH}`,
];
const UNRELATED = [
  'Just tried the new dim sum place near the harbour and the char siu bao were amazing, going back next weekend with my family',
  'The typhoon signal number eight has been raised, all schools are closed and ferries suspended until further notice from the observatory',
  'Lakers lost again tonight, the defence was terrible in the fourth quarter and nobody could hit a three pointer to save the game',
  '今天天气很好，我们一家人去太平山顶看夜景，维多利亚港的灯光真漂亮，下次还要带朋友一起来',
  '明天的考试好紧张，复习了一整个星期还是觉得数学那一章没有看懂，希望老师不要出太难的题目',
  '東京オリンピックの開催について、政府は安全対策を十分に講じると発表しました。',
  'รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากน้ำท่วม',
];

describe('nearDuplicateTrace: edge cases', () => {
  it('returns no events, no groups and zero counts for empty input', () => {
    const result = trace([]);
    assert.equal(result.events.actor.length, 0);
    assert.equal(result.events.keyCount, 0);
    assert.deepEqual(result.groups, []);
    assert.deepEqual([result.stats.posts, result.stats.distinctTexts, result.stats.groups, result.stats.comparisons], [0, 0, 0, 0]);
  });

  it('gives no event to a post whose text is not shared (singletons) or absent', () => {
    const result = trace([...UNRELATED, null, '']);
    assert.equal(result.events.actor.length, 0);
    assert.equal(result.stats.withoutText, 2);
    assert.equal(result.stats.distinctTexts, UNRELATED.length);
  });

  it('never keys short texts, however many accounts post them', () => {
    const result = trace([...Array<string>(500).fill('lol'), ...Array<string>(300).fill('香港加油！'), ...Array<string>(200).fill('so true 👍 https://t.co/x')]);
    assert.equal(result.events.actor.length, 0);
    assert.equal(result.stats.tooShort, 1_000);
  });

  it('rejects inconsistent input and bad options with detect/bad-input', () => {
    const bad = (run: () => unknown): void => {
      assert.throws(run, (error: unknown) => error instanceof LockstepError && error.code === 'detect/bad-input');
    };
    bad(() => nearDuplicateTrace({ actor: new Int32Array(2), time: new Float64Array(2), text: ['a'], actorCount: 1 }));
    bad(() => nearDuplicateTrace({ actor: Int32Array.of(3), time: Float64Array.of(0), text: ['a'], actorCount: 1 }));
    bad(() => nearDuplicateTrace({ actor: Int32Array.of(0), time: Float64Array.of(NaN), text: ['a'], actorCount: 1 }));
    bad(() => trace(['a'], { threshold: 0 }));
    bad(() => trace(['a'], { numHashes: 0 }));
    bad(() => trace(['a'], { bands: 100 }));
    bad(() => trace(['a'], { wordShingle: 1.5 }));
  });
});

describe('nearDuplicateTrace: copypasta', () => {
  it('puts identical texts under one key without comparing them', () => {
    const result = trace(Array<string>(20_000).fill(EN));
    assert.equal(result.events.actor.length, 20_000);
    assert.deepEqual(result.groups, [{ key: 0, size: 20_000, variants: 1, sample: EN }]);
    assert.equal(result.stats.distinctTexts, 1);
    assert.equal(result.stats.comparisons, 0);
  });

  it('groups an English copypasta with small edits: a word swapped, punctuation, emoji, hashtag, URL, RT, mention', () => {
    const texts = [EN, ...EN_EDITS, ...UNRELATED];
    const keys = keysOf(trace(texts), texts.length);
    assert.deepEqual(keys.slice(0, 1 + EN_EDITS.length), Array<number>(1 + EN_EDITS.length).fill(0));
    assert.deepEqual(keys.slice(1 + EN_EDITS.length), Array<number>(UNRELATED.length).fill(-1));
  });

  it('groups a Chinese copypasta with one character changed, punctuation, emoji, hashtags, URL, RT', () => {
    const texts = [...UNRELATED, ZH, ...ZH_EDITS];
    const result = trace(texts);
    const keys = keysOf(result, texts.length);
    assert.deepEqual(keys.slice(UNRELATED.length), Array<number>(1 + ZH_EDITS.length).fill(0));
    assert.deepEqual(keys.slice(0, UNRELATED.length), Array<number>(UNRELATED.length).fill(-1));
    assert.equal(result.groups[0]!.sample, ZH);
    assert.equal(result.stats.charShingled >= 2, true);
  });

  it('groups Japanese and Thai near-duplicates by character shingles, apart from each other', () => {
    const ja = '東京オリンピックの開催について、政府は安全対策を十分に講じると発表しました。';
    const th = 'รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากน้ำท่วม';
    const texts = [ja, th, ja.replace('十分に', '十分'), th.replace('ใหม่', 'ใหม่ๆ'), '大阪の天気は明日から雨が続くと気象台が発表しました。'];
    const result = trace(texts);
    assert.deepEqual(keysOf(result, texts.length), [0, 1, 0, 1, -1]);
    assert.equal(result.stats.charShingled, 5);
  });

  it('keeps separate campaigns under separate keys, numbered by first post, with their actors and times', () => {
    const texts = [ZH, 'unrelated chatter about the weather today', EN, ZH_EDITS[0]!, EN_EDITS[0]!, EN_EDITS[1]!];
    const result = trace(texts);
    assert.deepEqual([...result.events.key], [0, 1, 0, 1, 1]);
    assert.deepEqual([...result.events.actor], [5, 3, 2, 1, 0]);
    assert.deepEqual([...result.source], [0, 2, 3, 4, 5]);
    assert.deepEqual([...result.events.time], [0, 120_000, 180_000, 240_000, 300_000]);
    assert.equal(result.events.keyCount, 2);
    assert.equal(result.events.actorCount, texts.length);
    assert.deepEqual(result.groups.map(({ key, size, variants }) => ({ key, size, variants })), [
      { key: 0, size: 2, variants: 2 },
      { key: 1, size: 3, variants: 2 }, // punctuation-only edits leave the prepared text unchanged
    ]);
  });

  it('caps band buckets of many distinct variants, counts what it skipped, and still finds one group', () => {
    const texts = Array.from({ length: 300 }, (_, i) => `${EN} variant${i}`);
    const result = trace(texts, { maxBucketSize: 5 });
    assert.equal(result.groups.length, 1);
    assert.equal(result.groups[0]!.size, 300);
    assert.ok(result.stats.bucketsCapped > 0);
    assert.ok(result.stats.candidatePairsSkipped > 0);
    assert.ok(result.stats.comparisons < 300 * 5 * result.stats.bands, `${result.stats.comparisons} comparisons`);
  });

  it('gives the same result for the same seed, and the same groups here for another seed', () => {
    const texts = [EN, ...UNRELATED, ...EN_EDITS, ZH, ...ZH_EDITS];
    assert.deepEqual(trace(texts, { seed: 42 }), trace(texts, { seed: 42 }));
    assert.deepEqual(keysOf(trace(texts, { seed: 1 }), texts.length), keysOf(trace(texts, { seed: 2 }), texts.length));
  });
});

describe('nearDuplicateTrace: similarity guarantees', () => {
  const WORDS = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}`);
  /** A base text of distinct words and a copy with `edits` words replaced by fresh ones. */
  const arbitraryPair = fc
    .record({ start: fc.nat(4_000), length: fc.integer({ min: 60, max: 300 }), edits: fc.integer({ min: 0, max: 60 }), positions: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), seed: fc.integer() })
    .map(({ start, length, edits, positions, seed }) => {
      const base = Array.from({ length }, (_, i) => WORDS[(start + i) % WORDS.length]!);
      const copy = base.slice();
      for (let e = 0; e < Math.min(edits, length); e++) copy[positions[e]! % length] = `x${e}`;
      return { a: base.join(' '), b: copy.join(' '), seed };
    });

  it('groups texts with Jaccard ≥ 0.95 (≥ 99% of pairs) and never those with Jaccard ≤ 0.3', () => {
    let high = 0;
    let highGrouped = 0;
    let low = 0;
    for (const { a, b, seed } of fc.sample(arbitraryPair, { numRuns: 600, seed: 20190819 })) {
      const jaccard = exactJaccard(textShingles(a)!, textShingles(b)!);
      const grouped = trace([a, b], { seed }).events.actor.length === 2;
      if (jaccard >= 0.95) {
        high++;
        if (grouped) highGrouped++;
      } else if (jaccard <= 0.3) {
        low++;
        assert.equal(grouped, false, `Jaccard ${jaccard} grouped`);
      } else if (jaccard < NEAR_DUPLICATE_DEFAULTS.threshold) {
        assert.equal(grouped, false, `Jaccard ${jaccard} is below the threshold but grouped`);
      }
    }
    assert.ok(high >= 50 && low >= 50, `samples: ${high} high, ${low} low`);
    assert.ok(highGrouped / high >= 0.99, `${highGrouped}/${high} grouped`);
  });
});

describe('nearDuplicateTrace: real tweets (Twitter IO archive, russia_201901_1 sample)', () => {
  it('finds exactly the groups of a brute-force all-pairs Jaccard reference', () => {
    const rows = parse(readFileSync(FIXTURES.ioTweets), {
      columns: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_error: true,
    }) as Record<string, string>[];
    const texts = rows.map((row) => row['tweet_text'] ?? null);
    // Make near-duplicates out of real tweets: every 10th tweet is re-posted with a new link and an emoji.
    const posts = [...texts, ...texts.filter((_, i) => i % 10 === 0).map((t) => `${t ?? ''} 🔥 https://t.co/repost${t?.length ?? 0}`)];
    const result = trace(posts);

    // Reference: union-find over every pair with exact Jaccard ≥ 0.8.
    const sets = posts.map((t) => (t === null ? null : textShingles(t)));
    const parent = posts.map((_, i) => i);
    const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
    for (let i = 0; i < posts.length; i++) {
      for (let j = i + 1; j < posts.length; j++) {
        const x = sets[i];
        const y = sets[j];
        if (x && y && exactJaccard(x, y) >= 0.8) parent[find(i)] = find(j);
      }
    }
    const size = new Map<number, number>();
    posts.forEach((_, i) => size.set(find(i), (size.get(find(i)) ?? 0) + 1));
    const keys = keysOf(result, posts.length);
    let grouped = 0;
    for (let i = 0; i < posts.length; i++) {
      const inReference = size.get(find(i))! >= 2;
      assert.equal(keys[i]! >= 0, inReference, `post ${i}: ${posts[i]}`);
      if (inReference) grouped++;
      for (let j = 0; j < i; j++) if (keys[i]! >= 0 && find(i) === find(j)) assert.equal(keys[i], keys[j]);
    }
    assert.ok(grouped >= 60, `${grouped} grouped posts`);
    assert.equal(result.stats.posts, posts.length);
  });
});
