import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { coActionPairs } from '../../detect/kernel/index.js';
import { organicExplanation } from '../../detect/organic.js';
import { detectCoordination } from '../../detect/pipeline.js';
import { TRACE_NAMES } from '../../detect/traces/trace-names.js';
import { DuckDbStore } from '../../store/index.js';
import { FIXTURES, scratchDir } from '../../test-support/fixtures.js';
import { ingestInto } from '../commands/ingest.js';
import { runCli } from '../test-support/run-cli.js';
import { storeSource } from './detect-source.js';
import type { DetectSource } from './detect-source.js';
import { ioArchiveInputs, readIoArchive } from './io-direct.js';
import { codePointOrder, compareCodePoints } from './io-traces.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

const EXPORT = { fastRepostMs: 60_000, platforms: [] };

/**
 * What one source gives detection, independent of how it numbers rows: per trace the events in
 * the order detection sees them (account, object label, time, post id, kind), the kernel's pairs,
 * the fused edges, the clusters and the organic explanations of their facts.
 */
async function described(source: DetectSource): Promise<Record<string, unknown>> {
  const loaded = await source.loadTraces(TRACE_NAMES, EXPORT, () => undefined);
  const traces: Record<string, string[]> = {};
  for (const [name, data] of loaded.traces) {
    const keys = [...new Set(data.key)];
    const labels = name === 'near-duplicate' ? new Map(keys.map((key) => [key, loaded.textSamples.get(key) ?? ''])) : await source.keyLabels(name, keys);
    const refs = await source.actionRefs([...data.action]);
    const events = Array.from(data.actor, (actor, e) =>
      `${data.key[e]}|${labels.get(data.key[e]!)}|${data.time[e]}|${loaded.actorIds[actor]}|${refs.get(data.action[e]!)?.id}|${refs.get(data.action[e]!)?.kind}`);
    // Near-duplicate keys are numbered by the order of texts: compare their events as a set.
    traces[name] = name === 'near-duplicate' ? events.map((event) => event.slice(event.indexOf('|') + 1)).sort() : events;
  }
  const pairs: Record<string, string[]> = {};
  for (const [name, data] of loaded.traces) {
    const table = coActionPairs(data, { window: 60_000 }).pairs;
    pairs[name] = Array.from(table.a.subarray(0, table.size), (a, r) => `${loaded.actorIds[a]}|${loaded.actorIds[table.b[r]!]}|${table.shared[r]}|${table.coActions[r]}|${table.sumDelta[r]}`).sort();
  }
  const result = detectCoordination({ actorCount: loaded.actorIds.length, traces: loaded.traces });
  const id = (actor: number): string => loaded.actorIds[actor] ?? '?';
  const edges = Array.from(result.graph.a.subarray(0, result.graph.size), (a, e) => `${id(a)}|${id(result.graph.b[e]!)}|${result.graph.weight[e]!.toFixed(6)}`).sort();
  const facts = await source.clustersFacts(result.clusters.map((cluster, index) => ({ members: cluster.members, traces: cluster.traces, exclusivity: result.evidence[index]?.exclusivity ?? 0 })));
  const clusters = result.clusters.map((cluster, index) => ({ members: cluster.members.map(id), score: cluster.score.toFixed(9), explanation: organicExplanation(facts[index]!) }));
  // Attribution evidence of the clusters (clusters.json's), and of a group of all accounts (every profile counts).
  const attribution = await source.attribution?.([...result.clusters.map((cluster) => cluster.members.map(id)), loaded.actorIds]);
  return { accounts: loaded.actorIds, missing: loaded.missing, traces, pairs, edges, clusters, attribution };
}

async function bothSources(name: string, inputs: string[]): Promise<{ direct: Record<string, unknown>; store: Record<string, unknown> }> {
  const archive = await ioArchiveInputs(inputs, { rejects: '' });
  assert.notEqual(archive, null, 'the inputs are read directly');
  const opened = await readIoArchive(archive!, { rejects: join(dir, `${name}-direct-rejects.csv`) });
  const direct = await described(opened.source);
  const db = await DuckDbStore.open(':memory:');
  try {
    await ingestInto(db, inputs, { rejects: join(dir, `${name}-store-rejects.csv`) }, false);
    return { direct, store: await described(storeSource(db)) };
  } finally {
    await db.close();
  }
}

