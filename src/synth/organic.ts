/**
 * Ordinary activity: own posts (with hashtags, news links, mentions), retweets, replies and
 * quotes of popular posts. Used by ordinary users and, as camouflage, by campaign accounts.
 * Delays after a popular post are lognormal (retweets median 45 min, replies 20 min, quotes
 * 1 h, news shares 2 h after publication), so popular content gathers organic co-retweets.
 */
import { DAY_MS, MINUTE_MS } from './format.js';
import { chance, lognormal, uniform, type Rng } from './rng.js';
import { NO_ITEMS, popularPost, popularTags, publicProfile, randomArticle, retweetSpec, type AccountRows, type Ctx, type TweetSpec } from './rows.js';
import { linkComment, organicText, replyText, tcoLink, type Lang } from './text.js';

/** How an account mixes its ordinary activity (shares of its tweets). */
export interface OrganicStyle {
  retweet: number;
  reply: number;
  quote: number;
  /** Of own posts: with a news link, with hashtags, mentioning someone. */
  link: number;
  tags: number;
  mention: number;
}

/** A random mix for one account: retweets 10-60%, replies 2-15%, quotes 0-5%, the rest own posts. */
export function organicStyle(rng: Rng): OrganicStyle {
  return {
    retweet: uniform(rng, 0.1, 0.6), reply: uniform(rng, 0.02, 0.15), quote: uniform(rng, 0, 0.05),
    link: uniform(rng, 0.05, 0.3), tags: uniform(rng, 0.1, 0.4), mention: uniform(rng, 0, 0.08),
  };
}

/** When the account is active: [from, to) and a draw of a time in it (diurnal or a tempo). */
export interface ActiveTime {
  from: number;
  to: number;
  draw: (rng: Rng) => number;
}

function langOf(rng: Rng, zhShare: number): Lang {
  return chance(rng, zhShare) ? 'zh' : 'en';
}

function ownPost(ctx: Ctx, out: AccountRows, style: OrganicStyle, when: ActiveTime): void {
  const rng = out.rng;
  const time = when.draw(rng);
  const lang = langOf(rng, out.profile.zhShare);
  if (chance(rng, style.link)) {
    const news = randomArticle(ctx, rng);
    if (news !== null) {
      const shared = news.time + lognormal(rng, 120 * MINUTE_MS, 1.5);
      if (shared >= when.from && shared < when.to) {
        const comment = linkComment(rng, news.lang);
        const url = chance(rng, 0.3) ? `${news.url}?utm_source=twitter&utm_medium=social` : news.url;
        out.add({
          time: shared, lang: comment === '' ? 'und' : news.lang, text: comment === '' ? tcoLink(rng) : `${comment} ${tcoLink(rng)}`,
          hashtags: NO_ITEMS, urls: [url], mentions: NO_ITEMS,
        });
        return;
      }
    }
  }
  let text = organicText(rng, lang);
  const mentions: string[] = [];
  if (chance(rng, style.mention) && ctx.world.popular.count > 0) {
    const post = ctx.world.popular.table.sample(rng);
    const someone = publicProfile(ctx, ctx.world.popular.authors[post] as number);
    text = `@${someone.handle} ${text}`;
    mentions.push(someone.userid);
  }
  const tags = chance(rng, style.tags) ? popularTags(rng) : [];
  if (tags.length > 0) text += ` ${tags.map((tag) => `#${tag}`).join(' ')}`;
  out.add({ time, lang, text, hashtags: tags, urls: NO_ITEMS, mentions });
}

function reaction(ctx: Ctx, out: AccountRows, kind: 'retweet' | 'reply' | 'quote', when: ActiveTime): boolean {
  const rng = out.rng;
  const post = popularPost(ctx, ctx.world.popular.table.sample(rng));
  const median = kind === 'retweet' ? 45 : kind === 'reply' ? 20 : 60;
  const time = post.time + Math.min(lognormal(rng, median * MINUTE_MS, 1.5), 7 * DAY_MS);
  if (time < when.from || time >= when.to) return false;
  let spec: TweetSpec;
  if (kind === 'retweet') spec = retweetSpec(post, time);
  else if (kind === 'reply') {
    const lang = langOf(rng, out.profile.zhShare);
    spec = { time, lang, text: `@${post.authorHandle} ${replyText(rng, lang)}`, hashtags: NO_ITEMS, urls: NO_ITEMS, mentions: post.authorMention, replyTo: post };
  } else {
    const lang = langOf(rng, out.profile.zhShare);
    spec = {
      time, lang, text: `${linkComment(rng, lang)} ${tcoLink(rng)}`.trim(), hashtags: NO_ITEMS, mentions: NO_ITEMS, quoted: post,
      urls: [`https://twitter.com/${post.authorHandle}/status/${post.id}`],
    };
  }
  return out.add(spec);
}

/** Emits about `count` ordinary tweets (reactions that would fall outside the active span become own posts). */
export function emitOrganic(ctx: Ctx, out: AccountRows, count: number, style: OrganicStyle, when: ActiveTime): void {
  const rng = out.rng;
  const hasPopular = ctx.world.popular.count > 0;
  for (let i = 0; i < count; i++) {
    const u = rng();
    let done = false;
    if (hasPopular) {
      if (u < style.retweet) done = reaction(ctx, out, 'retweet', when);
      else if (u < style.retweet + style.reply) done = reaction(ctx, out, 'reply', when);
      else if (u < style.retweet + style.reply + style.quote) done = reaction(ctx, out, 'quote', when);
    }
    if (!done) ownPost(ctx, out, style, when);
  }
}
