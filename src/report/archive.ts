/**
 * The transparency archive in the layout of Twitter's Information Operations releases: a users
 * file (10 columns) and a tweets file (31 columns). Accounts are published in the clear only
 * when their follower count is known and at least the threshold (5,000 by default, as in the
 * releases); every other account's id, screen name and display name become its keyed pseudonym
 * (HMAC-SHA256 of the id), its location, description and profile URL are left empty, and its id
 * and handle are replaced wherever they appear: replies, retweets, mentions, URLs, tweet text.
 */
import { IO_TWEET_COLUMNS, IO_USER_COLUMNS } from '../ingest/index.js';
import type { Action, Actor } from '../model/index.js';
import { keyedHash } from './keyed-hash.js';

export interface ArchivePost { action: Action; quotes: number; replies: number; likes: number; retweets: number }

export interface ArchiveInput {
  /** The accounts the archive discloses (the case's removed accounts). */
  accounts: Actor[];
  /** Their posts, reposts, replies and quotes. */
  posts: ArchivePost[];
  /** Other actors the posts refer to (for their follower counts and handles). */
  referenced: Actor[];
}

export interface ArchiveOptions { threshold?: number }
export const ARCHIVE_DEFAULTS: Required<ArchiveOptions> = { threshold: 5000 };

export interface ArchiveStats { accounts: number; hashedAccounts: number; clearAccounts: number; tweets: number; threshold: number }
export interface Archive { users: string[][]; tweets: string[][]; stats: ArchiveStats }

const POSTED = new Set(['post', 'repost', 'reply', 'quote']);

const minute = (time: number): string => new Date(time).toISOString().slice(0, 16).replace('T', ' ');
const day = (time: number | null): string => (time === null ? '' : new Date(time).toISOString().slice(0, 10));
const listField = (items: readonly string[]): string => `[${items.map((item) => `'${item.replaceAll("'", "\\'")}'`).join(', ')}]`;
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Decides, for any id or handle, what the archive may show. */
class Pseudonyms {
  private readonly clearIds = new Set<string>();
  private readonly clearHandles = new Set<string>();
  private readonly idOfHandle = new Map<string, string>();
  private readonly knownIds = new Set<string>();
  private readonly hidden: { text: string; id: string }[] = [];
  private readonly scrubber: RegExp;
  private readonly hiddenId = new Map<string, string>();

  constructor(private readonly key: Buffer, actors: readonly Actor[], threshold: number) {
    for (const actor of actors) {
      const clear = actor.followers !== null && actor.followers >= threshold;
      this.knownIds.add(actor.id);
      if (actor.handle !== null) this.idOfHandle.set(actor.handle.toLowerCase(), actor.id);
      if (clear) {
        this.clearIds.add(actor.id);
        if (actor.handle !== null) this.clearHandles.add(actor.handle.toLowerCase());
      }
    }
    for (const actor of actors) {
      if (this.clearIds.has(actor.id)) continue;
      if (actor.id.length >= 4) this.hidden.push({ text: actor.id, id: actor.id });
      if (actor.handle !== null && actor.handle.length >= 2 && !this.clearHandles.has(actor.handle.toLowerCase())) this.hidden.push({ text: actor.handle, id: actor.id });
    }
    // Longest first, so a handle that contains another is replaced whole.
    this.hidden.sort((a, b) => b.text.length - a.text.length);
    for (const item of this.hidden) this.hiddenId.set(item.text.toLowerCase(), item.id);
    // One pass: an @mention first (group 1), else a hidden id or handle standing alone.
    const hidden = this.hidden.length === 0 ? '' : `|(?<![\\p{L}\\p{N}_])(?:${this.hidden.map((item) => escapeRegex(item.text)).join('|')})(?![\\p{L}\\p{N}_])`;
    this.scrubber = new RegExp(`@([A-Za-z0-9_]{1,30})(?![A-Za-z0-9_])${hidden}`, 'giu');
  }

