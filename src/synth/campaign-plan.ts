/**
 * Planted campaigns: sizes, styles, tempo, and the schedule of coordinated pushes. Parameters are
 * drawn per campaign from ranges (not fixed) so that no default can be tuned to one seed.
 *
 * | style                   | pushes/week | joined by | delay after the push             |
 * |-------------------------|-------------|-----------|----------------------------------|
 * | retweet-ring            | 4-12        | 60-90%    | median 15-45 s, at most 150 s    |
 * | copypasta               | 3-8         | 50-80%    | median 40-180 s, at most 8 min   |
 * | url-amplification       | 3-9         | 50-85%    | median 40-180 s, at most 8 min   |
 * | hashtag-sequence        | 2-6         | 50-80%    | median 1-5 min, at most 15 min   |
 * | slow-low-participation  | 1-3         | 20-40%    | median 2-5 min, at most 10 min   |
 */
import { DAY_MS } from './format.js';
import { chance, pick, poisson, randInt, shuffle, uniform, type Rng } from './rng.js';
import { localWeekday, TEMPO_KINDS, tempoDayWeight, tempoTime, type Period, type Tempo } from './tempo.js';
import { CAMPAIGN_TEMPLATES, HANDLE_STYLES, POPULAR_TAGS, randomAlnum, renderTemplate, slug, type HandleStyle, type Lang } from './text.js';

/** How a campaign coordinates (the `style` column of truth.csv). */
export type CampaignStyle = 'retweet-ring' | 'copypasta' | 'url-amplification' | 'hashtag-sequence' | 'slow-low-participation';
export const CAMPAIGN_STYLES: readonly CampaignStyle[] = ['retweet-ring', 'copypasta', 'url-amplification', 'hashtag-sequence', 'slow-low-participation'];

export type PushMode = 'retweet' | 'copypasta' | 'url' | 'hashtags';

/** One coordinated push: what the members are told to amplify, and when. */
export interface Push {
  time: number;
  mode: PushMode;
  /** For `retweet`: the member (offset in the campaign) who posts the seed tweet. */
  source: number;
  /** Low bits of the seed tweet's snowflake id. */
  low: number;
  lang: Lang;
  template: number;
  /** The seed tweet's text (`retweet`). */
  text: string;
  /** The URL to amplify (`url`). */
  url: string;
  /** The ordered hashtags (`hashtags`), or the seed tweet's hashtag (`retweet`). */
  tags: readonly string[];
  /** A popular post the copypasta replies to, or -1 (set once the popular pool is planned). */
  replyTo: number;
}

/** A planted campaign: members [first, first + size), its tempo and its pushes. */
export interface CampaignPlan {
  index: number;
  id: string;
  style: CampaignStyle;
  first: number;
  size: number;
  /** Members [0, sources) post the seed tweets that the others retweet. */
  sources: number;
  activeFrom: number;
  activeTo: number;
  tempo: Tempo;
  participation: number;
  delayMedianMs: number;
  delaySigma: number;
  delayMinMs: number;
  delayCapMs: number;
  /** Share of a member's volume that is camouflage (ordinary-looking tweets). */
  camouflage: number;
  zhShare: number;
  client: string;
  handleStyle: HandleStyle;
  burstFrom: number;
  burstDays: number;
  repurposedShare: number;
  boughtShare: number;
  domains: readonly string[];
  rareTags: readonly string[];
  sequences: readonly (readonly string[])[];
  pushes: Push[];
  expectedTweets: number;
}

interface StyleRanges {
  perWeek: readonly [number, number];
  participation: readonly [number, number];
  medianSeconds: readonly [number, number];
  sigma: number;
  capSeconds: number;
}

const RANGES: Readonly<Record<CampaignStyle, StyleRanges>> = {
  'retweet-ring': { perWeek: [4, 12], participation: [0.6, 0.9], medianSeconds: [15, 45], sigma: 0.6, capSeconds: 150 },
  'copypasta': { perWeek: [3, 8], participation: [0.5, 0.8], medianSeconds: [40, 180], sigma: 0.7, capSeconds: 480 },
  'url-amplification': { perWeek: [3, 9], participation: [0.5, 0.85], medianSeconds: [40, 180], sigma: 0.7, capSeconds: 480 },
  'hashtag-sequence': { perWeek: [2, 6], participation: [0.5, 0.8], medianSeconds: [60, 300], sigma: 0.7, capSeconds: 900 },
  'slow-low-participation': { perWeek: [1, 3], participation: [0.2, 0.4], medianSeconds: [120, 300], sigma: 0.8, capSeconds: 600 },
};

