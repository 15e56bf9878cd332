/**
 * `disclose`: a case's accounts and posts from the store, written as the transparency archive
 * (users and tweets CSV in the Information Operations layout, keyed pseudonyms below the
 * follower threshold) with a README giving counts, the hashing rule and what each field means.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { caseNotFound } from '../cases/errors.js';
import type { WorkspaceStore } from '../cases/index.js';
import type { Action, ActionKind, Actor, ActorKind } from '../model/index.js';
import { stageEntities } from '../share/load-case.js';
import { archiveCsv, buildArchive } from './archive.js';
import type { ArchiveInput, ArchiveOptions, ArchiveStats } from './archive.js';

type JsRow = Record<string, unknown>;
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

async function rows(connection: DuckDBConnection, sql: string): Promise<JsRow[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as JsRow[];
}

function toActor(row: JsRow): Actor {
  return {
    platform: str(row['platform']) ?? '', id: str(row['id']) ?? '', kind: (str(row['kind']) ?? 'account') as ActorKind, handle: str(row['handle']),
    displayName: str(row['display_name']), createdAt: num(row['created_at']), followers: num(row['followers']), following: num(row['following']),
    language: str(row['language']), location: str(row['location']), description: str(row['description']),
  };
}

function toAction(row: JsRow): Action {
  return {
    platform: str(row['platform']) ?? '', id: str(row['id']) ?? '', actorId: str(row['actor_id']) ?? '', kind: (str(row['kind']) ?? 'post') as ActionKind,
    time: num(row['time']) ?? 0, targetPost: str(row['target_post']), targetActor: str(row['target_actor']), text: str(row['text']), language: str(row['language']),
    urls: list(row['urls']), hashtags: list(row['hashtags']), mentions: list(row['mentions']), mediaHashes: list(row['media_hashes']), clientApp: str(row['client_app']),
  };
}

/**
 * The case's entities and their posts, with the engagement counts the store holds for each post
 * and the profiles of the accounts the posts refer to.
 */
export async function loadArchiveInput(connection: DuckDBConnection, workspace: WorkspaceStore, caseId: string): Promise<ArchiveInput & { caseTitle: string }> {
  const record = await workspace.getCase(caseId);
  if (record === null) throw caseNotFound(`case ${caseId}`);
  const entities = await workspace.caseEntities(caseId);
  await stageEntities(connection, entities, 'ls_disclose_entities');
  const accounts = (await rows(connection, 'SELECT a.* FROM actors a JOIN (SELECT DISTINCT id FROM ls_disclose_entities) e ON e.id = a.id ORDER BY a.id')).map(toActor);
  const known = new Set(accounts.map((actor) => actor.id));
  // An entity without a stored profile is still disclosed (and, its follower count unknown, pseudonymised).
  for (const entity of entities) if (!known.has(entity.id)) { known.add(entity.id); accounts.push({ platform: 'unknown', id: entity.id, kind: entity.kind, handle: entity.handle, displayName: null, createdAt: null, followers: null, following: null, language: null, location: null, description: null }); }
  await connection.run(`CREATE OR REPLACE TEMP TABLE ls_disclose_posts AS SELECT a.* FROM actions a JOIN (SELECT DISTINCT id FROM ls_disclose_entities) e ON e.id = a.actor_id
    WHERE a.kind IN ('post', 'repost', 'reply', 'quote')`);
  const posts = await rows(connection, `SELECT p.*, coalesce(c.quotes, 0) AS n_quotes, coalesce(c.replies, 0) AS n_replies, coalesce(c.likes, 0) AS n_likes, coalesce(c.reposts, 0) AS n_reposts
    FROM ls_disclose_posts p LEFT JOIN (
      SELECT target_post, count(*) FILTER (WHERE kind = 'quote') AS quotes, count(*) FILTER (WHERE kind = 'reply') AS replies,
             count(*) FILTER (WHERE kind = 'like') AS likes, count(*) FILTER (WHERE kind = 'repost') AS reposts
      FROM actions WHERE target_post IN (SELECT id FROM ls_disclose_posts) GROUP BY target_post) c ON c.target_post = p.id
    ORDER BY p.time, p.id`);
  const referenced = (await rows(connection, `SELECT a.* FROM actors a WHERE a.id IN (
      SELECT target_actor FROM ls_disclose_posts WHERE target_actor IS NOT NULL UNION SELECT unnest(mentions) FROM ls_disclose_posts)
      OR lower(a.handle) IN (SELECT lower(unnest(mentions)) FROM ls_disclose_posts)`)).map(toActor);
  return {
    caseTitle: record.title, accounts, referenced,
    posts: posts.map((row) => ({ action: toAction(row), quotes: Number(row['n_quotes']), replies: Number(row['n_replies']), likes: Number(row['n_likes']), retweets: Number(row['n_reposts']) })),
  };
}

