/**
 * The organic crowds that look coordinated but are not, and the popular posts everyone retweets.
 * Realism choices (per scale unit, drawn per seed):
 * - viral cascades: 3-9 posts, each retweeted by ~100-thousands of users; delays lognormal with
 *   a median of 3-40 min (sigma 1.3), so minutes to hours;
 * - live events: 2-6 hashtag bursts (matches, storms, concerts, ceremonies) of 80-1,500 users,
 *   1.5-3 posts each within 2-12 hours, half of them minutes after a moment (a goal, landfall);
 * - syndicated feeds: 1.5-4 outlet groups (at least 2) of 3-8 accounts posting every article of
 *   their outlet (3-10 a day, all period long) with fixed lags of 0-40 s;
 * - fan communities: 1-2.5 idols posting daily (1-2 posts a day), 60-500 fans each retweeting
 *   20-60% of the posts with a median delay of 2-8 min.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './format.js';
import { AliasTable, chance, lognormal, pick, poisson, randInt, uniform, type Rng } from './rng.js';
import { diurnalTime, type Period } from './tempo.js';
import type { Lang } from './text.js';

export interface FeedGroup {
  index: number;
  first: number;
  size: number;
  name: string;
  domain: string;
  lang: Lang;
  articleTimes: Float64Array;
  articleLows: Int32Array;
  /** Per member: how long after publication its feed posts (the first member posts at once). */
  lagsMs: Float64Array;
  /** Whether the outlet tags its links with utm_source per account. */
  utm: boolean;
}

export interface FanCommunity {
  index: number;
  idol: number;
  size: number;
  postTimes: Float64Array;
  postLows: Int32Array;
  delayMedianMs: number;
  lang: Lang;
  tag: string;
}

export interface PopularPool {
  count: number;
  /** Sorted by time. */
  times: Float64Array;
  authors: Int32Array;
  lows: Int32Array;
  table: AliasTable;
  /** Posts of influencer rank r: byAuthor[byAuthorStart[r] .. byAuthorStart[r + 1]). */
  byAuthorStart: Int32Array;
  byAuthor: Int32Array;
}

export interface Cascade {
  index: number;
  author: number;
  time: number;
  low: number;
  size: number;
  delayMedianMs: number;
  lang: Lang;
}

export type EventKind = 'match' | 'storm' | 'concert' | 'ceremony';

export interface LiveEvent {
  index: number;
  kind: EventKind;
  tag: string;
  start: number;
  durationMs: number;
  /** Moments (a goal, landfall) that bring a burst of posts within minutes. */
  spikes: Float64Array;
  size: number;
  postsPerUser: number;
  lang: Lang;
}

const OUTLETS = ['HarbourTimes', 'AsiaDailyWire', 'PearlPost', 'KowloonHerald', 'GlobalNewsDesk', 'MetroBulletin', 'EastWindNews', 'CityBeatHK', 'IslandTribune', 'BayObserver', 'PeakJournal', 'StraitsLedger'];
const IDOL_TAGS = ['LoveYouAll', 'FanMeeting', 'NewSingle', 'OnTour', 'BehindTheScenes', 'ThankYouFans', '爱你们', '新歌'];
const TEAMS = ['HKG', 'CHN', 'JPN', 'KOR', 'Kitchee', 'Eastern', 'Pegasus', 'Lee Man', 'Tai Po', 'Rangers'];
const STORMS = ['Wipha', 'Mun', 'Danas', 'Nari', 'Bailu', 'Lekima', 'Krosa', 'Podul'];
const ARTISTS = ['Eason', 'GEM', 'Mirror', 'Jay', 'Twice', 'Blackpink', 'Coldplay', 'Joey'];

/** `count` scaled by `scale` with a seed-dependent rate, never below `floor`. */
function scaledCount(rng: Rng, scale: number, low: number, high: number, floor: number): number {
  return Math.max(floor, Math.round(scale * uniform(rng, low, high)));
}

