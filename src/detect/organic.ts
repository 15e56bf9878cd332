/**
 * Organic explanations of a tight cluster. Some communities act in lockstep for declared or
 * ordinary reasons, and an integrity team must not take them down:
 * - syndication: an outlet's feed accounts, each posting almost nothing but links to the outlet's
 *   own domain, seconds apart (automation, but declared and authentic);
 * - fandom: a community reposting one (or a few) popular accounts from outside the cluster at human speed
 *   (minutes after the original, not seconds), as fans do with an idol's posts. Fans of several
 *   idols overlap, so in a large archive their communities merge into one cluster: the idols a
 *   cluster may centre on grow with its size (one per fandomFansPerIdol members, at least
 *   fandomMaxAuthors), so a big merged fandom is judged like each small one;
 * - crowd: accounts that met on objects everybody acted on (a viral post, a live event's
 *   hashtag), of which they are a tiny share; with thousands of people in a burst, some meet
 *   twice by chance.
 * - event: accounts whose meetings on their own material (objects they are a fair share of), nine
 *   in ten of them, fall within a day (ClusterEvidence.ownSpanMs), each pair meeting on one
 *   object: the crowd of one live event or storm, whose hashtag only they used, met by the group
 *   test's wide window (synthetic scale 100, seed 7: five such clusters of 19-86 live-event
 *   accounts, all flagged before).
 * A cluster so explained is reported with the explanation and not flagged. The rules use
 * behaviour only (what the accounts post and how fast), never who the accounts are.
 */
import type { TraceName } from './traces/trace-names.js';

export interface MemberPosting {
  /**
   * The member's actor index. Optional: when absent, the i-th posting is the i-th of the cluster's
   * members (the order the sources give them in).
   */
  actor?: number;
  /** All actions of the member. */
  actions: number;
  /** The domain the member links to most, and how many of its actions are posts linking to it. */
  topDomain: string | null;
  topDomainPosts: number;
}

export interface RepostAuthor {
  author: string;
  /** Reposts of this author's posts by cluster members. */
  reposts: number;
  inCluster: boolean;
}

export interface ClusterFacts {
  members: MemberPosting[];
  /** Authors of the posts members reposted, most reposted first. */
  repostAuthors: RepostAuthor[];
  /** Members' reposts with the original in the data: median delay after the original, ms. */
  medianRepostDelayMs: number | null;
  /** Traces of the cluster's internal edges (most first). */
  traces: readonly { trace: TraceName; edges: number }[];
  /** Share of the members' shared objects that are the cluster's own (see ClusterEvidence.exclusivity). */
  exclusivity: number;  /**
   * The time within which nine in ten of members' meetings on the cluster's own objects fall, ms
   * (ClusterEvidence.ownSpanMs); with medianShared, for the event explanation (absent: not judged).
   */
  ownSpanMs?: number;
  /** Median over the cluster's edges of the objects a pair shared within the window (DetectedCluster.medianShared). */
  medianShared?: number;
}

export type OrganicExplanation =
  | { kind: 'crowd'; exclusivity: number; reason: string }
  | { kind: 'syndication'; domain: string; reason: string }
  | { kind: 'fandom'; author: string; reason: string }
  | { kind: 'event'; spanHours: number; reason: string };

export interface OrganicOptions {
  /** Share of a feed account's actions that are posts linking its outlet's domain. */
  syndicationPostShare: number;
  /**
   * Share of members that must look like feeds of the same domain. Half, not all: readers who
   * share an outlet's articles minutes after its feeds join the feeds' cluster, and an outlet
   * with its audience is still not a campaign.
   */
  syndicationMemberShare: number;
  /** Share of the cluster's reposts that go to its few most reposted outside authors. */
  fandomAuthorShare: number;
  /**
   * How many outside authors a fan community may centre on whatever its size, and their joint
   * share of its reposts.
   */
  fandomMaxAuthors: number;
  fandomAuthorsShare: number;
  /**
   * Members per idol: a larger cluster may centre on one more outside author per this many
   * members (fans of several idols overlap and merge into one cluster at scale). An idol's fan
   * base is dozens to hundreds of accounts; a campaign amplifying many outside sources has far
   * fewer members per source.
   */
  fandomFansPerIdol: number;
  /** Reposts slower than this (median after the original) are at human, not automated, speed. */
  fandomMinDelayMs: number;
  /** Below this exclusivity the cluster met on everybody's objects: a crowd, not a campaign. */
  crowdMaxExclusivity: number;
  /**
   * An event's crowd: all the cluster's own material within this span (ms), and its pairs sharing
   * under eventMaxMedianShared objects within the window at the median (each met the others on one
   * object: the group test's evidence, not repeated lockstep).
   */
  eventMaxSpanMs: number;
  eventMaxMedianShared: number;
  /**
   * Feeds of one outlet set aside from a cluster they do not explain as a whole (see feedMembers):
   * at least this many, each with more than feedOwnEdgeShare of its edges in the cluster to fellow
   * feeds of the outlet.
   */
  feedMinMembers: number;
  feedOwnEdgeShare: number;
}

