import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { normalizeUrl, parseListField } from '../model/index.js';
import { snowflakeTime } from './format.js';
import { generateSynthetic } from './generate.js';
import { POPULAR_TAGS } from './text.js';

/** One tweet as a test reads it back from the rows. */
interface Tweet {
  id: string;
  user: string;
  time: number;
  text: string;
  lang: string;
  retweetOf: string;
  retweetUser: string;
  hashtags: string[];
  urls: string[];
}

interface Member {
  userid: string;
  campaign: string;
  style: string;
  screenName: string;
  created: number;
  language: string;
  tweets: Tweet[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Character bigrams: near-duplicate texts (any script) share most of them. */
function similarity(a: string, b: string): number {
  const grams = (s: string): Set<string> => {
    const chars = Array.from(s.replace(/\s+/gu, ' '));
    return new Set(chars.slice(1).map((c, i) => `${chars[i] ?? ''}${c}`));
  };
  const x = grams(a);
  const y = grams(b);
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return shared / Math.max(1, x.size + y.size - shared);
}

describe('planted campaigns (scale 1, seed 2)', () => {
  const members = new Map<string, Member>();
  const campaigns = new Map<string, Member[]>();
  const start = Date.UTC(2019, 5, 1);

  before(() => {
    const synth = generateSynthetic({ seed: 2, scale: 1 });
    for (const [userid = '', campaign = '', style = ''] of synth.truth) {
      if (campaign === '') continue;
      const member: Member = { userid, campaign, style, screenName: '', created: 0, language: '', tweets: [] };
      members.set(userid, member);
      campaigns.set(campaign, [...(campaigns.get(campaign) ?? []), member]);
    }
    for (const row of synth.users) {
      const member = members.get(row[0] ?? '');
      if (member === undefined) continue;
      member.screenName = row[2] ?? '';
      member.created = Date.parse(`${row[8] ?? ''}T00:00:00Z`);
      member.language = row[9] ?? '';
    }
    for (const row of synth.tweets) {
      const member = members.get(row[1] ?? '');
      if (member === undefined) continue;
      member.tweets.push({
        id: row[0] ?? '', user: row[1] ?? '', time: snowflakeTime(row[0] ?? ''), text: row[12] ?? '', lang: row[11] ?? '',
        retweetOf: row[20] ?? '', retweetUser: row[19] ?? '', hashtags: parseListField(row[27]), urls: parseListField(row[28]),
      });
    }
  });

  const ofStyle = (style: string): Member[][] => [...campaigns.values()].filter((m) => m[0]?.style === style);

  it('retweet rings retweet the same seed tweets of their sources within seconds to ~2 min, many times', () => {
    const rings = ofStyle('retweet-ring');
    assert.ok(rings.length > 0);
    for (const ring of rings) {
      const ids = new Set(ring.map((m) => m.userid));
      const seeds = new Map<string, number[]>();
      for (const member of ring) {
        for (const tweet of member.tweets) {
          if (!ids.has(tweet.retweetUser)) continue;
          const delay = tweet.time - snowflakeTime(tweet.retweetOf);
          assert.ok(delay >= 3000 && delay <= 150_000, `ring retweet after ${delay} ms`);
          seeds.set(tweet.retweetOf, [...(seeds.get(tweet.retweetOf) ?? []), delay]);
        }
      }
      assert.ok(seeds.size >= 10, `${ring[0]?.campaign}: only ${seeds.size} seeds`);
      const joined = [...seeds.values()].reduce((sum, d) => sum + d.length, 0) / seeds.size / ring.length;
      assert.ok(joined > 0.45 && joined < 0.95, `${ring[0]?.campaign}: members per seed ${joined}`);
    }
  });

  it('retweet rings include repurposed old accounts: created years ago, old language, dormant, then active', () => {
    let repurposed = 0;
    for (const ring of ofStyle('retweet-ring')) {
      for (const member of ring) {
        if (member.created >= Date.UTC(2015, 0, 1)) continue;
        repurposed++;
        assert.ok(!member.language.startsWith('zh'), `old account language ${member.language}`);
        const times = member.tweets.map((t) => t.time).sort((a, b) => a - b);
        const old = member.tweets.filter((t) => t.time < start + 3 * DAY);
        assert.ok(old.length >= 1 && old.every((t) => ['en', 'ru', 'es', 'pt'].includes(t.lang)), 'first tweets in the old language');
        const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
        assert.ok(Math.max(...gaps) > 5 * DAY, 'a dormant stretch before the campaign');
      }
    }
    assert.ok(repurposed >= 2, `${repurposed} repurposed accounts`);
  });

  it('copypasta members post near-identical (not all identical) texts within minutes, in Chinese and English', () => {
    const languages = new Set<string>();
    let edited = 0;
    let groups = 0;
    for (const campaign of ofStyle('copypasta')) {
      const tweets = campaign.flatMap((m) => m.tweets).filter((t) => t.retweetOf === '').sort((a, b) => a.time - b.time);
      for (let i = 0; i < tweets.length; i++) {
        const a = tweets[i] as Tweet;
        const near = new Set<string>();
        for (let j = i + 1; j < tweets.length && (tweets[j] as Tweet).time - a.time <= 10 * MINUTE; j++) {
          const b = tweets[j] as Tweet;
          if (b.user === a.user || similarity(a.text.replace(/^@\S+ /, ''), b.text.replace(/^@\S+ /, '')) < 0.5) continue;
          near.add(b.user);
          if (a.text !== b.text) edited++;
        }
        if (near.size >= 3) {
          groups++;
          languages.add(a.lang);
        }
      }
    }
    assert.ok(groups >= 10, `${groups} copypasta bursts`);
    assert.ok(languages.has('zh') && languages.has('en'), [...languages].join(','));
    assert.ok(edited > 0, 'copies carry small edits');
  });

  it('url amplifiers post the same URL as different variants within minutes', () => {
    let bursts = 0;
    let variants = 0;
    for (const campaign of ofStyle('url-amplification')) {
      const byKey = new Map<string, Tweet[]>();
      for (const tweet of campaign.flatMap((m) => m.tweets)) {
        for (const url of tweet.urls) {
          const key = normalizeUrl(url)?.replace(/^http:/, 'https:') ?? '';
          byKey.set(key, [...(byKey.get(key) ?? []), { ...tweet, urls: [url] }]);
        }
      }
      for (const shared of byKey.values()) {
        const users = new Set(shared.map((t) => t.user));
        if (users.size < 3) continue;
        const times = shared.map((t) => t.time);
        if (Math.max(...times) - Math.min(...times) > 10 * MINUTE) continue;
        bursts++;
        if (new Set(shared.map((t) => t.urls[0])).size > 1) variants++;
      }
    }
    assert.ok(bursts >= 10, `${bursts} URL bursts`);
    assert.ok(variants > 0.8 * bursts, `${variants} of ${bursts} bursts use several URL variants`);
  });

  it('hashtag-sequence members post the same ordered 3-5 tags, rare mixed with popular, with different texts', () => {
    let sequences = 0;
    for (const campaign of ofStyle('hashtag-sequence')) {
      const bySequence = new Map<string, Tweet[]>();
      for (const tweet of campaign.flatMap((m) => m.tweets)) {
        if (tweet.hashtags.length < 3 || tweet.retweetOf !== '') continue;
        const key = tweet.hashtags.join(' ');
        bySequence.set(key, [...(bySequence.get(key) ?? []), tweet]);
      }
      for (const [key, tweets] of bySequence) {
        if (new Set(tweets.map((t) => t.user)).size < 3) continue;
        sequences++;
        const tags = key.split(' ');
        assert.ok(tags.length >= 3 && tags.length <= 5);
        assert.ok(tags.some((t) => !POPULAR_TAGS.includes(t)), `${key} has no rare tag`);
        const texts = new Set(tweets.map((t) => t.text.replace(/#\S+/gu, '').trim()));
        assert.ok(texts.size > tweets.length / 2, 'texts differ');
      }
    }
    assert.ok(sequences >= 2, `${sequences} shared sequences`);
  });

  // Seeds that nobody joined are invisible here, which biases the share up a little (by < 6%).
  it('slow campaigns: each push joined by few members, up to ~10 minutes late', () => {
    let seeds = 0;
    let retweets = 0;
    let members = 0;
    for (const campaign of ofStyle('slow-low-participation')) {
      const ids = new Set(campaign.map((m) => m.userid));
      const perSeed = new Map<string, number>();
      for (const tweet of campaign.flatMap((m) => m.tweets)) {
        if (!ids.has(tweet.retweetUser)) continue;
        assert.ok(tweet.time - snowflakeTime(tweet.retweetOf) <= 600_000, 'at most 10 minutes');
        perSeed.set(tweet.retweetOf, (perSeed.get(tweet.retweetOf) ?? 0) + 1);
      }
      seeds += perSeed.size;
      retweets += [...perSeed.values()].reduce((a, b) => a + b, 0);
      members += perSeed.size * campaign.length;
    }
    assert.ok(seeds > 0, 'slow campaigns push seed tweets');
    const share = retweets / members;
    assert.ok(share > 0.1 && share < 0.5, `members joining a push: ${share}`);
  });

  it('campaign accounts camouflage: most post ordinary tweets and retweet popular content of outsiders', () => {
    let camouflaged = 0;
    for (const member of members.values()) {
      const outsiders = member.tweets.filter((t) => t.retweetUser !== '' && !members.has(t.retweetUser)).length;
      if (outsiders > 0 && member.tweets.length >= 5) camouflaged++;
    }
    assert.ok(camouflaged > 0.6 * members.size, `${camouflaged} of ${members.size} members`);
  });

  it('campaign accounts were created in bursts and follow a handle template', () => {
    const templates = [/^[A-Z][a-z]+\d{5,8}$/, /^[A-Za-z0-9]{15}$/, /^[a-z]+\d{2}[a-z]+$/, /^[A-Z][a-z]+[A-Z][a-z]*[A-Za-z0-9]{0,3}$/];
    let bursty = 0;
    for (const campaign of campaigns.values()) {
      const created = campaign.filter((m) => m.created >= Date.UTC(2015, 0, 1)).map((m) => m.created).sort((a, b) => a - b);
      let best = 0;
      for (let i = 0; i < created.length; i++) {
        let j = i;
        while (j < created.length && (created[j] as number) - (created[i] as number) <= 6 * DAY) j++;
        best = Math.max(best, j - i);
      }
      if (best >= 0.6 * created.length) bursty++;
      const visible = campaign.filter((m) => /^\d+$/.test(m.userid)).map((m) => m.screenName);
      if (visible.length >= 2) {
        assert.ok(templates.some((t) => visible.every((handle) => t.test(handle))), `handles ${visible.join(', ')} follow no single template`);
      }
    }
    assert.ok(bursty >= 0.8 * campaigns.size, `${bursty} of ${campaigns.size} campaigns created in a burst`);
  });
});