function dailyTimes(rng: Rng, period: Period, perDay: number, utcOffset: number, atLeastOne: boolean): number[] {
  const times: number[] = [];
  for (let day = 0; day < period.days; day++) {
    const dayStart = period.start + day * DAY_MS;
    const count = atLeastOne ? 1 + poisson(rng, Math.max(0, perDay - 1)) : poisson(rng, perDay);
    for (let k = 0; k < count; k++) times.push(diurnalTime(rng, dayStart, utcOffset));
  }
  return times.sort((a, b) => a - b);
}

function lows(rng: Rng, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = randInt(rng, 0, 0x3fffff);
  return out;
}

/** News outlets whose accounts all post every article within seconds. */
export function planFeeds(rng: Rng, period: Period, scale: number, first: number): FeedGroup[] {
  const count = scaledCount(rng, scale, 1.5, 4, 2);
  const groups: FeedGroup[] = [];
  let at = first;
  for (let index = 0; index < count; index++) {
    const size = randInt(rng, 3, 8);
    const name = `${OUTLETS[index % OUTLETS.length] as string}${index >= OUTLETS.length ? String(index) : ''}`;
    const times = dailyTimes(rng, period, uniform(rng, 3, 10), chance(rng, 0.7) ? 8 : 0, true);
    const lagsMs = new Float64Array(size);
    for (let j = 1; j < size; j++) lagsMs[j] = uniform(rng, 0, 40_000);
    groups.push({
      index, first: at, size, name, domain: `${name.toLowerCase()}.com`, lang: chance(rng, 0.6) ? 'en' : 'zh',
      articleTimes: Float64Array.from(times), articleLows: lows(rng, times.length), lagsMs, utm: chance(rng, 0.5),
    });
    at += size;
  }
  return groups;
}

/** Idols (accounts idolFirst..) posting daily, each with hundreds of fans. */
export function planFans(rng: Rng, period: Period, scale: number, idolFirst: number, regular: number): FanCommunity[] {
  const count = scaledCount(rng, scale, 1, 2.5, 1);
  return Array.from({ length: count }, (_, index) => {
    const times = dailyTimes(rng, period, uniform(rng, 1, 2), chance(rng, 0.7) ? 8 : 9, true);
    return {
      index, idol: idolFirst + index,
      size: Math.round(Math.min(Math.max(lognormal(rng, 220, 0.5), 60), 500, 0.25 * regular)),
      postTimes: Float64Array.from(times), postLows: lows(rng, times.length),
      delayMedianMs: uniform(rng, 2, 8) * MINUTE_MS, lang: chance(rng, 0.6) ? 'zh' : 'en', tag: pick(rng, IDOL_TAGS),
    };
  });
}

/** Daily posts of the influencers (accounts first..first+count), weighted by Zipf rank. */
export function planPopular(rng: Rng, period: Period, first: number, count: number): PopularPool {
  const times: number[] = [];
  const authors: number[] = [];
  const weights: number[] = [];
  for (let rank = 0; rank < count; rank++) {
    const posts = dailyTimes(rng, period, uniform(rng, 0.5, 4), pick(rng, [8, 8, 0, -5]), false);
    for (const time of posts) {
      times.push(time);
      authors.push(first + rank);
      weights.push(lognormal(rng, 1, 0.8) / (rank + 1));
    }
  }
  if (times.length === 0) {
    times.push(period.start + DAY_MS / 2);
    authors.push(first);
    weights.push(1);
  }
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  const sortedAuthors = Int32Array.from(order, (i) => authors[i] as number);
  const byAuthorStart = new Int32Array(count + 1);
  for (const author of sortedAuthors) byAuthorStart[author - first + 1] = (byAuthorStart[author - first + 1] as number) + 1;
  for (let r = 0; r < count; r++) byAuthorStart[r + 1] = (byAuthorStart[r + 1] as number) + (byAuthorStart[r] as number);
  const fill = byAuthorStart.slice(0, count);
  const byAuthor = new Int32Array(sortedAuthors.length);
  sortedAuthors.forEach((author, index) => {
    const r = author - first;
    byAuthor[fill[r] as number] = index;
    fill[r] = (fill[r] as number) + 1;
  });
  return {
    count: order.length,
    times: Float64Array.from(order, (i) => times[i] as number),
    authors: sortedAuthors,
    lows: lows(rng, order.length),
    table: new AliasTable(order.map((i) => weights[i] as number)),
    byAuthorStart, byAuthor,
  };
}

