import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { normalizeUrl, parseListField } from '../model/index.js';
import { snowflakeTime } from './format.js';
import { generateSynthetic } from './generate.js';
import { POPULAR_TAGS } from './text.js';

interface Tweet {
  id: string;
  user: string;
  time: number;
  retweetOf: string;
  retweetUser: string;
  hashtags: string[];
  urls: string[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let group = groups.get(k);
    if (group === undefined) groups.set(k, (group = []));
    group.push(item);
  }
  return groups;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

describe('organic confounders (scale 1, seed 4)', () => {
  const label = new Map<string, string>();
  const language = new Map<string, string>();
  const tweets: Tweet[] = [];
  const start = Date.UTC(2019, 5, 1);
  const days = 61;

  before(() => {
    const synth = generateSynthetic({ seed: 4, scale: 1 });
    for (const [userid = '', campaign = '', , confounder = ''] of synth.truth) label.set(userid, campaign === '' ? confounder : 'campaign');
    for (const row of synth.users) language.set(row[0] ?? '', row[9] ?? '');
    for (const row of synth.tweets) {
      tweets.push({
        id: row[0] ?? '', user: row[1] ?? '', time: snowflakeTime(row[0] ?? ''), retweetOf: row[20] ?? '', retweetUser: row[19] ?? '',
        hashtags: parseListField(row[27]), urls: parseListField(row[28]),
      });
    }
  });

  const retweetsOf = (): Map<string, Tweet[]> => groupBy(tweets.filter((t) => t.retweetOf !== ''), (t) => t.retweetOf);

  it('fan communities: hundreds of fans retweet 20-60% of their idol\'s daily posts within minutes', () => {
    const byAuthor = groupBy(tweets.filter((t) => t.retweetOf !== '' && label.get(t.retweetUser) === 'fan-community'), (t) => t.retweetUser);
    let idols = 0;
    let largest = 0;
    for (const [idol, retweets] of byAuthor) {
      const fans = groupBy(retweets, (t) => t.user);
      if (fans.size < 50) continue;
      idols++;
      largest = Math.max(largest, fans.size);
      const posts = new Set(retweets.map((t) => t.retweetOf));
      assert.ok(posts.size >= 0.9 * days, `idol ${idol} posted ${posts.size} times in ${days} days`);
      const shares = [...fans.values()].map((own) => new Set(own.map((t) => t.retweetOf)).size / posts.size);
      assert.ok(median(shares) > 0.2 && median(shares) < 0.6, `median share ${median(shares)}`);
      assert.ok(Math.max(...shares) < 0.8, 'no fan retweets nearly everything');
      assert.ok(median(retweets.map((t) => t.time - snowflakeTime(t.retweetOf))) < 15 * MINUTE, 'fans are quick');
      const labelled = [...fans.keys()].filter((fan) => label.get(fan) === 'fan-community').length;
      assert.ok(labelled >= 0.95 * fans.size, 'fans are labelled fan-community');
    }
    assert.ok(idols >= 1, 'at least one fan community');
    assert.ok(largest >= 100, `largest community ${largest} fans`);
  });

  it('syndicated feeds post the same article URL within seconds, every day', () => {
    const feeds = tweets.filter((t) => label.get(t.user) === 'syndicated-feed' && t.urls.length > 0);
    const byUrl = groupBy(feeds, (t) => normalizeUrl(t.urls[0] ?? '') ?? '');
    const daysWithBursts = new Set<number>();
    let bursts = 0;
    for (const posts of byUrl.values()) {
      const accounts = new Set(posts.map((t) => t.user));
      const times = posts.map((t) => t.time);
      if (accounts.size < 3) continue;
      assert.ok(Math.max(...times) - Math.min(...times) <= 60_000, 'a feed group posts an article within a minute');
      bursts++;
      daysWithBursts.add(Math.floor((Math.min(...times) - start) / DAY));
    }
    assert.ok(bursts >= days * 2, `${bursts} syndicated bursts`);
    assert.ok(daysWithBursts.size >= days - 1, `bursts on ${daysWithBursts.size} of ${days} days`);
    const feedUrls = new Set(byUrl.keys());
    const sharedByOthers = tweets.filter((t) => label.get(t.user) !== 'syndicated-feed' && t.urls.some((u) => feedUrls.has(normalizeUrl(u) ?? '')));
    assert.ok(sharedByOthers.length > 100, `ordinary users share outlet articles too (${sharedByOthers.length})`);
  });

  it('viral cascades: posts retweeted by hundreds of users, within minutes to hours', () => {
    const viral = [...retweetsOf().values()].filter((rts) => new Set(rts.map((t) => t.user)).size >= 100);
    assert.ok(viral.length >= 2, `${viral.length} viral posts`);
    const delays = viral.flat().map((t) => t.time - snowflakeTime(t.retweetOf));
    const withinHour = delays.filter((d) => d <= HOUR).length / delays.length;
    assert.ok(withinHour > 0.3 && withinHour < 0.98, `share within the hour ${withinHour}`);
    assert.ok(Math.max(...delays) > 3 * HOUR, 'some retweets come hours later');
    for (const rts of viral) {
      const soon = rts.filter((t) => t.time - snowflakeTime(t.retweetOf) <= 6 * HOUR).length;
      assert.ok(soon > 0.5 * rts.length, 'most retweets of a viral post come within hours');
    }
  });

  it('live events: a crowd uses an event hashtag within the same hours', () => {
    const byTag = groupBy(tweets.flatMap((t) => t.hashtags.filter((tag) => !POPULAR_TAGS.includes(tag)).map((tag) => ({ tag, t }))), (x) => x.tag);
    let events = 0;
    for (const uses of byTag.values()) {
      const users = new Set(uses.map((u) => u.t.user));
      const times = uses.map((u) => u.t.time);
      if (users.size < 80 || Math.max(...times) - Math.min(...times) > 14 * HOUR) continue;
      events++;
      const organic = [...users].filter((u) => label.get(u) !== 'campaign').length;
      assert.equal(organic, users.size, 'event crowds are organic');
      const eventLabelled = [...users].filter((u) => label.get(u) === 'live-event').length;
      assert.ok(eventLabelled > 0.5 * users.size, 'most of the crowd is labelled live-event');
    }
    assert.ok(events >= 2, `${events} live events`);
  });

  it('crowds overlap: fans and campaign accounts also retweet viral posts', () => {
    const viralPosts = new Set([...retweetsOf()].filter(([, rts]) => new Set(rts.map((t) => t.user)).size >= 100).map(([id]) => id));
    const viralRetweeters = new Set(tweets.filter((t) => viralPosts.has(t.retweetOf)).map((t) => t.user));
    const fans = [...viralRetweeters].filter((u) => label.get(u) === 'fan-community').length;
    const campaign = [...viralRetweeters].filter((u) => label.get(u) === 'campaign').length;
    assert.ok(fans > 10, `${fans} fans retweeted viral posts`);
    assert.ok(campaign > 5, `${campaign} campaign accounts retweeted viral posts`);
  });

  it('ordinary users have heavy-tailed activity and a daily rhythm', () => {
    const counts = [...groupBy(tweets.filter((t) => label.get(t.user) === 'none'), (t) => t.user).values()].map((own) => own.length);
    assert.ok(Math.max(...counts) >= 10 * median(counts), `max ${Math.max(...counts)}, median ${median(counts)}`);
    // Chinese-language accounts live in UTC+8: quiet around 3am local (19:00 UTC), busy in the evening.
    const hours = new Array<number>(24).fill(0);
    for (const t of tweets) {
      if (t.retweetOf !== '' || label.get(t.user) !== 'none' || !(language.get(t.user) ?? '').startsWith('zh')) continue;
      const hour = new Date(t.time).getUTCHours();
      hours[hour] = (hours[hour] ?? 0) + 1;
    }
    assert.ok(Math.max(...hours) > 3 * Math.min(...hours), `hours ${hours.join(',')}`);
    assert.ok((hours[19] ?? 0) < (hours[12] ?? 0), 'night in Hong Kong is quieter than the evening');
  });
});