export const CAMPAIGN_SIZE = { min: 8, max: 60 } as const;
const CLIENTS = ['Twitter Web Client', 'Twitter for Android', 'Twitter Web App', 'Twitter for iPhone'];
const DOMAIN_A = ['hk', 'asia', 'truth', 'daily', 'voice', 'east', 'pearl', 'harbour', 'real', 'china'];
const DOMAIN_B = ['news', 'times', 'post', 'insight', 'today', 'report', 'view', 'herald', 'watch', 'wire'];
const TLDS = ['com', 'net', 'org', 'info', 'news'];
const RARE_ZH = [['守护', '支持', '反对', '撑', '还'], ['香港', '警察', '法治', '和平', '秩序'], ['行动', '联盟', '到底', '之声', '']];
const RARE_EN = [['Protect', 'Support', 'Save', 'Stand4', 'Back'], ['HK', 'HongKong', 'HKPolice', 'Peace', 'Order'], ['Now', 'Together', 'Truth', 'Voice', '']];

/** Campaign sizes in [8, 60] that add up to the coordinated budget (log-uniform draws). */
function campaignSizes(rng: Rng, budget: number): number[] {
  const sizes: number[] = [];
  let left = budget;
  while (left >= CAMPAIGN_SIZE.min) {
    let size = Math.round(Math.exp(uniform(rng, Math.log(CAMPAIGN_SIZE.min), Math.log(CAMPAIGN_SIZE.max + 1))));
    size = Math.min(CAMPAIGN_SIZE.max, Math.max(CAMPAIGN_SIZE.min, size), left);
    const after = left - size;
    if (after > 0 && after < CAMPAIGN_SIZE.min) size = left <= CAMPAIGN_SIZE.max ? left : left - CAMPAIGN_SIZE.min;
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

function rareTag(rng: Rng, zh: boolean): string {
  const parts = zh ? RARE_ZH : RARE_EN;
  return parts.map((options) => pick(rng, options)).join('') + (chance(rng, 0.5) ? String(randInt(rng, 1, 99)) : randomAlnum(rng, 2));
}

function baseUrl(rng: Rng, domain: string, at: number): string {
  const date = new Date(at).toISOString().slice(0, 10).replaceAll('-', '/');
  switch (randInt(rng, 0, 2)) {
    case 0: return `https://${domain}/${date}/${slug(rng)}.html`;
    case 1: return `https://${domain}/?p=${randInt(rng, 1000, 99999)}`;
    default: return `https://${domain}/a/${randomAlnum(rng, 7)}`;
  }
}

function pushTimes(rng: Rng, campaign: CampaignPlan, perWeek: number): number[] {
  const times: number[] = [];
  for (let day = Math.floor(campaign.activeFrom / DAY_MS) * DAY_MS; day < campaign.activeTo; day += DAY_MS) {
    const weight = tempoDayWeight(campaign.tempo, localWeekday(day, campaign.tempo.utcOffset));
    const count = poisson(rng, (perWeek / 7) * weight);
    for (let k = 0; k < count; k++) {
      const time = tempoTime(rng, campaign.tempo, day);
      if (time >= campaign.activeFrom && time < campaign.activeTo) times.push(time);
    }
  }
  return times.sort((a, b) => a - b);
}

function makePush(rng: Rng, campaign: CampaignPlan, mode: PushMode, time: number): Push {
  const lang: Lang = chance(rng, campaign.zhShare) ? 'zh' : 'en';
  const templates = CAMPAIGN_TEMPLATES[lang];
  const template = randInt(rng, 0, templates.length - 1);
  const push: Push = {
    time, mode, source: -1, low: randInt(rng, 0, 0x3fffff), lang, template, text: '', url: '', tags: [], replyTo: -1,
  };
  switch (mode) {
    case 'retweet': {
      push.source = randInt(rng, 0, campaign.sources - 1);
      const tag = chance(rng, 0.4) ? pick(rng, campaign.rareTags) : null;
      push.text = renderTemplate(rng, templates[template] ?? [], lang, true, tag);
      push.tags = tag === null ? [] : [tag];
      break;
    }
    case 'url':
      push.url = baseUrl(rng, pick(rng, campaign.domains), time);
      break;
    case 'hashtags':
      push.tags = pick(rng, campaign.sequences);
      break;
    case 'copypasta':
      break;
  }
  return push;
}

const SLOW_MODES: readonly PushMode[] = ['retweet', 'copypasta', 'url', 'hashtags'];

function modeOf(style: CampaignStyle): PushMode | null {
  switch (style) {
    case 'retweet-ring': return 'retweet';
    case 'copypasta': return 'copypasta';
    case 'url-amplification': return 'url';
    case 'hashtag-sequence': return 'hashtags';
    case 'slow-low-participation': return null;
  }
}

/**
 * Plans the campaigns of a world of `accounts` accounts: 5-10% of the accounts, in campaigns of
 * 8-60 members, every style present as soon as there are five campaigns.
 */
export function planCampaigns(rng: Rng, period: Period, accounts: number): CampaignPlan[] {
  const budget = Math.round(accounts * uniform(rng, 0.05, 0.1));
  const sizes = campaignSizes(rng, budget);
  const width = Math.max(2, String(sizes.length).length);
  const firstStyles = shuffle(rng, [...CAMPAIGN_STYLES]);
  const length = period.end - period.start;
  const campaigns: CampaignPlan[] = [];
  let first = 0;
  sizes.forEach((size, index) => {
    const style = index < firstStyles.length ? (firstStyles[index] as CampaignStyle) : pick(rng, CAMPAIGN_STYLES);
    const ranges = RANGES[style];
    const zhShare = uniform(rng, 0.35, 0.9);
    const repurposedShare = style === 'retweet-ring' ? uniform(rng, 0.2, 0.5) : style === 'slow-low-participation' ? uniform(rng, 0, 0.25) : 0;
    // Repurposed accounts need a visible dormant stretch before the campaign starts.
    const activeFrom = period.start + Math.floor(length * (repurposedShare > 0 ? uniform(rng, 0.15, 0.35) : uniform(rng, 0, 0.3)));
    const activeTo = Math.min(period.end, activeFrom + Math.max(0.4 * length, uniform(rng, 0.5, 1) * (period.end - activeFrom)));
    const tempoKind = chance(rng, 0.6) ? 'office' : pick(rng, TEMPO_KINDS);
    const campaign: CampaignPlan = {
      index, id: `c${String(index + 1).padStart(width, '0')}`, style, first, size,
      sources: style === 'retweet-ring' ? randInt(rng, 1, Math.min(3, size - 4)) : style === 'slow-low-participation' ? randInt(rng, 1, 2) : 0,
      activeFrom, activeTo,
      tempo: { kind: tempoKind, utcOffset: chance(rng, 0.85) ? 8 : pick(rng, [3, 7, 9]) },
      participation: uniform(rng, ...ranges.participation),
      delayMedianMs: uniform(rng, ...ranges.medianSeconds) * 1000,
      delaySigma: ranges.sigma,
      delayMinMs: style === 'retweet-ring' ? 3000 : 10_000,
      delayCapMs: ranges.capSeconds * 1000,
      camouflage: uniform(rng, 0.3, 0.75),
      zhShare,
      client: pick(rng, CLIENTS),
      handleStyle: pick(rng, HANDLE_STYLES),
      burstFrom: Math.floor(uniform(rng, Date.UTC(2016, 5, 1), period.start - 30 * DAY_MS) / DAY_MS) * DAY_MS,
      burstDays: randInt(rng, 1, 5),
      repurposedShare,
      boughtShare: uniform(rng, 0, 0.2),
      domains: Array.from({ length: randInt(rng, 1, 3) }, () => `${pick(rng, DOMAIN_A)}${pick(rng, DOMAIN_B)}${chance(rng, 0.5) ? randInt(rng, 1, 99) : ''}.${pick(rng, TLDS)}`),
      rareTags: Array.from({ length: 4 }, () => rareTag(rng, chance(rng, zhShare))),
      sequences: [],
      pushes: [],
      expectedTweets: 0,
    };
    campaign.sequences = Array.from({ length: randInt(rng, 2, 4) }, () => tagSequence(rng, campaign.rareTags));
    const fixed = modeOf(style);
    campaign.pushes = pushTimes(rng, campaign, uniform(rng, ...ranges.perWeek)).map((time) =>
      makePush(rng, campaign, fixed ?? pick(rng, SLOW_MODES), time));
    const coordinated = campaign.pushes.length * campaign.participation;
    // Plus an ordinary volume of camouflage (about 10 tweets), added when members are emitted.
    campaign.expectedTweets = size * (coordinated / (1 - campaign.camouflage) + 10) + campaign.pushes.length;
    campaigns.push(campaign);
    first += size;
  });
  return campaigns;
}

/** 3-5 hashtags in a fixed order: 1-3 of the campaign's rare tags mixed with popular ones. */
function tagSequence(rng: Rng, rareTags: readonly string[]): string[] {
  const length = randInt(rng, 3, 5);
  const rare = shuffle(rng, [...rareTags]).slice(0, randInt(rng, 1, Math.min(3, length - 1)));
  const popular = new Set<string>();
  while (popular.size < length - rare.length) popular.add(POPULAR_TAGS[Math.floor(Math.pow(rng(), 2) * 12)] as string);
  return shuffle(rng, [...rare, ...popular]);
}

/**
 * Copypasta often lands as replies under a popular post: 40% of copypasta pushes reply to a post
 * published in the day before the push (`postsBefore(time)` lists candidate post indices).
 */
export function attachReplyTargets(rng: Rng, campaigns: readonly CampaignPlan[], postsBefore: (time: number) => number): void {
  for (const campaign of campaigns) {
    for (const push of campaign.pushes) {
      if (push.mode === 'copypasta' && chance(rng, 0.4)) push.replyTo = postsBefore(push.time);
    }
  }
}
