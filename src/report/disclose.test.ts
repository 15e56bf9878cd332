import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCli } from '../cli/test-support/run-cli.js';
import { IO_TWEET_COLUMNS, IO_USER_COLUMNS } from '../ingest/index.js';
import { action, actor, openCase, openTestStore } from '../share/test-support/stores.js';
import { keyedHash, parseDisclosureKey } from './keyed-hash.js';

const T0 = Date.UTC(2019, 7, 10, 8, 15);
const BIG = { id: '4057984825', handle: 'BaillopuD5' };
const SMALL = [{ id: '919755217121316864', handle: 'wuming11xia' }, { id: '747292706536226816', handle: 'gurevadona88' }];
const OUTSIDER = { id: '555000111', handle: 'quiet_reader' };

async function archiveText(dir: string): Promise<string> {
  const files = await readdir(dir);
  return (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('\n');
}

async function disclose(db: string, out: string, key: string | undefined, ...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = process.env['LOCKSTEP_DISCLOSURE_KEY'];
  if (key === undefined) delete process.env['LOCKSTEP_DISCLOSURE_KEY'];
  else process.env['LOCKSTEP_DISCLOSURE_KEY'] = key;
  try {
    return await runCli('disclose', 'case-1', '--db', db, '--out', out, ...extra);
  } finally {
    if (saved === undefined) delete process.env['LOCKSTEP_DISCLOSURE_KEY'];
    else process.env['LOCKSTEP_DISCLOSURE_KEY'] = saved;
  }
}

describe('parseDisclosureKey', () => {
  it('refuses no key, a non-base64 key and a short key', () => {
    assert.throws(() => parseDisclosureKey(undefined), /LOCKSTEP_DISCLOSURE_KEY: no key/);
    assert.throws(() => parseDisclosureKey('not base64!'), /is not base64/);
    assert.throws(() => parseDisclosureKey(Buffer.from('short').toString('base64')), /is 5 bytes/);
    assert.equal(parseDisclosureKey(randomBytes(32).toString('base64')).length, 32);
  });
});

describe('lockstep disclose', () => {
  let dir: string;
  let db: string;
  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('base64');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-disclose-'));
    db = join(dir, 'store.duckdb');
    const test = await openTestStore({
      actors: [
        actor('twitter', BIG.id, { handle: BIG.handle, displayName: '前尘往事', followers: 17116, following: 76, createdAt: Date.UTC(2015, 9, 29), location: 'California, USA' }),
        actor('twitter', SMALL[0]!.id, { handle: SMALL[0]!.handle, displayName: 'ailaiyi5', followers: 0, createdAt: Date.UTC(2017, 9, 16), location: 'Hong Kong', description: 'I am @wuming11xia' }),
        actor('twitter', SMALL[1]!.id, { handle: SMALL[1]!.handle, displayName: '牛小牛', followers: null }),
        actor('twitter', OUTSIDER.id, { handle: OUTSIDER.handle, followers: 3 }),
      ],
      actions: [
        action('twitter', SMALL[0]!.id, 'post', T0, {
          id: 'tw-1', text: `@${SMALL[1]!.handle} @${BIG.handle} @${OUTSIDER.handle} see https://twitter.com/${SMALL[0]!.handle.toUpperCase()}/status/1 #HongKong`,
          urls: [`https://twitter.com/${SMALL[1]!.handle}/status/9`], hashtags: ['hongkong'], mentions: [SMALL[1]!.id, BIG.id, OUTSIDER.handle],
        }),
        action('twitter', SMALL[1]!.id, 'repost', T0 + 60_000, { id: 'tw-2', targetPost: 'tw-1', targetActor: SMALL[0]!.id }),
        action('twitter', BIG.id, 'reply', T0 + 120_000, { id: 'tw-3', targetPost: 'tw-1', targetActor: SMALL[0]!.id, text: `agree ${SMALL[0]!.id}` }),
        action('twitter', OUTSIDER.id, 'like', T0, { targetPost: 'tw-1', targetActor: SMALL[0]!.id }),
      ],
    }, db);
    await openCase(test.workspace, 'case-1', '1', [BIG, ...SMALL].map((item) => ({ kind: 'account', id: item.id, handle: item.handle })));
    await test.close();
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('refuses to run without a key and writes nothing', async () => {
    const out = join(dir, 'none');
    const result = await disclose(db, out, undefined);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /LOCKSTEP_DISCLOSURE_KEY: no key/);
    await assert.rejects(readdir(out));
  });

  it('writes the archive in the Information Operations layout, with counts in the README', async () => {
    const out = join(dir, 'a1');
    const result = await disclose(db, out, keyA);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /3 accounts \(2 under 5000 followers pseudonymised with HMAC-SHA256\), 3 posts/);
    const users = parse(await readFile(join(out, 'lockstep_case-1_users_csv_hashed.csv'), 'utf8')) as string[][];
    const tweets = parse(await readFile(join(out, 'lockstep_case-1_tweets_csv_hashed.csv'), 'utf8')) as string[][];
    assert.deepEqual(users[0], [...IO_USER_COLUMNS]);
    assert.deepEqual(tweets[0], [...IO_TWEET_COLUMNS]);
    assert.equal(users.length, 4);
    assert.equal(tweets.length, 4);
    for (const row of tweets) assert.equal(row.length, 31);
    const byId = new Map(tweets.slice(1).map((row) => [row[0], row]));
    assert.equal(byId.get('tw-1')?.[IO_TWEET_COLUMNS.indexOf('tweet_time')], '2019-08-10 08:15');
    assert.equal(byId.get('tw-1')?.[IO_TWEET_COLUMNS.indexOf('like_count')], '1');
    assert.equal(byId.get('tw-2')?.[IO_TWEET_COLUMNS.indexOf('is_retweet')], 'true');
    const key = parseDisclosureKey(keyA);
    assert.equal(byId.get('tw-2')?.[IO_TWEET_COLUMNS.indexOf('retweet_userid')], keyedHash(key, SMALL[0]!.id), 'the retweeted small account is pseudonymised');
    assert.equal(byId.get('tw-3')?.[IO_TWEET_COLUMNS.indexOf('userid')], BIG.id, 'an account over the threshold stays in the clear');
    assert.equal(byId.get('tw-1')?.[IO_TWEET_COLUMNS.indexOf('user_mentions')], `['${keyedHash(key, SMALL[1]!.id)}', '${BIG.id}', '${keyedHash(key, OUTSIDER.id)}']`, 'a mentioned account has one pseudonym everywhere');
    assert.match(byId.get('tw-1')?.[IO_TWEET_COLUMNS.indexOf('tweet_text')] ?? '', new RegExp(`^@${keyedHash(key, SMALL[1]!.id).replace(/[+/]/g, '\\$&')} @${BIG.handle} `));
    assert.equal(byId.get('tw-3')?.[IO_TWEET_COLUMNS.indexOf('user_screen_name')], BIG.handle);
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    assert.match(readme, /accounts: 3 \(1 in the clear, 2 pseudonymised\)/);
    assert.match(readme, /HMAC-SHA256/);
  });

  it('holds no raw id or screen name of an account under the threshold, anywhere', async () => {
    const text = (await archiveText(join(dir, 'a1'))).toLowerCase();
    for (const account of [...SMALL, OUTSIDER]) {
      assert.equal(text.includes(account.id), false, `raw id ${account.id} found`);
      assert.equal(text.includes(account.handle.toLowerCase()), false, `raw screen name ${account.handle} found`);
    }
    assert.ok(text.includes(BIG.id) && text.includes(BIG.handle.toLowerCase()), 'the large account is published');
  });

  it('gives the same pseudonyms under the same key and different ones under another', async () => {
    assert.equal((await disclose(db, join(dir, 'a2'), keyA)).code, 0);
    assert.equal((await disclose(db, join(dir, 'b1'), keyB)).code, 0);
    const usersOf = async (run: string): Promise<string[]> => (parse(await readFile(join(dir, run, 'lockstep_case-1_users_csv_hashed.csv'), 'utf8')) as string[][]).slice(1).map((row) => row[0] ?? '');
    const [a1, a2, b1] = [await usersOf('a1'), await usersOf('a2'), await usersOf('b1')];
    assert.deepEqual(a1, a2);
    assert.equal(await archiveText(join(dir, 'a1')), await archiveText(join(dir, 'a2')));
    const hashedA = a1.filter((id) => id !== BIG.id).sort();
    const hashedB = b1.filter((id) => id !== BIG.id).sort();
    assert.equal(hashedA.length, 2);
    for (const id of hashedA) assert.match(id, /^[A-Za-z0-9+/]{43}=$/);
    for (const id of hashedA) assert.equal(hashedB.includes(id), false);
  });

  it('lowers the threshold on request: everyone with a known count over it is in the clear', async () => {
    const out = join(dir, 'low');
    const result = await disclose(db, out, keyA, '--threshold', '0');
    assert.equal(result.code, 0, result.stderr);
    const text = await archiveText(out);
    assert.ok(text.includes(SMALL[0]!.id), 'followers 0 >= threshold 0');
    assert.equal(text.includes(SMALL[1]!.id), false, 'an unknown follower count is never in the clear');
  });
});