/** A popular post published in the day before `time`, or -1 when there is none. */
export function popularPostBefore(rng: Rng, pool: PopularPool, time: number): number {
  const hi = upperBound(pool.times, time - 1);
  const lo = upperBound(pool.times, time - DAY_MS);
  return hi > lo ? lo + Math.floor(rng() * (hi - lo)) : -1;
}

/** Number of values <= x in a sorted array. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A few posts retweeted by hundreds to thousands of users within minutes to hours. */
export function planCascades(rng: Rng, period: Period, scale: number, influencerFirst: number, influencers: number, population: number): Cascade[] {
  const count = scaledCount(rng, scale, 3, 9, 2);
  return Array.from({ length: count }, (_, index) => {
    const day = randInt(rng, 0, Math.max(0, period.days - 3));
    return {
      index,
      author: influencerFirst + Math.floor(Math.pow(rng(), 2) * influencers),
      time: diurnalTime(rng, period.start + day * DAY_MS, 8),
      low: randInt(rng, 0, 0x3fffff),
      size: Math.round(Math.min(Math.max(lognormal(rng, uniform(rng, 300, 900), 0.8), 100), 0.35 * population)),
      delayMedianMs: uniform(rng, 3, 40) * MINUTE_MS,
      lang: chance(rng, 0.5) ? 'zh' : 'en',
    };
  });
}

function eventTag(rng: Rng, kind: EventKind, index: number): string {
  switch (kind) {
    case 'match': return `${pick(rng, TEAMS).replace(' ', '')}vs${pick(rng, TEAMS).replace(' ', '')}${index}`;
    case 'storm': return chance(rng, 0.5) ? `Typhoon${pick(rng, STORMS)}` : `台风${pick(rng, ['韦帕', '木恩', '丹娜丝', '百合'])}${index}`;
    case 'concert': return `${pick(rng, ARTISTS)}Live${index}`;
    case 'ceremony': return `HKFilmAwards${index}`;
  }
}

/** Hashtag bursts of a crowd during a match, a storm, a concert or a ceremony. */
export function planEvents(rng: Rng, period: Period, scale: number, regular: number): LiveEvent[] {
  const count = scaledCount(rng, scale, 2, 6, 2);
  return Array.from({ length: count }, (_, index) => {
    const kind = pick(rng, ['match', 'match', 'storm', 'concert', 'ceremony'] as const);
    const durationMs = (kind === 'storm' ? uniform(rng, 6, 12) : uniform(rng, 2, 3.5)) * HOUR_MS;
    const day = randInt(rng, 0, period.days - 1);
    const localStart = kind === 'storm' ? uniform(rng, 0, 12) : uniform(rng, 18, 20.5);
    const start = Math.max(period.start, Math.min(period.start + day * DAY_MS + (localStart - 8) * HOUR_MS, period.end - durationMs - HOUR_MS));
    const spikes = Float64Array.from({ length: randInt(rng, 2, 6) }, () => start + rng() * durationMs);
    return {
      index, kind, tag: eventTag(rng, kind, index), start, durationMs, spikes,
      size: Math.round(Math.min(Math.max(lognormal(rng, 400, 0.6), 80), 1500, 0.3 * regular)),
      postsPerUser: uniform(rng, 1.5, 3), lang: chance(rng, 0.6) ? 'zh' : 'en',
    };
  });
}
