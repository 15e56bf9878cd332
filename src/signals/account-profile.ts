/**
 * One account's own signals, as an analyst reads them on its page: the shape of its handle (the
 * templates of mass registration), an empty profile, follower/following shape, and how old the
 * account was when it first acted here and how long it then stayed silent or active. Cluster-level
 * strength against the platform baseline is `accountSignals`; these are the single account's facts.
 */
import type { Actor } from '../model/index.js';
import { characterEntropy, handlePattern, handleTemplate } from './handle-pattern.js';
import type { HandlePattern } from './handle-pattern.js';

const DAY_MS = 86_400_000;

export interface AccountActivity { actions: number; firstTime: number | null; lastTime: number | null }

export interface AccountProfileSignals {
  /** `name-digits` (Name12345678), `high-entropy`, or null for an ordinary handle. */
  handlePattern: HandlePattern;
  /** Character classes and digit runs, e.g. `Aa#8`; accounts of one batch often share one. */
  handleTemplate: string | null;
  handleEntropy: number | null;
  /** Neither a bio nor a location. */
  emptyProfile: boolean;
  followers: number | null;
  following: number | null;
  /** following / max(followers, 1): follow-back farming and bought accounts sit far above 1. */
  followingPerFollower: number | null;
  /** Days between the account's creation and its first action in the store. */
  ageAtFirstActionDays: number | null;
  /** Days between first and last action in the store. */
  activeSpanDays: number | null;
}

/** The facts of one account that bear on attribution, from its profile and activity. */
export function accountProfileSignals(actor: Actor | null, activity: AccountActivity): AccountProfileSignals {
  const handle = actor?.handle ?? null;
  const followers = actor?.followers ?? null;
  const following = actor?.following ?? null;
  const created = actor?.createdAt ?? null;
  return {
    handlePattern: handle === null ? null : handlePattern(handle),
    handleTemplate: handle === null ? null : handleTemplate(handle),
    handleEntropy: handle === null || handle === '' ? null : Number(characterEntropy(handle).toFixed(2)),
    emptyProfile: actor !== null && (actor.description ?? '').trim() === '' && (actor.location ?? '').trim() === '',
    followers,
    following,
    followingPerFollower: followers === null || following === null ? null : Number((following / Math.max(followers, 1)).toFixed(2)),
    ageAtFirstActionDays: created === null || activity.firstTime === null ? null : Math.floor((activity.firstTime - created) / DAY_MS),
    activeSpanDays: activity.firstTime === null || activity.lastTime === null ? null : Math.floor((activity.lastTime - activity.firstTime) / DAY_MS),
  };
}
