/** Paths of the shared real fixtures, and scratch directories for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');

export const FIXTURES = {
  ioTweets: join(SHARED_DATA, 'twitter-io', 'russia_201901_1_tweets_sample.csv'),
  ioUsers: join(SHARED_DATA, 'twitter-io', 'china_082019_1_users_csv_hashed.csv'),
  coortweetRussian: join(SHARED_DATA, 'coortweet', 'russian_coord_tweets.csv'),
  coortweetGerman: join(SHARED_DATA, 'coortweet', 'german_elections.csv'),
  coortweetSimulated: join(SHARED_DATA, 'coortweet', 'simulated_seed123.csv'),
} as const;

/** A fresh directory, removed by the returned cleanup. */
export async function scratchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