  isClear(id: string): boolean {
    return this.clearIds.has(id);
  }

  /** An account id as the archive shows it. */
  id(id: string): string {
    return id === '' || this.clearIds.has(id) ? id : keyedHash(this.key, id);
  }

  /** A mention (an id or a handle) as the archive shows it. */
  mention(value: string): string {
    if (this.knownIds.has(value)) return this.id(value);
    const handle = value.replace(/^@/, '').toLowerCase();
    if (this.clearHandles.has(handle)) return value;
    const id = this.idOfHandle.get(handle);
    return id === undefined ? keyedHash(this.key, `@${handle}`) : this.id(id);
  }

  /** Free text (tweet text, URLs) with every hidden id and handle, and every unknown @mention, replaced. */
  scrub(text: string): string {
    return text.replace(this.scrubber, (found, handle: string | undefined) => {
      if (handle !== undefined) return this.clearHandles.has(handle.toLowerCase()) ? found : `@${this.mention(handle)}`;
      return this.id(this.hiddenId.get(found.toLowerCase()) ?? found);
    });
  }
}

/**
 * The archive's rows (header first) and counts. Pure: the caller writes the files.
 * @example const archive = buildArchive(input, parseDisclosureKey(config.disclosureKey), { threshold: 5000 });
 */
export function buildArchive(input: ArchiveInput, key: Buffer, options: ArchiveOptions = {}): Archive {
  const settings = { ...ARCHIVE_DEFAULTS, ...options };
  const names = new Pseudonyms(key, [...input.accounts, ...input.referenced], settings.threshold);
  const byId = new Map(input.accounts.map((actor) => [actor.id, actor]));
  const profile = (actor: Actor): string[] => {
    const clear = names.isClear(actor.id);
    const hidden = names.id(actor.id);
    return [
      hidden, clear ? actor.displayName ?? '' : hidden, clear ? actor.handle ?? '' : hidden,
      clear ? actor.location ?? '' : '', clear ? names.scrub(actor.description ?? '') : '', '',
      actor.followers === null ? '' : String(actor.followers), actor.following === null ? '' : String(actor.following),
      day(actor.createdAt), actor.language ?? '',
    ];
  };
  const users = [[...IO_USER_COLUMNS], ...input.accounts.map(profile)];
  const tweets: string[][] = [[...IO_TWEET_COLUMNS]];
  for (const post of input.posts) {
    const action = post.action;
    const actor = byId.get(action.actorId);
    if (actor === undefined || !POSTED.has(action.kind)) continue;
    const target = action.targetActor === null ? '' : names.id(action.targetActor);
    tweets.push([
      action.id, ...profile(actor), action.language ?? '', names.scrub(action.text ?? ''), minute(action.time), action.clientApp ?? '',
      action.kind === 'reply' ? target : '', action.kind === 'reply' ? action.targetPost ?? '' : '', action.kind === 'quote' ? action.targetPost ?? '' : '',
      action.kind === 'repost' ? 'true' : 'false', action.kind === 'repost' ? target : '', action.kind === 'repost' ? action.targetPost ?? '' : '',
      'absent', 'absent', String(post.quotes), String(post.replies), String(post.likes), String(post.retweets),
      listField(action.hashtags), listField(action.urls.map((url) => names.scrub(url))), listField(action.mentions.map((mention) => names.mention(mention))), '',
    ]);
  }
  const hashedAccounts = input.accounts.filter((actor) => !names.isClear(actor.id)).length;
  return {
    users, tweets,
    stats: { accounts: input.accounts.length, hashedAccounts, clearAccounts: input.accounts.length - hashedAccounts, tweets: tweets.length - 1, threshold: settings.threshold },
  };
}

/** Rows as CSV with every field quoted, as the releases write them. */
export function archiveCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map((field) => `"${field.replaceAll('"', '""')}"`).join(',')).join('\n') + '\n';
}
