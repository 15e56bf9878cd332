import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { parseListField } from '../model/index.js';
import { HASH_BELOW_FOLLOWERS } from './accounts.js';
import { CAMPAIGN_STYLES } from './campaign-plan.js';
import { snowflakeTime } from './format.js';
import { generateSynthetic, type SynthTables } from './generate.js';
import { CONFOUNDERS, SYNTH_DEFAULTS } from './world.js';

const DATA = new URL('../../../shared/data/twitter-io/', import.meta.url);

function fixtureHeader(name: string): string[] {
  const text = readFileSync(new URL(name, DATA), 'utf8');
  const rows = parse(text.slice(0, text.indexOf('\n') + 1)) as string[][];
  return rows[0] ?? [];
}

const T = {
  tweetid: 0, userid: 1, display: 2, screen: 3, followers: 7, lang: 11, text: 12, time: 13,
  replyUser: 15, replyTweet: 16, quoted: 17, isRetweet: 18, rtUser: 19, rtTweet: 20, lat: 21, lon: 22,
  hashtags: 27, urls: 28, mentions: 29,
} as const;

const cell = (row: readonly string[], i: number): string => row[i] ?? '';

describe('synthetic archive at scale 1 (seed 1)', () => {
  let synth: SynthTables;
  let tweets: string[][];
  let users: string[][];
  let truth: string[][];
  const start = SYNTH_DEFAULTS.start;
  const end = start + SYNTH_DEFAULTS.days * 86_400_000;

  before(() => {
    synth = generateSynthetic({ seed: 1, scale: 1 });
    tweets = [...synth.tweets];
    users = [...synth.users];
    truth = [...synth.truth];
  });

  it('has exactly the headers of the real Information Operations files', () => {
    assert.deepEqual([...synth.tweetColumns], fixtureHeader('russia_201901_1_tweets_sample.csv'));
    assert.deepEqual([...synth.userColumns], fixtureHeader('china_082019_1_users_csv_hashed.csv'));
    assert.equal(synth.tweetColumns.length, 31);
    assert.deepEqual([...synth.truthColumns], ['userid', 'campaign', 'style', 'confounder']);
  });

  it('is about 100,000 tweets and 5,000 accounts, every row with the right column count', () => {
    assert.equal(users.length, 5000);
    assert.ok(tweets.length > 80_000 && tweets.length < 125_000, `${tweets.length} tweets`);
    for (const row of tweets) assert.equal(row.length, 31);
    for (const row of users) assert.equal(row.length, 10);
    for (const row of truth) assert.equal(row.length, 4);
    assert.ok(Math.abs(synth.summary.expectedTweets - tweets.length) / tweets.length < 0.15, 'the summary predicts the volume');
  });

  it('writes minute-precision times inside the period that agree with the snowflake ids', () => {
    for (const row of tweets) {
      const text = cell(row, T.time);
      assert.match(text, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      const ms = Date.parse(`${text.replace(' ', 'T')}:00Z`);
      assert.ok(ms >= start && ms < end, `${text} is outside the period`);
      const exact = snowflakeTime(cell(row, T.tweetid));
      assert.equal(Math.floor(exact / 60_000) * 60_000, ms, `tweet ${cell(row, T.tweetid)} id and time disagree`);
    }
  });

  it('has unique tweet ids and accounts; truth covers every account once; every author is in users', () => {
    assert.equal(new Set(tweets.map((r) => cell(r, T.tweetid))).size, tweets.length);
    const userIds = new Set(users.map((r) => cell(r, 0)));
    assert.equal(userIds.size, users.length);
    const truthIds = truth.map((r) => cell(r, 0));
    assert.equal(new Set(truthIds).size, truthIds.length);
    assert.deepEqual(new Set(truthIds), userIds);
    const userRow = new Map(users.map((r) => [cell(r, 0), r.join('\u0001')]));
    for (const row of tweets) {
      assert.ok(userIds.has(cell(row, T.userid)), `author ${cell(row, T.userid)} missing from users`);
      assert.equal(row.slice(1, 11).join('\u0001'), userRow.get(cell(row, T.userid)), 'account columns differ from users.csv');
    }
  });

  it('hashes accounts under 5,000 followers (id, name and handle) and keeps numeric ids above', () => {
    let hashed = 0;
    for (const row of users) {
      const followers = Number(cell(row, 6));
      if (followers < HASH_BELOW_FOLLOWERS) {
        hashed++;
        assert.match(cell(row, 0), /^[A-Za-z0-9+/]{43}=$/);
        assert.equal(cell(row, 1), cell(row, 0));
        assert.equal(cell(row, 2), cell(row, 0));
      } else {
        assert.match(cell(row, 0), /^[0-9]+$/);
        assert.notEqual(cell(row, 2), cell(row, 0));
      }
      assert.match(cell(row, 8), /^\d{4}-\d{2}-\d{2}$/);
    }
    assert.ok(hashed > 0.8 * users.length && hashed < users.length, `${hashed} hashed accounts`);
  });

  it('writes retweets, replies and quotes like the archive, pointing at tweets in the data', () => {
    const byId = new Map(tweets.map((r) => [cell(r, T.tweetid), r]));
    let retweets = 0;
    let replies = 0;
    for (const row of tweets) {
      if (cell(row, T.isRetweet) === 'true') {
        retweets++;
        const target = byId.get(cell(row, T.rtTweet));
        assert.ok(target !== undefined, `retweet of a missing tweet ${cell(row, T.rtTweet)}`);
        assert.equal(cell(target, T.userid), cell(row, T.rtUser));
        assert.match(cell(row, T.text), /^RT @[^:]+: /);
        assert.ok(parseListField(cell(row, T.mentions)).includes(cell(row, T.rtUser)));
        assert.ok(snowflakeTime(cell(row, T.tweetid)) > snowflakeTime(cell(row, T.rtTweet)), 'a retweet comes after its tweet');
      } else {
        assert.equal(cell(row, T.isRetweet), 'false');
        assert.equal(cell(row, T.rtUser), '');
        assert.equal(cell(row, T.rtTweet), '');
      }
      if (cell(row, T.replyTweet) !== '') {
        replies++;
        const target = byId.get(cell(row, T.replyTweet));
        assert.ok(target !== undefined && cell(target, T.userid) === cell(row, T.replyUser));
        assert.match(cell(row, T.text), /^@\S+ /);
      }
      if (cell(row, T.quoted) !== '') assert.ok(byId.has(cell(row, T.quoted)));
      assert.equal(cell(row, T.lat), 'absent');
      assert.equal(cell(row, T.lon), 'absent');
    }
    assert.ok(retweets > 0.15 * tweets.length && retweets < 0.7 * tweets.length, `${retweets} retweets`);
    assert.ok(replies > 0.01 * tweets.length, `${replies} replies`);
  });

  it('writes list fields as the archive does, mostly [] or [...], sometimes blank', () => {
    const forms = { empty: 0, blank: 0, items: 0 };
    for (const row of tweets) {
      for (const i of [T.hashtags, T.urls, T.mentions]) {
        const field = cell(row, i);
        if (field === '[]') forms.empty++;
        else if (field === '') forms.blank++;
        else {
          forms.items++;
          assert.match(field, /^\[.+\]$/);
          assert.ok(parseListField(field).length > 0);
        }
      }
      if (cell(row, T.isRetweet) === 'false') {
        for (const tag of parseListField(cell(row, T.hashtags))) assert.ok(cell(row, T.text).includes(`#${tag}`), `#${tag} not in the text`);
      }
    }
    assert.ok(forms.blank > 0 && forms.blank < forms.empty / 10, JSON.stringify(forms));
    assert.ok(forms.items > 0.1 * tweets.length, JSON.stringify(forms));
  });

  it('mixes Chinese and English text', () => {
    const han = tweets.filter((r) => /\p{Script=Han}/u.test(cell(r, T.text))).length;
    const latin = tweets.filter((r) => !/\p{Script=Han}/u.test(cell(r, T.text)) && /[A-Za-z]{3}/.test(cell(r, T.text))).length;
    assert.ok(han > 0.2 * tweets.length, `${han} Chinese tweets`);
    assert.ok(latin > 0.2 * tweets.length, `${latin} English tweets`);
    assert.ok(tweets.some((r) => cell(r, T.lang) === 'zh') && tweets.some((r) => cell(r, T.lang) === 'en'));
  });

  it('plants every style and every confounder, with 5-10% of accounts in campaigns of 8-60', () => {
    const styles = new Set(truth.filter((r) => cell(r, 1) !== '').map((r) => cell(r, 2)));
    assert.deepEqual([...styles].sort(), [...CAMPAIGN_STYLES].sort());
    const confounders = new Set(truth.filter((r) => cell(r, 1) === '').map((r) => cell(r, 3)));
    assert.deepEqual([...confounders].sort(), [...CONFOUNDERS].sort());
    const sizes = new Map<string, number>();
    for (const row of truth) {
      if (cell(row, 1) === '') {
        assert.equal(cell(row, 2), '');
        continue;
      }
      assert.match(cell(row, 1), /^c\d{2,}$/);
      assert.equal(cell(row, 3), '');
      sizes.set(cell(row, 1), (sizes.get(cell(row, 1)) ?? 0) + 1);
    }
    const coordinated = [...sizes.values()].reduce((a, b) => a + b, 0);
    assert.ok(coordinated >= 0.05 * users.length && coordinated <= 0.1 * users.length, `${coordinated} coordinated accounts`);
    for (const size of sizes.values()) assert.ok(size >= 8 && size <= 60, `campaign of ${size}`);
    assert.equal(coordinated, synth.summary.coordinatedAccounts);
  });

  it('every style and confounder is present for other seeds too, and campaigns stay within 5-10%', () => {
    for (const seed of [2, 3, 4, 5]) {
      const rows = [...generateSynthetic({ seed, scale: 1 }).truth];
      const styles = new Set(rows.filter((r) => cell(r, 1) !== '').map((r) => cell(r, 2)));
      const confounders = new Set(rows.filter((r) => cell(r, 1) === '').map((r) => cell(r, 3)));
      assert.equal(styles.size, CAMPAIGN_STYLES.length, `seed ${seed}: styles ${[...styles].join(',')}`);
      assert.equal(confounders.size, CONFOUNDERS.length, `seed ${seed}: confounders ${[...confounders].join(',')}`);
      const share = rows.filter((r) => cell(r, 1) !== '').length / rows.length;
      assert.ok(share >= 0.05 && share <= 0.1, `seed ${seed}: share ${share}`);
    }
  });
});