export const ORGANIC_DEFAULTS: Readonly<OrganicOptions> = Object.freeze({
  syndicationPostShare: 0.9,
  syndicationMemberShare: 0.5,
  fandomAuthorShare: 0.5,
  fandomMaxAuthors: 3,
  fandomAuthorsShare: 0.8,
  fandomFansPerIdol: 50,
  fandomMinDelayMs: 120_000,
  crowdMaxExclusivity: 0.05,
  eventMaxSpanMs: 24 * 3_600_000,
  eventMaxMedianShared: 2,
  feedMinMembers: 2,
  feedOwnEdgeShare: 0.5,
});

const REPOST_TRACES = new Set<TraceName>(['co-repost', 'fast-repost', 'co-reply']);

/** How many outside authors a cluster of `size` members may centre on and still be a fandom. */
export function fandomIdolLimit(size: number, options?: Partial<OrganicOptions>): number {
  const opts = { ...ORGANIC_DEFAULTS, ...options };
  return Math.max(opts.fandomMaxAuthors, Math.floor(size / opts.fandomFansPerIdol));
}

/**
 * Why a tight cluster is organic, or null when nothing explains it (it stays flagged).
 * @example organicExplanation(facts)?.kind // 'fandom' for fans reposting their idols minutes after
 */
export function organicExplanation(facts: ClusterFacts, options?: Partial<OrganicOptions>): OrganicExplanation | null {
  const opts = { ...ORGANIC_DEFAULTS, ...options };
  const size = facts.members.length;
  if (size === 0) return null;
  if (facts.exclusivity < opts.crowdMaxExclusivity) {
    return { kind: 'crowd', exclusivity: facts.exclusivity, reason: `only ${(100 * facts.exclusivity).toFixed(1)}% of what its members share is their own (they are a small part of everybody acting on it): a crowd on popular objects, not a campaign` };
  }
  if (facts.ownSpanMs !== undefined && facts.medianShared !== undefined && facts.ownSpanMs <= opts.eventMaxSpanMs && facts.medianShared < opts.eventMaxMedianShared) {
    const hours = Math.round(facts.ownSpanMs / 360_000) / 10;
    return { kind: 'event', spanHours: hours, reason: `everything its members share of their own happened within ${hours} h, and pairs met on one object at the median: one event's crowd (a live event's hashtag and cries), not a campaign repeating itself over days` };
  }
  const feeds = new Map<string, number>();
  for (const member of facts.members) {
    if (member.topDomain !== null && member.actions > 0 && member.topDomainPosts / member.actions >= opts.syndicationPostShare) {
      feeds.set(member.topDomain, (feeds.get(member.topDomain) ?? 0) + 1);
    }
  }
  const [domain, feedCount] = [...feeds].sort((x, y) => y[1] - x[1])[0] ?? [null, 0];
  if (domain !== null && feedCount >= opts.syndicationMemberShare * size) {
    return { kind: 'syndication', domain, reason: `${feedCount} of ${size} accounts post almost only links to ${domain} (an outlet's feeds)` };
  }
  const totalEdges = facts.traces.reduce((sum, entry) => sum + entry.edges, 0);
  const repostEdges = facts.traces.filter((entry) => REPOST_TRACES.has(entry.trace)).reduce((sum, entry) => sum + entry.edges, 0);
  const reposts = facts.repostAuthors.reduce((sum, author) => sum + author.reposts, 0);
  // A big community can gather the fans of a few idols: count the few most reposted outside authors
  // (more the bigger the cluster: one per fandomFansPerIdol members). One idol must hold
  // fandomAuthorShare of the reposts, or the few together fandomAuthorsShare.
  const outside = facts.repostAuthors.filter((author) => !author.inCluster);
  const single = outside.slice(0, 1);
  const share = (authors: RepostAuthor[]): number => (reposts > 0 ? authors.reduce((sum, author) => sum + author.reposts, 0) / reposts : 0);
  // The fewest most reposted outside authors that reach fandomAuthorsShare (those are named).
  const limit = Math.min(outside.length, fandomIdolLimit(size, opts));
  let needed = limit;
  for (let k = 1, sum = 0; k <= limit; k++) {
    sum += (outside[k - 1] as RepostAuthor).reposts;
    if (reposts > 0 && sum / reposts >= opts.fandomAuthorsShare) { needed = k; break; }
  }
  const several = outside.slice(0, needed);
  const idols = share(single) >= opts.fandomAuthorShare ? single : share(several) >= opts.fandomAuthorsShare ? several : [];
  const idolReposts = idols.reduce((sum, author) => sum + author.reposts, 0);
  if (idols.length > 0 && totalEdges > 0 && repostEdges / totalEdges >= 0.8 && reposts > 0 &&
      facts.medianRepostDelayMs !== null && facts.medianRepostDelayMs >= opts.fandomMinDelayMs) {
    const names = idols.map((author) => author.author).join(', ');
    return {
      kind: 'fandom', author: names,
      reason: `${Math.round((100 * idolReposts) / reposts)}% of the reposts go to ${idols.length === 1 ? 'one account' : `${idols.length} accounts`} outside the cluster (${names}), a median ${Math.round(facts.medianRepostDelayMs / 60_000)} min after their posts: a fan community's pace, not automation`,
    };
  }
  return null;
}

