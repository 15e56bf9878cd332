import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { coActionPairs } from '../../detect/kernel/index.js';
import { organicExplanation } from '../../detect/organic.js';
import { detectCoordination } from '../../detect/pipeline.js';
import type { DetectionResult } from '../../detect/pipeline.js';
import { DEFAULT_TRACES } from '../../detect/traces/trace-names.js';
import { DuckDbStore } from '../../store/index.js';
import { SHARED_DATA, scratchDir } from '../../test-support/fixtures.js';
import { ingestInto } from '../commands/ingest.js';
import { runCli } from '../test-support/run-cli.js';
import { storeSource } from './detect-source.js';
import type { DetectSource } from './detect-source.js';
import { readDirectly } from './direct-source.js';
import { startDetectThread } from './detect-thread.js';
import { CLAIM_DONE, CLAIM_FREE } from './key-time-order.js';
import type { KeyTimeHelper, KeyTimeJob } from './key-time-order.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

const EXPORT = { fastRepostMs: 60_000, platforms: [] };

/**
 * What one source gives detection, in terms that do not depend on how it numbers keys and rows:
 * per trace the sorted events (account, object label, time, post id), then the fused edges, the
 * clusters with their members, and the organic explanations of their facts.
 */
async function described(source: DetectSource, group: boolean, helper?: KeyTimeHelper): Promise<Record<string, unknown>> {
  const loaded = await source.loadTraces(DEFAULT_TRACES, EXPORT, () => undefined, helper);
  const traces: Record<string, string[]> = {};
  for (const [name, data] of loaded.traces) {
    const keys = [...new Set(data.key)];
    const labels = name === 'near-duplicate' ? new Map(keys.map((key) => [key, loaded.textSamples.get(key) ?? ''])) : await source.keyLabels(name, keys);
    const refs = await source.actionRefs([...data.action]);
    traces[name] = Array.from(data.actor, (actor, e) =>
      `${loaded.actorIds[actor]}|${labels.get(data.key[e]!)}|${data.time[e]}|${refs.get(data.action[e]!)?.id}|${refs.get(data.action[e]!)?.kind}`).sort();
  }
  // Co-action pairs per trace (the kernel's output, before any significance test).
  const pairs: Record<string, string[]> = {};
  for (const [name, data] of loaded.traces) {
    const table = coActionPairs(data, { window: 60_000 }).pairs;
    pairs[name] = Array.from(table.a.subarray(0, table.size), (a, r) => `${loaded.actorIds[a]}|${loaded.actorIds[table.b[r]!]}|${table.shared[r]}|${table.coActions[r]}|${table.sumDelta[r]}`).sort();
  }
  const result: DetectionResult = detectCoordination({ actorCount: loaded.actorIds.length, traces: loaded.traces }, group ? {} : { group: false });
  const id = (actor: number): string => loaded.actorIds[actor] ?? '?';
  const edges = Array.from(result.graph.a.subarray(0, result.graph.size), (a, e) => `${id(a)}|${id(result.graph.b[e]!)}|${result.graph.weight[e]!.toFixed(6)}`).sort();
  const facts = await source.clustersFacts(result.clusters.map((cluster, index) => ({ members: cluster.members, traces: cluster.traces, exclusivity: result.evidence[index]?.exclusivity ?? 0 })));
  const clusters = result.clusters.map((cluster, index) => ({ members: cluster.members.map(id), score: cluster.score, explanation: organicExplanation(facts[index]!) }));
  return { accounts: loaded.actorIds, missing: loaded.missing, traces, pairs, edges, clusters };
}

async function bothSources(name: string, inputs: string[], group = false, helper?: KeyTimeHelper): Promise<{ direct: Record<string, unknown>; store: Record<string, unknown> }> {
  const opened = await readDirectly(inputs, { rejects: join(dir, `${name}-direct-rejects.csv`) });
  const direct = await described(opened.source, group, helper);
  const db = await DuckDbStore.open(':memory:');
  try {
    await ingestInto(db, inputs, { rejects: join(dir, `${name}-store-rejects.csv`) }, false);
    return { direct, store: await described(storeSource(db), group) };
  } finally {
    await db.close();
  }
}

/** End to end: what the CLI writes, less timings and what the store's arbitrary key numbering may reorder. */
async function cliOutputs(out: string): Promise<Record<string, unknown>> {
  const read = (name: string): Promise<string> => readFile(join(out, name), 'utf8');
  const summary = JSON.parse(await read('summary.json')) as Record<string, unknown>;
  const traces = (summary['traces'] as Record<string, unknown>[]).map((trace) => [trace['trace'], trace['events'], trace['objects'], trace['pairs_tested'], trace['pairs_significant']]);
  let rejects: string[][] = [];
  if (summary['rejects_file'] !== null) {
    rejects = (parse(await read('rejects.csv'), { columns: true }) as Record<string, string>[]).map((row) => [row['line'] ?? '', /fields|columns/i.test(row['reason'] ?? '') ? 'wrong field count' : row['reason'] ?? '']);
  }
  return { rows: [summary['input_rows'], summary['rejected_rows'], summary['accounts']], traces, missing: summary['traces_without_data'], rejects };
}

