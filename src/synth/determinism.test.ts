import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { LockstepError } from '../model/index.js';
import { snowflakeTime } from './format.js';
import { generateSynthetic } from './generate.js';
import { mulberry32, type RngFactory } from './rng.js';

function digest(rows: Iterable<string[]>): { rows: number; hash: string } {
  const hash = createHash('sha256');
  let count = 0;
  for (const row of rows) {
    hash.update(row.join('\u0001'));
    hash.update('\n');
    count++;
  }
  return { rows: count, hash: hash.digest('hex') };
}

function fingerprint(options: Parameters<typeof generateSynthetic>[0]): Record<'tweets' | 'users' | 'truth', { rows: number; hash: string }> {
  const synth = generateSynthetic(options);
  return { tweets: digest(synth.tweets), users: digest(synth.users), truth: digest(synth.truth) };
}

describe('determinism and variation', () => {
  it('the same (seed, scale) gives identical tables, and re-iterating gives them again', () => {
    const a = fingerprint({ seed: 7, scale: 0.1 });
    const b = fingerprint({ seed: 7, scale: 0.1 });
    assert.deepEqual(a, b);
    const synth = generateSynthetic({ seed: 7, scale: 0.1 });
    assert.deepEqual(digest(synth.tweets), a.tweets);
    assert.deepEqual(digest(synth.tweets), a.tweets);
  });

  it('another seed gives other rows, and another scale another world', () => {
    const a = fingerprint({ seed: 7, scale: 0.1 });
    const b = fingerprint({ seed: 8, scale: 0.1 });
    assert.notEqual(a.tweets.hash, b.tweets.hash);
    assert.notEqual(a.users.hash, b.users.hash);
    assert.notEqual(a.truth.hash, b.truth.hash);
    assert.notEqual(a.tweets.rows, b.tweets.rows);
    const c = fingerprint({ seed: 7, scale: 0.2 });
    assert.notEqual(c.users.rows, a.users.rows);
  });

  it('seeds change sizes, timings, counts and mixes, not just the order', () => {
    const summaries = [1, 2, 3, 4, 5, 6].map((seed) => generateSynthetic({ seed, scale: 1 }).summary);
    const distinct = <T>(values: T[]): number => new Set(values.map((v) => JSON.stringify(v))).size;
    assert.ok(distinct(summaries.map((s) => s.campaigns.length)) >= 3, 'campaign counts');
    assert.ok(distinct(summaries.map((s) => s.coordinatedAccounts)) >= 5, 'coordinated accounts');
    assert.ok(distinct(summaries.map((s) => s.campaigns.map((c) => c.size))) === 6, 'campaign sizes');
    assert.ok(distinct(summaries.map((s) => s.campaigns.map((c) => c.style).sort())) >= 5, 'style mixes');
    assert.ok(distinct(summaries.map((s) => s.campaigns.map((c) => Math.round(c.medianDelaySeconds)))) === 6, 'delays');
    assert.ok(distinct(summaries.map((s) => s.campaigns.map((c) => c.activeFrom))) === 6, 'active periods');
    assert.ok(distinct(summaries.map((s) => [s.viralCascades.length, s.liveEvents.length, s.syndicatedFeeds.length, s.fanCommunities.length])) >= 3, 'confounder counts');
    assert.ok(distinct(summaries.map((s) => s.fanCommunities.map((f) => f.fans))) === 6, 'fan community sizes');
    assert.ok(distinct(summaries.map((s) => s.expectedTweets)) === 6, 'volumes');
  });

  it('uses an injected RNG for every stream', () => {
    let made = 0;
    const counting: RngFactory = (seed) => {
      made++;
      return mulberry32(seed ^ 0x5bd1e995);
    };
    const injected = fingerprint({ seed: 7, scale: 0.1, rng: counting });
    assert.ok(made > 500, `the factory was used ${made} times`);
    assert.notEqual(injected.tweets.hash, fingerprint({ seed: 7, scale: 0.1 }).tweets.hash);
  });

  it('second precision writes seconds, the ones the snowflake ids carry', () => {
    const synth = generateSynthetic({ seed: 3, scale: 0.1, timePrecision: 'second' });
    let withSeconds = 0;
    for (const row of synth.tweets) {
      const time = row[13] ?? '';
      assert.match(time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.equal(new Date(snowflakeTime(row[0] ?? '')).toISOString().slice(0, 19).replace('T', ' '), time);
      if (!time.endsWith(':00')) withSeconds++;
    }
    assert.ok(withSeconds > 0);
  });

  it('honours start and days', () => {
    const start = Date.UTC(2020, 0, 1);
    const synth = generateSynthetic({ seed: 2, scale: 0.1, start, days: 20 });
    for (const row of synth.tweets) {
      const ms = Date.parse(`${(row[13] ?? '').replace(' ', 'T')}:00Z`);
      assert.ok(ms >= start && ms < start + 20 * 86_400_000, `${row[13]} outside 2020-01-01 + 20 days`);
    }
  });

  it('rejects impossible options with cli/bad-option and a message naming the option', () => {
    const bad: Parameters<typeof generateSynthetic>[0][] = [
      { scale: 0 }, { scale: -1 }, { scale: Number.NaN }, { seed: 1.5 }, { days: 3 }, { start: Number.NaN },
      { timePrecision: 'hour' as 'minute' },
    ];
    for (const options of bad) {
      assert.throws(() => generateSynthetic(options), (error: unknown) => {
        assert.ok(error instanceof LockstepError);
        assert.equal(error.code, 'cli/bad-option');
        assert.match(error.message, /^--[a-z-]+: /);
        return true;
      }, JSON.stringify(options));
    }
  });

  it('streams lazily: the first rows of scale 100 (10M tweets) come without generating the rest', () => {
    const synth = generateSynthetic({ seed: 1, scale: 100 });
    assert.equal(synth.summary.accounts, 500_000);
    assert.ok(synth.summary.expectedTweets > 8_000_000 && synth.summary.expectedTweets < 12_000_000, `${synth.summary.expectedTweets}`);
    let rows = 0;
    for (const row of synth.tweets) {
      assert.equal(row.length, 31);
      if (++rows === 2000) break;
    }
    assert.equal(rows, 2000);
  });
});