/** What the CLI writes, less timings and file paths. */
async function cliOutputs(out: string): Promise<Record<string, unknown>> {
  const read = (name: string): Promise<string> => readFile(join(out, name), 'utf8');
  const summary = JSON.parse(await read('summary.json')) as Record<string, unknown>;
  const traces = (summary['traces'] as Record<string, unknown>[]).map((trace) => [trace['trace'], trace['events'], trace['objects'], trace['pairs_tested'], trace['pairs_significant']]);
  let rejects: string[][] = [];
  if (summary['rejects_file'] !== null) {
    rejects = (parse(await read('rejects.csv'), { columns: true }) as Record<string, string>[]).map((row) => [row['line'] ?? '', /field|column|quote/i.test(row['reason'] ?? '') ? 'broken record' : row['reason'] ?? '']);
  }
  // The store path may report one broken record more than once (once per DuckDB error on it): compare lines.
  rejects = [...new Map(rejects.map((row) => [row.join('|'), row])).values()];
  const accounts = (await read('accounts.csv')).split('\n').map((line) => line.split(',').slice(0, 2).join(',')).sort();
  const attribution = (JSON.parse(await read('clusters.json')) as { clusters?: { attribution: unknown }[] } | { attribution: unknown }[]);
  const clusters = Array.isArray(attribution) ? attribution : attribution.clusters ?? [];
  return { rows: [summary['input_rows'], summary['rejected_rows'], summary['accounts']], traces, missing: summary['traces_without_data'], rejects, accounts, attribution: clusters.map((cluster) => cluster.attribution) };
}

const HEADER = ['tweetid', 'userid', 'user_screen_name', 'tweet_text', 'tweet_time', 'in_reply_to_userid', 'in_reply_to_tweetid', 'quoted_tweet_tweetid',
  'is_retweet', 'retweet_userid', 'retweet_tweetid', 'hashtags', 'urls', 'user_mentions', 'tweet_language', 'tweet_client_name', 'user_display_name',
  'account_creation_date', 'follower_count', 'following_count', 'account_language', 'user_reported_location', 'user_profile_description'];

/** A crafted archive: a retweet ring on an original in the data, a copypasta with a shared link and tags, replies, quotes, and bad rows. */
function craftedRows(): string[] {
  const rows: string[] = [HEADER.join(',')];
  const row = (fields: Record<string, string>): void => { rows.push(HEADER.map((name) => { const v = fields[name] ?? ''; return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v; }).join(',')); };
  row({ tweetid: '100', userid: 'boss', tweet_text: 'the original', tweet_time: '2019-08-01 10:00', is_retweet: 'false' });
  for (let round = 0; round < 4; round++) {
    for (let u = 0; u < 8; u++) {
      const minute = String(round * 7 + (u % 2)).padStart(2, '0');
      // Profiles change by round (the latest row's counts), most posts from one client, the language switching late.
      const profile = (client: string): Record<string, string> => ({
        user_screen_name: ` user${u} `, account_creation_date: u < 5 ? '2019-07-01' : `2015-0${u}-1${round}`, follower_count: `${round},00${u}`,
        following_count: round === 3 ? 'many' : '12.6', account_language: 'en', tweet_client_name: client, tweet_language: round < 2 ? 'en' : 'zh',
      });
      row({ ...profile('Android'), tweetid: `r${round}_${u}`, userid: `u${u}`, tweet_time: `2019-08-0${round + 1} 10:${minute}`, is_retweet: u % 3 === 0 ? 'TRUE' : 'true', retweet_userid: 'boss', retweet_tweetid: round === 0 ? '100' : `9${round}` });
      row({ ...profile('Web'), tweetid: `c${round}_${u}`, userid: `u${u}`, tweet_text: `Hong Kong rioters must stop now, round ${round}, copy ${u % 2} of the same message for everyone here`,
        tweet_time: `2019-08-0${round + 1}T11:${minute}:00${u % 2 === 0 ? 'Z' : ''}`, is_retweet: 'false', hashtags: `['HK', '＃ＨｏｎｇＫｏｎｇ', 'hk']`,
        urls: `['http://WWW.Example.com/a?utm_source=x', 'https://example.com/a']`, user_mentions: `[${u}, 42, 42]` });
      row({ ...profile('Web'), tweetid: `p${round}_${u}`, userid: `u${u}`, tweet_text: u % 2 === 0 ? 'a reply' : 'a quote', tweet_time: `2019-08-0${round + 1} 12:0${u % 3}:30`, is_retweet: 'false',
        in_reply_to_userid: u % 2 === 0 ? 'boss' : '', in_reply_to_tweetid: u % 2 === 0 ? `t${round}` : '', quoted_tweet_tweetid: u % 2 === 1 ? `q${round}` : '', urls: '[]', hashtags: '[]' });
    }
  }
  row({ tweetid: 'c0_1', userid: 'u1', tweet_text: 'a later copy of a tweet id: the earlier one is kept', tweet_time: '2019-09-01 00:00', is_retweet: 'false' });
  row({ tweetid: '', userid: 'u1', tweet_time: '2019-08-01 10:00' });
  row({ tweetid: 'bad2', userid: ' ', tweet_time: '2019-08-01 10:00' });
  row({ tweetid: 'bad3', userid: 'u1', tweet_time: 'yesterday' });
  row({ tweetid: 'bad4', userid: 'u1', tweet_time: '2019-02-30 10:00' });
  rows.push('bad5,u1,,,2019-08-01 10:00');
  return rows;
}

