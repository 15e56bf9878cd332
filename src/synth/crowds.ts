/**
 * Rows of the organic crowds (the confounders a detector must leave alone): fans retweeting
 * their idol, a crowd tweeting a live event's hashtag, a viral post's retweeters, news outlets'
 * syndicated feeds; and the authors' own rows (idol posts, viral posts, influencers' posts).
 */
import { HOUR_MS, MINUTE_MS } from './format.js';
import { chance, exponential, lognormal, pick, poisson, uniform } from './rng.js';
import { article, cascadePost, idolPost, NO_ITEMS, originalSpec, popularPost, popularTags, retweetSpec, type AccountRows, type Ctx } from './rows.js';
import { eventText, replyText, tcoLink } from './text.js';

/** A fan retweets 20-60% of the idol's posts within minutes, and now and then replies. */
export function emitFan(ctx: Ctx, out: AccountRows, community: number): void {
  const fans = ctx.world.fans[community];
  if (fans === undefined) return;
  const rng = out.rng;
  const rate = uniform(rng, 0.2, 0.6);
  for (let k = 0; k < fans.postTimes.length; k++) {
    if (!chance(rng, rate)) continue;
    const post = idolPost(ctx, community, k);
    out.add(retweetSpec(post, post.time + Math.min(lognormal(rng, fans.delayMedianMs, 0.9), 6 * HOUR_MS)));
    if (chance(rng, 0.05)) {
      out.add({
        time: post.time + lognormal(rng, 10 * MINUTE_MS, 1), lang: fans.lang, text: `@${post.authorHandle} ${replyText(rng, fans.lang)} ❤️`,
        hashtags: NO_ITEMS, urls: NO_ITEMS, mentions: post.authorMention, replyTo: post,
      });
    }
  }
}

/** 1-4 posts with the event's hashtag, half of them minutes after one of its moments. */
export function emitEventPosts(ctx: Ctx, out: AccountRows, index: number): void {
  const event = ctx.world.events[index];
  if (event === undefined) return;
  const rng = out.rng;
  const posts = 1 + poisson(rng, event.postsPerUser - 1);
  for (let i = 0; i < posts; i++) {
    const time = chance(rng, 0.5) && event.spikes.length > 0
      ? (event.spikes[Math.floor(rng() * event.spikes.length)] as number) + exponential(rng, 2 * MINUTE_MS)
      : event.start + rng() * event.durationMs;
    const lang = chance(rng, 0.8) ? event.lang : event.lang === 'zh' ? 'en' : 'zh';
    const tags = chance(rng, 0.3) ? [event.tag, ...popularTags(rng)] : [event.tag];
    const tail = chance(rng, 0.4) ? pick(rng, ['!', '!!', ' 🔥', ' 😱', ' 👏', '']) : '';
    out.add({
      time, lang, text: `${eventText(rng, event.kind, lang)}${tail} ${tags.map((tag) => `#${tag}`).join(' ')}`,
      hashtags: tags, urls: NO_ITEMS, mentions: NO_ITEMS,
    });
  }
}

/** One retweet of a viral post, minutes to hours after it (at most two days). */
export function emitCascadeRetweet(ctx: Ctx, out: AccountRows, index: number, notBefore: number): void {
  const cascade = ctx.world.cascades[index];
  if (cascade === undefined) return;
  const post = cascadePost(ctx, index);
  const time = post.time + Math.min(lognormal(out.rng, cascade.delayMedianMs, 1.3), 48 * HOUR_MS);
  if (time >= notBefore) out.add(retweetSpec(post, time));
}

/** A feed account posts (almost) every article of its outlet, a fixed lag after publication. */
export function emitFeed(ctx: Ctx, out: AccountRows, group: number, member: number): void {
  const feed = ctx.world.feeds[group];
  if (feed === undefined) return;
  const rng = out.rng;
  const lag = feed.lagsMs[member] ?? 0;
  for (let k = 0; k < feed.articleTimes.length; k++) {
    if (!chance(rng, 0.95)) continue;
    const news = article(ctx, group, k);
    const url = feed.utm ? `${news.url}?utm_source=twitter&utm_medium=${out.profile.handle}` : news.url;
    out.add({ time: news.time + lag + rng() * 8000, lang: news.lang, text: `${news.headline} ${tcoLink(rng)}`, hashtags: NO_ITEMS, urls: [url], mentions: NO_ITEMS });
  }
}

/** The idol's own posts, which its fans retweet. */
export function emitIdolPosts(ctx: Ctx, out: AccountRows, community: number): void {
  const fans = ctx.world.fans[community];
  if (fans === undefined) return;
  for (let k = 0; k < fans.postTimes.length; k++) out.add(originalSpec(idolPost(ctx, community, k), 50));
}

/** An influencer's own posts: its share of the popular pool and the viral posts it wrote. */
export function emitInfluencerPosts(ctx: Ctx, out: AccountRows, rank: number): void {
  const pool = ctx.world.popular;
  const from = pool.byAuthorStart[rank] ?? 0;
  const to = pool.byAuthorStart[rank + 1] ?? from;
  for (let i = from; i < to; i++) out.add(originalSpec(popularPost(ctx, pool.byAuthor[i] as number), 5));
  for (const cascade of ctx.world.cascadesByAuthor.get(out.profile.account) ?? []) {
    out.add(originalSpec(cascadePost(ctx, cascade), 200));
  }
}
