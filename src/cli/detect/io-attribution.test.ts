import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseProfileCount, parseProfileDate, readIoArchiveColumns } from '../../ingest/columnar/index.js';
import { readAllActors } from '../../signals/signup/store-inputs.js';
import { DuckDbStore } from '../../store/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { ingestInto } from '../commands/ingest.js';
import { runCli } from '../test-support/run-cli.js';
import { ioAccountFacts, ioActors } from './io-attribution.js';
import { storeAccountFacts } from './store-account-facts.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

describe('attribution evidence of archive files read without the store', () => {
  it('clusters.json from `detect FILE...` equals the --via-store one, attribution included', { timeout: 120_000 }, async () => {
    const synth = join(dir, 'synth');
    assert.equal((await runCli('synth', '--out', synth, '--seed', '11', '--scale', '0.1')).code, 0);
    const files = [join(synth, 'tweets.csv'), join(synth, 'users.csv')];
    const outs = [join(dir, 'direct'), join(dir, 'store')];
    assert.equal((await runCli('detect', ...files, '--out', outs[0]!, '--json')).code, 0);
    assert.equal((await runCli('detect', ...files, '--out', outs[1]!, '--json', '--via-store')).code, 0);
    const [direct, store] = await Promise.all(outs.map(async (out) => JSON.parse(await readFile(join(out, 'clusters.json'), 'utf8')) as { attribution: { with_profile: number; signals: unknown[] } | null; size: number }[]));
    assert.ok(direct!.length >= 2, 'campaigns are found');
    assert.ok(direct!.every((cluster) => cluster.attribution !== null && cluster.attribution.with_profile === cluster.size && cluster.attribution.signals.length > 0), 'every cluster has attribution evidence');
    assert.deepEqual(direct, store);
  });

  it('takes each account\'s profile from the first file naming it (a tweets file\'s latest row, a users file\'s earliest creation), as the store', { timeout: 60_000 }, async () => {
    const tweets = join(dir, 'profiles-tweets.csv');
    const users = join(dir, 'profiles-users.csv');
    // The store needs every profile column: those not given here are empty.
    const rest = ',user_display_name,following_count,account_language,user_reported_location,user_profile_description';
    await writeFile(tweets, [
      `tweetid,userid,tweet_time,follower_count,account_creation_date,user_screen_name,is_retweet,retweet_tweetid,retweet_userid,quoted_tweet_tweetid,in_reply_to_tweetid,in_reply_to_userid,tweet_text,urls,hashtags,user_mentions,tweet_language,tweet_client_name${rest}`,
      ...['1,a,2019-08-01 10:00,"1,000",2015-01-01, old ', '3,a,2019-08-02 10:00,7,2015-01-02,new', '2,a,2019-08-02 10:00,5,2015-01-02,tie-lower-id', '4,b,2019-08-01 10:00,x,2015-02-30,']
        .map((line) => `${line},false,,,,,,text,[],[],[],en,Web,,,,,`),
      '',
    ].join('\n'));
    await writeFile(users, [`userid,follower_count,account_creation_date,user_screen_name${rest}`, ...['a,99,2010-01-01', 'c,1,2012-01-01', 'c,2,2011-01-01', 'c,3,'].map((line) => `${line},,,,,,`), ''].join('\n'));
    const columns = readIoArchiveColumns([{ file: users, format: 'twitter-io-users' }, { file: tweets, format: 'twitter-io-tweets' }], () => assert.fail('no rejects'));
    const byId = new Map(ioActors(columns).map((actor) => [actor.id, actor]));
    assert.deepEqual([...byId.keys()], ['a', 'c', 'b']);
    assert.equal(byId.get('a')?.followers, 99, 'the users file came first');
    assert.equal(byId.get('c')?.followers, 2);
    assert.deepEqual([byId.get('b')?.followers, byId.get('b')?.createdAt, byId.get('b')?.handle], [null, null, null]);
    const tweetsFirst = ioActors(readIoArchiveColumns([{ file: tweets, format: 'twitter-io-tweets' }, { file: users, format: 'twitter-io-users' }], () => undefined));
    const a = tweetsFirst.find((actor) => actor.id === 'a');
    assert.deepEqual([a?.followers, a?.handle, a?.createdAt], [7, 'new', Date.UTC(2015, 0, 2)]);
    for (const order of [[users, tweets], [tweets, users]]) {
      const db = await DuckDbStore.open(':memory:');
      try {
        await ingestInto(db, order, { rejects: join(dir, 'profiles-rejects.csv') }, false);
        const stored = (await readAllActors(db.connection)).sort((x, y) => x.id.localeCompare(y.id));
        const direct = ioActors(readIoArchiveColumns(order.map((file) => ({ file, format: file === users ? 'twitter-io-users' as const : 'twitter-io-tweets' as const })), () => undefined));
        assert.deepEqual(direct.sort((x, y) => x.id.localeCompare(y.id)), stored);
      } finally {
        await db.close();
      }
    }
  });

  it('gives the expansion each account\'s creation day, most used client and specific handle template, indexed like the actor ids', async () => {
    const tweets = join(dir, 'facts-tweets.csv');
    const hashed = 'Fdd/HNQa28QFau/4jw1jOlOQAhqMr+hKfreBihecoL0=';
    // Every column the store's loader reads; those not given here are empty.
    const header = 'tweetid,userid,tweet_time,account_creation_date,user_screen_name,tweet_client_name,follower_count,is_retweet,retweet_tweetid,retweet_userid,quoted_tweet_tweetid,in_reply_to_tweetid,in_reply_to_userid,tweet_text,urls,hashtags,user_mentions,tweet_language,user_display_name,following_count,account_language,user_reported_location,user_profile_description';
    await writeFile(tweets, [
      header,
      ...['1,a,2019-08-01 10:00,2017-12-01,Richard17700647,Twitter for Android',
        '2,a,2019-08-01 11:00,2017-12-01,Richard17700647,Twitter for Android',
        '3,a,2019-08-01 12:00,2017-12-01,Richard17700647,Twitter Web App',
        `4,${hashed},2019-08-01 10:00,2017-12-02,${hashed},Twitter Web App`,
        '5,c,2019-08-01 10:00,,coffee_lover,'].map((line) => `${line},,false,,,,,,text,[],[],[],en,,,,,`),
      '',
    ].join('\n'));
    const columns = readIoArchiveColumns([{ file: tweets, format: 'twitter-io-tweets' }], () => assert.fail('no rejects'));
    const rows = Int32Array.from({ length: 5 }, (_, i) => i);
    const facts = ioAccountFacts(columns, rows, ['c', hashed, 'a', 'not-in-data']);
    const day = (iso: string): number => Date.parse(iso) / 86_400_000;
    assert.deepEqual([...facts.createdDay], [NaN, day('2017-12-02'), day('2017-12-01'), NaN]);
    const client = (id: number): string | null => (id < 0 ? null : columns.clients.text(id));
    assert.deepEqual([...facts.client].map(client), [null, 'Twitter Web App', 'Twitter for Android', null]);
    // Only a visible, specific handle has a template: not the hashed id, not an everyday shape.
    assert.deepEqual([...facts.template], [-1, -1, 0, -1]);
    // Through a store (detect --db, --via-store) the facts are the same.
    const db = await DuckDbStore.open(':memory:');
    try {
      await ingestInto(db, [tweets], { rejects: join(dir, 'facts-rejects.csv') }, false);
      const stored = await storeAccountFacts(db.connection, ['c', hashed, 'a', 'not-in-data']);
      assert.ok(stored !== null);
      assert.deepEqual([...stored.createdDay], [...facts.createdDay]);
      assert.deepEqual([...stored.client].map((id) => id >= 0), [...facts.client].map((id) => id >= 0));
      assert.equal(stored.client[1] === stored.client[2], false);
      assert.deepEqual([...stored.template].map((id) => id >= 0), [false, false, true, false]);
    } finally {
      await db.close();
    }
  });

  it('parses counts and dates as the store does', () => {
    assert.deepEqual(['1,234', ' 12 '.trim(), '12.6', '1e3', '+5', 'many', '', '-2.5'].map(parseProfileCount), [1234, 12, 13, 1000, 5, null, null, -3]);
    assert.deepEqual(['2019-08-01', '2019-8-1 10:05', '2019-08-01 10:05:07', '2019-02-30', '2019-08-01T10:05', 'soon'].map(parseProfileDate),
      [Date.UTC(2019, 7, 1), Date.UTC(2019, 7, 1, 10, 5), Date.UTC(2019, 7, 1, 10, 5, 7), null, null, null]);
  });
});