describe('detect on CooRTweet files without the store gives what the store path gives', () => {
  for (const file of ['russian_coord_tweets.csv', 'simulated_seed123.csv']) {
    it(`on ${file}: same events per trace, edges, clusters and organic explanations`, { timeout: 120_000 }, async () => {
      const { direct, store } = await bothSources(file, [join(SHARED_DATA, 'coortweet', file)], true);
      const pairs = Object.values(direct['pairs'] as Record<string, string[]>).reduce((sum, list) => sum + list.length, 0);
      assert.ok(pairs > 1_000, `${pairs} co-action pairs`);
      assert.deepEqual(direct, store);
    });
  }

  it('with the detect thread ordering the first trace while the accounts are numbered: the same as the store path', { timeout: 120_000 }, async () => {
    const thread = startDetectThread();
    try {
      assert.equal(await thread.ready, true);
      const jobs: KeyTimeJob[] = [];
      // Every trace split; loadTraces goes on only once the thread holds the last chunk, so the thread really orders it.
      const helper: KeyTimeHelper = {
        minEvents: 1,
        gone: () => thread.keyTimeHelper.gone(),
        offer: (job) => {
          jobs.push(job);
          thread.keyTimeHelper.offer(job);
          const last = job.claims.length - 1;
          while (Atomics.load(job.claims, last) === CLAIM_FREE) Atomics.wait(job.claims, last, CLAIM_FREE, 50);
        },
      };
      const file = 'simulated_seed123.csv';
      const { direct, store } = await bothSources(`${file}-thread`, [join(SHARED_DATA, 'coortweet', file)], false, helper);
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0]!.claims.at(-1), CLAIM_DONE);
      assert.deepEqual(direct, store);
    } finally {
      thread.stop();
    }
  });

  it('numbers accounts in byte order of their ids, as the store does, also where UTF-16 order differs (U+FF71 against an emoji)', { timeout: 120_000 }, async () => {
    const names = ['acc_b', 'acc_\u{1F600}', 'acc_\uFF71', 'acc_\u00E9', 'acc_a', 'Acc', 'acc_\u4E2D'];
    const rows = ['object_id,account_id,content_id,timestamp_share'];
    for (let object = 0; object < 3; object++) names.forEach((name, i) => rows.push(`o${object},${name},c${object}_${i},${1600000000 + object * 3600 + i}`));
    const file = join(dir, 'wide.csv');
    await writeFile(file, `${rows.join('\n')}\n`);
    const { direct, store } = await bothSources('wide', [file]);
    const bytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual(direct['accounts'], bytes);
    assert.deepEqual(direct, store);
  });

  it('on two files with duplicates, reshares of posts in the data, ms times and bad rows: same results and the same rejected lines', { timeout: 120_000 }, async () => {
    const rows = ['object_id,account_id,content_id,timestamp_share'];
    // Ten accounts reshare objects 0..5 within seconds; post p0 is itself in the data, so its reshares are fast reposts.
    rows.push('o_seed,acc_0,p0,1600000000');
    for (let object = 0; object < 6; object++) {
      for (let account = 0; account < 10; account++) rows.push(`${object === 0 ? 'p0' : `o${object}`},acc_${account},c${object}_${account},${1600000000 + object * 3600 + account * 2}`);
    }
    rows.push('o1,acc_3,c1_3,1600009999'); // a later duplicate of c1_3: the earlier one is kept
    rows.push('o2,,c_bad1,1600000000'); // no account
    rows.push('o2,acc_1,c_bad2,yesterday'); // no unix time
    rows.push('o2,acc_1,c_bad3'); // a field missing
    rows.push(',acc_2,c_bad4,1600000000'); // no object
    const first = join(dir, 'first.csv');
    await writeFile(first, `${rows.join('\n')}\n`);
    const second = join(dir, 'second.csv');
    const again = ['content_id,account_id,object_id,timestamp_share', 'c1_3,acc_3,o1,1500000000'];
    for (let account = 0; account < 10; account++) again.push(`c9_${account},acc_${account},o9,${(1600100000 + account) * 1000}`);
    await writeFile(second, `${again.join('\r\n')}\r\n`);

    const { direct, store } = await bothSources('mixed', [first, second]);
    assert.deepEqual(direct, store);
    const fast = (direct['traces'] as Record<string, string[]>)['fast-repost'] ?? [];
    assert.equal(fast.length, 10, 'the reshares of p0 are fast reposts');

    const outs = [join(dir, 'mixed-cli-direct'), join(dir, 'mixed-cli-store')];
    assert.equal((await runCli('detect', first, second, '--out', outs[0]!, '--json')).code, 0);
    assert.equal((await runCli('detect', first, second, '--out', outs[1]!, '--json', '--via-store')).code, 0);
    const [a, b] = [await cliOutputs(outs[0]!), await cliOutputs(outs[1]!)];
    assert.deepEqual(a['rows'], [rows.length - 1 + again.length - 1, 4, 10]);
    assert.deepEqual((a['rejects'] as string[][]).map((row) => row[0]), ['64', '65', '66', '67']);
    assert.deepEqual(a, b);
  });
});