/** Feeds of one outlet inside a cluster they do not explain as a whole (see feedMembers). */
export interface FeedPart {
  domain: string;
  /** Actor indexes of the feeds set aside. */
  members: number[];
  reason: string;
}

/**
 * The members of a cluster that are an outlet's feeds beside it, or null. A feed is a feed even
 * beside a campaign: when readers of an outlet join a URL campaign's cluster on its links, the
 * outlet's feeds come with them on a few edges, too few of the cluster's members for the
 * syndication explanation of the whole (synthetic scale 30, seed 7: 7 feeds beside 12 members of
 * a URL campaign, 6 beside 8 of a retweet ring). Set aside are members who post almost only links
 * to one domain (syndicationPostShare of their actions) and co-act mainly with each other: more
 * than feedOwnEdgeShare of each one's edges in the cluster go to fellow feeds of that domain
 * (checked repeatedly as feeds drop out), and at least feedMinMembers remain. A campaign account
 * posting only its domain's links co-acts with the campaign, not mainly with its like: it stays.
 * `pairs` are the cluster's internal edges as actor pairs.
 * @example feedMembers(facts, cluster.members, pairs)?.members // the outlet's feeds, to be set aside
 */
export function feedMembers(facts: ClusterFacts, members: readonly number[], pairs: readonly (readonly [number, number])[], options?: Partial<OrganicOptions>): FeedPart | null {
  const opts = { ...ORGANIC_DEFAULTS, ...options };
  const byDomain = new Map<string, Set<number>>();
  facts.members.forEach((posting, index) => {
    const actor = posting.actor ?? members[index];
    if (actor === undefined || posting.topDomain === null || posting.actions <= 0) return;
    if (posting.topDomainPosts / posting.actions < opts.syndicationPostShare) return;
    let set = byDomain.get(posting.topDomain);
    if (set === undefined) byDomain.set(posting.topDomain, (set = new Set()));
    set.add(actor);
  });
  const neighbours = new Map<number, number[]>();
  const link = (x: number, y: number): void => {
    let list = neighbours.get(x);
    if (list === undefined) neighbours.set(x, (list = []));
    list.push(y);
  };
  for (const [x, y] of pairs) { link(x, y); link(y, x); }
  let best: { domain: string; feeds: number[] } | null = null;
  for (const [domain, candidates] of [...byDomain].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    const feeds = new Set(candidates);
    for (let changed = true; changed && feeds.size > 0;) {
      changed = false;
      for (const feed of [...feeds]) {
        const around = neighbours.get(feed) ?? [];
        const fellow = around.filter((other) => feeds.has(other)).length;
        if (around.length === 0 || fellow <= opts.feedOwnEdgeShare * around.length) { feeds.delete(feed); changed = true; }
      }
    }
    if (feeds.size >= opts.feedMinMembers && (best === null || feeds.size > best.feeds.length)) best = { domain, feeds: [...feeds].sort((x, y) => x - y) };
  }
  if (best === null) return null;
  return {
    domain: best.domain, members: best.feeds,
    reason: `${best.feeds.length} of ${members.length} accounts post almost only links to ${best.domain} and co-act mainly with each other (an outlet's feeds beside the cluster): set aside`,
  };
}