describe('detect on Information Operations archive files without the store gives what the store path gives', () => {
  it('orders text as DuckDB does (code points, i.e. UTF-8 bytes)', () => {
    const words = ['b', 'a', 'ａ', '😀', '\uffff', 'ab', '', 'é'];
    const bytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...words].sort(compareCodePoints), bytes);
    for (const list of [words, words.filter((word) => word.length === 1 && word < '\u00ff'), ['12', '123', '1', '2', '10', '9', '0123', '99999999999999999999', '99999999999999999998', '1000000000000000000']]) {
      assert.deepEqual(Array.from(codePointOrder(list), (i) => list[i]), [...list].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    }
  });

  it('on the real archive sample (tweets and users): same events per trace, pairs, edges, clusters', { timeout: 120_000 }, async () => {
    const { direct, store } = await bothSources('real', [FIXTURES.ioTweets, FIXTURES.ioUsers]);
    const events = Object.values(direct['traces'] as Record<string, string[]>).reduce((sum, list) => sum + list.length, 0);
    assert.ok(events > 500, `${events} events`);
    const attribution = direct['attribution'] as { with_profile: number; signals: unknown[] }[];
    // The last group is every account: all have profiles (the tweets' user_* columns, the users file's).
    assert.equal(attribution.at(-1)?.with_profile, (direct['accounts'] as string[]).length);
    assert.ok(attribution.every((evidence) => evidence !== null && evidence.with_profile > 0 && evidence.signals.length > 0), 'attribution per cluster');
    assert.deepEqual(direct, store);
  });

  it('on a synthetic archive: same events, pairs, edges, clusters and organic explanations', { timeout: 120_000 }, async () => {
    const out = join(dir, 'synth');
    assert.equal((await runCli('synth', '--out', out, '--seed', '5', '--scale', '0.1')).code, 0);
    const { direct, store } = await bothSources('synth', [join(out, 'tweets.csv'), join(out, 'users.csv')]);
    assert.ok((direct['clusters'] as unknown[]).length >= 2, 'campaigns are found');
    const attribution = direct['attribution'] as { with_profile: number; signals: unknown[] }[];
    assert.ok(attribution.some((evidence) => evidence.signals.length > 0), 'attribution has signals');
    assert.deepEqual(direct, store);
  });

  it('on crafted files (duplicates across files, ISO times, reposts, quotes, replies, bad rows): same results and rejected lines', { timeout: 120_000 }, async () => {
    const rows = craftedRows();
    const first = join(dir, 'crafted.csv');
    await writeFile(first, `${rows.join('\n')}\n`);
    const second = join(dir, 'crafted-2.csv');
    await writeFile(second, `${HEADER.join(',')}\r\nc0_2,u2,,"a copy in a later file: the first file's is kept",2019-07-01 00:00,,,,false,,,[],[],[],,,,,,,,,\r\n`);
    const { direct, store } = await bothSources('crafted', [first, second]);
    assert.deepEqual(direct, store);
    const traces = direct['traces'] as Record<string, string[]>;
    assert.equal(traces['fast-repost']?.length, 8, 'the reposts of the original in the data are fast');
    assert.ok(traces['co-hashtag']?.every((event) => event.includes('|hk|') || event.includes('|hongkong|')), 'hashtags normalised');

    const outs = [join(dir, 'crafted-cli-direct'), join(dir, 'crafted-cli-store')];
    assert.equal((await runCli('detect', first, second, '--out', outs[0]!, '--json')).code, 0);
    assert.equal((await runCli('detect', first, second, '--out', outs[1]!, '--json', '--via-store')).code, 0);
    const [a, b] = [await cliOutputs(outs[0]!), await cliOutputs(outs[1]!)];
    assert.deepEqual(a['rows'], [rows.length - 1 + 1, 5, 9]);
    assert.deepEqual((a['rejects'] as string[][]).map((row) => row[0]), ['100', '101', '102', '103', '104']);
    assert.deepEqual(a, { ...b, rows: a['rows'] });
  });
});
