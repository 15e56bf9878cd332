import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import type { DetectSource } from './detect-source.js';
import { runPushJoinerStage } from './push-joiner-stage.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Cluster 7 (accounts 0-9) pushes 12 posts of its own; account 50 retweets one within minutes; 200 organic accounts act on 30 popular posts. */
function traces(): Map<TraceName, TraceData> {
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const add = (a: number, k: number, t: number): void => { actor.push(a); key.push(k); time.push(t); };
  for (let push = 0; push < 12; push++) for (let m = 0; m < 4; m++) add((push * 3 + m) % 10, push, push * 5 * DAY + (m + 1) * 2 * MIN);
  add(50, 3, 15 * DAY + 7 * MIN);
  for (let a = 100; a < 300; a++) for (let i = 0; i < 15; i++) add(a, 100 + ((a * 7 + i * 13) % 30), ((a * 31 + i * 977) % 60) * DAY + i * MIN);
  const data: TraceData = {
    actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from(actor, (_, i) => i),
    actorCount: 300, keyCount: 130,
  };
  return new Map([['co-repost', data]]);
}

const source = {
  keyLabels: async (_trace: TraceName, keys: readonly number[]) => new Map(keys.map((k) => [k, `twitter:post-${k}`])),
} as unknown as DetectSource;

describe('push-joiner stage', () => {
  let dir = '';
  const actorIds = Array.from({ length: 300 }, (_, i) => `u${i}`);
  const clusters = [{ id: 7, members: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }];
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'lockstep-push-joiners-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  async function fresh(): Promise<void> {
    await writeFile(join(dir, 'accounts.csv'), `account_id,cluster_id,score\r\n${clusters[0]!.members.map((m) => `u${m},7,0.9`).join('\r\n')}\r\n`);
    await writeFile(join(dir, 'recruited.csv'), 'account_id,cluster_id,signals,chance\r\n');
    await rm(join(dir, 'push-joiners.json'), { force: true });
    await writeFile(join(dir, 'clusters.json'), `${JSON.stringify([{ id: 7, members: clusters[0]!.members.map((m) => `u${m}`) }], null, 2)}\n`);
  }

  it('writes the joiner to accounts.csv (score 0), recruited.csv and push-joiners.json with its push and test, and leaves clusters.json alone', async () => {
    await fresh();
    const summary = await runPushJoinerStage({ dir, source, actorIds, traces: traces(), clusters, recruited: [] });
    assert.equal(summary.recruited_accounts, 1);
    assert.ok((await readFile(join(dir, 'accounts.csv'), 'utf8')).endsWith('u50,7,0\r\n'));
    assert.match(await readFile(join(dir, 'recruited.csv'), 'utf8'), /\r\nu50,7,push:co-repost,[0-9.e-]+\r\n$/);
    assert.doesNotMatch(await readFile(join(dir, 'clusters.json'), 'utf8'), /push_joiners/);
    const [report] = JSON.parse(await readFile(join(dir, 'push-joiners.json'), 'utf8')) as { id: number; push_joiners: { account_id: string; p_value: number; pushes: { object: string; members: number }[] }[] }[];
    assert.equal(report?.id, 7);
    const joiner = report?.push_joiners[0];
    assert.equal(joiner?.account_id, 'u50');
    assert.equal(joiner?.pushes[0]?.object, 'twitter:post-3');
    assert.equal(joiner?.pushes[0]?.members, 4);
    assert.ok((joiner?.p_value ?? 1) < 0.001);
  });

  it('writes nothing with --no-push-joiners, and does not test accounts recruited by signals', async () => {
    await fresh();
    const off = await runPushJoinerStage({ dir, source, actorIds, traces: traces(), clusters, recruited: [] }, true);
    assert.deepEqual([off.enabled, off.recruited_accounts], [false, 0]);
    const taken = await runPushJoinerStage({ dir, source, actorIds, traces: traces(), clusters, recruited: [50] });
    assert.equal(taken.recruited_accounts, 0);
    assert.doesNotMatch(await readFile(join(dir, 'accounts.csv'), 'utf8'), /u50/);
    await assert.rejects(readFile(join(dir, 'push-joiners.json'), 'utf8'), { code: 'ENOENT' });
  });
});
