/**
 * The rows of one campaign member: its share of the coordinated pushes (seed tweets if it is a
 * source, then retweets, copypasta, amplified URLs or hashtag sequences a short delay after each
 * push it joins) and its camouflage (ordinary-looking tweets in the campaign's working hours).
 */
import type { CampaignPlan, Push } from './campaign-plan.js';
import { DAY_MS } from './format.js';
import { chance, lognormal, pick, poisson, randInt, shuffle, uniform, type Rng } from './rng.js';
import { emitOrganic, organicStyle } from './organic.js';
import { NO_ITEMS, originalSpec, popularPost, retweetSpec, seedPost, type AccountRows, type Ctx, type TweetSpec } from './rows.js';
import { tempoTime } from './tempo.js';
import { CAMPAIGN_TEMPLATES, oldAccountText, organicText, renderTemplate, tcoLink } from './text.js';

/** Delay of a member after a push: lognormal around the campaign's median, within [min, cap]. */
export function campaignDelay(rng: Rng, campaign: CampaignPlan): number {
  for (let attempt = 0; attempt < 4; attempt++) {
    const delay = lognormal(rng, campaign.delayMedianMs, campaign.delaySigma);
    if (delay >= campaign.delayMinMs && delay <= campaign.delayCapMs) return delay;
  }
  return uniform(rng, campaign.delayMinMs, campaign.delayCapMs);
}

const UTM_SOURCES = ['twitter', 'tw', 'social', 'share'];
const UTM_MEDIUMS = ['social', 'share', 'tweet', 'post'];

/**
 * The same URL as another member writes it: http or https, host case changed, utm_* parameters
 * added in any order. All variants normalise to one key (see normalizeUrl).
 * @example urlVariant(rng, 'https://hknews.com/a/x') // 'http://HKNEWS.com/a/x?utm_medium=tweet&utm_source=tw'
 */
export function urlVariant(rng: Rng, url: string): string {
  const match = /^https?:\/\/([^/?#]+)(.*)$/.exec(url);
  if (match === null) return url;
  let host = match[1] as string;
  const rest = match[2] as string;
  const hostCase = rng();
  if (hostCase < 0.2) host = host.toUpperCase();
  else if (hostCase < 0.35) host = host.split('.').map((label) => label.charAt(0).toUpperCase() + label.slice(1)).join('.');
  const scheme = chance(rng, 0.05) ? 'HTTPS' : chance(rng, 0.3) ? 'http' : 'https';
  const params: string[] = [];
  if (chance(rng, 0.6)) params.push(`utm_source=${pick(rng, UTM_SOURCES)}`);
  if (chance(rng, 0.5)) params.push(`utm_medium=${pick(rng, UTM_MEDIUMS)}`);
  if (chance(rng, 0.4)) params.push(`utm_campaign=${randInt(rng, 100000, 999999)}`);
  if (chance(rng, 0.2)) params.push(`utm_content=${randInt(rng, 1, 99)}`);
  shuffle(rng, params);
  const query = params.length === 0 ? '' : `${rest.includes('?') ? '&' : '?'}${params.join('&')}`;
  return `${scheme}://${host}${rest}${query}`;
}

function pushTweet(ctx: Ctx, rng: Rng, campaign: CampaignPlan, push: Push, p: number, time: number): TweetSpec {
  const templates = CAMPAIGN_TEMPLATES[push.lang];
  switch (push.mode) {
    case 'retweet':
      return retweetSpec(seedPost(ctx, campaign, p), time);
    case 'copypasta': {
      const tag = chance(rng, 0.25) ? pick(rng, campaign.rareTags) : null;
      const text = renderTemplate(rng, templates[push.template] ?? [], push.lang, true, tag);
      const hashtags = tag === null ? [] : [tag];
      if (push.replyTo < 0) return { time, lang: push.lang, text, hashtags, urls: NO_ITEMS, mentions: NO_ITEMS };
      const target = popularPost(ctx, push.replyTo);
      return { time, lang: push.lang, text: `@${target.authorHandle} ${text}`, hashtags, urls: NO_ITEMS, mentions: target.authorMention, replyTo: target };
    }
    case 'url': {
      const comment = chance(rng, 0.5) ? renderTemplate(rng, pick(rng, templates), push.lang, true, null) : organicText(rng, push.lang);
      return { time, lang: push.lang, text: `${comment} ${tcoLink(rng)}`, hashtags: NO_ITEMS, urls: [urlVariant(rng, push.url)], mentions: NO_ITEMS };
    }
    case 'hashtags': {
      const text = chance(rng, 0.5) ? organicText(rng, push.lang) : renderTemplate(rng, pick(rng, templates), push.lang, true, null);
      return { time, lang: push.lang, text: `${text} ${push.tags.map((tag) => `#${tag}`).join(' ')}`, hashtags: push.tags, urls: NO_ITEMS, mentions: NO_ITEMS };
    }
  }
}

/** Emits every row of member `member` of `campaign` (cascade retweets excepted). */
export function emitCampaignMember(ctx: Ctx, out: AccountRows, campaign: CampaignPlan, member: number): void {
  const rng = out.rng;
  const world = ctx.world;
  if (out.profile.repurposed) {
    // The old life: a few tweets in the old language at the very start, then silence.
    const old = randInt(rng, 1, 4);
    for (let i = 0; i < old; i++) {
      out.add({ time: world.start + rng() * 3 * DAY_MS, lang: out.profile.oldLang, text: oldAccountText(rng, out.profile.oldLang), hashtags: NO_ITEMS, urls: NO_ITEMS, mentions: NO_ITEMS, client: 'Twitter for Android' });
    }
  }
  let joined = 0;
  campaign.pushes.forEach((push, p) => {
    if (push.mode === 'retweet' && push.source === member) {
      out.add(originalSpec(seedPost(ctx, campaign, p), 1));
      return;
    }
    if (!chance(rng, campaign.participation)) return;
    joined++;
    out.add(pushTweet(ctx, rng, campaign, push, p, push.time + campaignDelay(rng, campaign)));
  });
  // Camouflage: most of a member's volume can be ordinary-looking tweets, in working hours, on top
  // of an ordinary user's volume (so that members of slow campaigns are not conspicuously quiet).
  const expected = campaign.pushes.length * campaign.participation;
  const camouflage = poisson(rng, (Math.max(expected, joined) * campaign.camouflage) / (1 - campaign.camouflage)) +
    Math.round(lognormal(rng, world.organicMedian, 0.8));
  const firstDay = Math.floor(campaign.activeFrom / DAY_MS) * DAY_MS;
  const days = Math.max(1, Math.ceil((campaign.activeTo - firstDay) / DAY_MS));
  emitOrganic(ctx, out, camouflage, organicStyle(rng), {
    from: campaign.activeFrom,
    to: campaign.activeTo,
    draw: (r) => Math.min(Math.max(tempoTime(r, campaign.tempo, firstDay + Math.floor(r() * days) * DAY_MS), campaign.activeFrom), campaign.activeTo - 1),
  });
}