const FIELD_NOTES = `| field | meaning |
|---|---|
| userid | the account's id; for an account under the threshold, its keyed pseudonym |
| user_display_name, user_screen_name | as on the platform; for an account under the threshold, the same pseudonym as userid |
| user_reported_location, user_profile_description, user_profile_url | as on the platform; empty for an account under the threshold |
| follower_count, following_count | at the time of the takedown, as stored |
| account_creation_date | YYYY-MM-DD (UTC) |
| account_language, tweet_language | language codes as the platform gave them |
| tweetid | the post's id |
| tweet_text | the text; ids and handles of accounts under the threshold, and unknown @mentions, replaced by pseudonyms |
| tweet_time | YYYY-MM-DD HH:MM (UTC) |
| tweet_client_name | the client that posted, when known |
| in_reply_to_userid, in_reply_to_tweetid | the account and post replied to (the account pseudonymised under the threshold) |
| quoted_tweet_tweetid | the post quoted |
| is_retweet, retweet_userid, retweet_tweetid | whether it is a repost, and of whose post (pseudonymised under the threshold) |
| latitude, longitude | always \`absent\` (lockstep does not keep locations) |
| quote_count, reply_count, like_count, retweet_count | engagement the store holds for the post (a lower bound) |
| hashtags, urls, user_mentions | lists written \`['a', 'b']\`; mentions pseudonymised under the threshold |
| poll_choices | always empty |`;

function readme(name: string, title: string, stats: ArchiveStats): string {
  return `# ${name}: transparency archive

Accounts and posts of "${title}", removed for coordinated inauthentic behaviour, in the layout of
the Information Operations archives (users file: 10 columns; tweets file: 31 columns).

## Counts
- accounts: ${stats.accounts} (${stats.clearAccounts} in the clear, ${stats.hashedAccounts} pseudonymised)
- posts: ${stats.tweets}

## Pseudonyms
Accounts with fewer than ${stats.threshold.toLocaleString('en-US')} followers (or an unknown follower count) appear
under a keyed pseudonym: HMAC-SHA256 of the account id under a secret key, in base64. The key is
not published, so a pseudonym cannot be recomputed from a guessed id (a plain hash could be). The
same account has the same pseudonym in both files and wherever it is referred to.

## Files
- \`${name}_users_csv_hashed.csv\`
- \`${name}_tweets_csv_hashed.csv\`

## Fields
${FIELD_NOTES}
`;
}

export interface DiscloseResult { dir: string; files: string[]; stats: ArchiveStats }

/**
 * Writes the archive of a case into `dir` (created if missing).
 * @example await discloseCase(store.connection, workspace, 'case-1', '/tmp/archive', key, { threshold: 5000 });
 */
export async function discloseCase(connection: DuckDBConnection, workspace: WorkspaceStore, caseId: string, dir: string, key: Buffer, options: ArchiveOptions & { name?: string } = {}): Promise<DiscloseResult> {
  const input = await loadArchiveInput(connection, workspace, caseId);
  const archive = buildArchive(input, key, options);
  const name = options.name ?? `lockstep_${caseId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  await mkdir(dir, { recursive: true });
  const files = [join(dir, `${name}_users_csv_hashed.csv`), join(dir, `${name}_tweets_csv_hashed.csv`), join(dir, 'README.md')];
  await writeFile(files[0] ?? '', archiveCsv(archive.users));
  await writeFile(files[1] ?? '', archiveCsv(archive.tweets));
  await writeFile(files[2] ?? '', readme(name, input.caseTitle, archive.stats));
  return { dir, files, stats: archive.stats };
}
