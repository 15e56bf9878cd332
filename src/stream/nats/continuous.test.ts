import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner } from '../partitioner.js';
import type { EmittedAlert } from '../runner.js';
import { batchDetect } from '../test-support/batch.js';
import { clusterAccounts } from '../../detect/clusters.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { SliceAlerts, SliceCutter } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';
import { followSlices, publishSlices } from './continuous.js';
import { ensureJobStorage } from './jobs.js';
import { spawnCli } from '../../cli/test-support/run-cli.js';
import { growingRingLines, RING, START_US } from './test-support/growing-ring.js';

const PARTITIONS = 4;
const SLICE_MS = 60_000;
const HORIZON_MS = 300_000;

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The batch engine's accounts, edges with their weights, and clusters (the horizon's graph may be small: no minimum size). */
function sameAsBatch(merged: ReturnType<typeof assemblePartials>, batch: Awaited<ReturnType<typeof batchDetect>>): void {
  assert.deepEqual(merged.actorIds, batch.actorIds);
  const edges = (graph: typeof merged.graph, ids: readonly string[]): Map<string, number> => {
    const out = new Map<string, number>();
    for (let e = 0; e < graph.size; e++) out.set(`${ids[graph.a[e]!]}|${ids[graph.b[e]!]}`, graph.weight[e]!);
    return out;
  };
  const mine = edges(merged.graph, merged.actorIds), theirs = edges(batch.result.graph, batch.actorIds);
  assert.ok(theirs.size >= 6);
  assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
  for (const [pair, weight] of theirs) assert.ok(Math.abs(mine.get(pair)! - weight) < 1e-9, pair);
  const sets = (clusters: readonly { members: number[] }[], ids: readonly string[]): string[] => clusters.map((c) => c.members.map((m) => ids[m]).sort().join(',')).sort();
  assert.deepEqual(sets(merged.clusters, merged.actorIds), sets(clusterAccounts(batch.result.graph), batch.actorIds));
  assert.ok(merged.clusters.length >= 1);
}

interface SliceResult { upTo: number; events: number; partials: PartitionPartial[]; edges: Map<string, number>; clusters: string[] }

/** Each slice's events, clusters and edge weights (within 1e-9) as the uninterrupted run's. */
function assertSameSlices(results: SliceResult[], expected: SliceResult[]): void {
  assert.equal(results.length, expected.length);
  results.forEach((result, slice) => {
    const theirs = expected[slice]!;
    assert.equal(result.events, theirs.events, `slice ${slice}: events`);
    assert.deepEqual(result.clusters, theirs.clusters, `slice ${slice}: clusters`);
    assert.deepEqual([...result.edges.keys()].sort(), [...theirs.edges.keys()].sort());
    for (const [pair, weight] of theirs.edges) assert.ok(Math.abs(result.edges.get(pair)! - weight) < 1e-9, `slice ${slice}: ${pair}`);
  });
}

/** What two runs' alerts must share (not their times). */
const alertShapes = (list: EmittedAlert[]): unknown[] => list.map((alert) => [alert.type, alert.cluster, alert.members, alert.watermark]);

describe('continuous jobs on a 3-node NATS JetStream cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let dir = '';
  const children: ChildProcess[] = [];
  const input = growingRingLines();
  const messages: SliceOut[] = [];
  const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 60 }), SLICE_MS);
  for (const line of input.lines) for (const action of parseJetstreamLine(line, '').actions) cutter.push(action, messages);
  cutter.finish(messages);
  const slices = cutter.slice;
  // The same input from a publisher with the horizon: it frees account ids and forgets keys.
  const freeing: SliceOut[] = [];
  const freeingCutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 60, seenRetentionMs: HORIZON_MS }), SLICE_MS, { horizonMs: HORIZON_MS });
  for (const line of input.lines) for (const action of parseJetstreamLine(line, '').actions) freeingCutter.push(action, freeing);
  freeingCutter.finish(freeing);

  const startWorker = (job: string): { child: ChildProcess; log: string[] } => {
    const log: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'stream-worker', '--nats', cluster.urls.join(','), '--job', job,
      '--partitions', String(PARTITIONS), '--horizon', String(HORIZON_MS / 1000), '--ack-wait', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    children.push(child);
    return { child, log };
  };
  /** Follows a job to its last slice: per slice the merged result, and the alerts. */
  const coordinate = async (job: string): Promise<{ results: SliceResult[]; alerts: EmittedAlert[] }> => {
    const results: SliceResult[] = [];
    const alerts: EmittedAlert[] = [];
    const tracker = new SliceAlerts({ minMembers: 3, growBy: 2 });
    await followSlices(nc, { job, partitions: PARTITIONS, timeoutMs: 60_000 }, (slice, partials) => {
      const merged = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, cluster: { minClusterSize: 3 } });
      const upTo = partials[0]!.upTo!;
      assert.ok(partials.every((partial) => partial.upTo === upTo));
      const edges = new Map<string, number>();
      for (let e = 0; e < merged.graph.size; e++) edges.set(`${merged.actorIds[merged.graph.a[e]!]}|${merged.actorIds[merged.graph.b[e]!]}`, merged.graph.weight[e]!);
      results[slice] = { upTo, events: partials.reduce((sum, partial) => sum + partial.events, 0), partials, edges, clusters: merged.clusters.map((c) => c.members.map((m) => merged.actorIds[m]).sort().join(',')).sort() };
      alerts.push(...tracker.update(merged, upTo));
    });
    return { results, alerts };
  };
  const inHorizon = (upTo: number): number[] => input.times.flatMap((time, i) => (time >= upTo - HORIZON_MS && time < upTo ? [i] : []));

  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    dir = await mkdtemp(join(tmpdir(), 'lockstep-nats-cont-'));
    await ensureJobStorage(nc, 3);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await nc.close().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let reference: { results: SliceResult[]; alerts: EmittedAlert[] } | null = null;
  /** `lockstep ARGS` as a child process: exit code and output. */
  const run = (args: string[]): Promise<{ code: number | null; out: string; err: string }> => spawnCli(children, args);

  it('at each slice close the merged partials are batch detection over that horizon; the growing ring raises one "appeared" and then "grew" alerts; old events leave the workers\' state', async () => {
    const worker = startWorker('cont');
    const coordinated = coordinate('cont');
    await publishSlices(nc, 'cont', messages);
    reference = await coordinated;
    await until('the worker to exit', () => worker.child.exitCode !== null);
    assert.equal(worker.child.exitCode, 0, worker.log.join(''));
    const { results, alerts } = reference;
    assert.equal(results.length, slices);
    // (a) Two slices against the batch engine over the horizon's events: one with the horizon still filling, one past it.
    for (const slice of [4, slices - 2]) {
      const upTo = results[slice]!.upTo;
      const lines = inHorizon(upTo).map((i) => input.lines[i]!);
      assert.equal(results[slice]!.events, lines.length, `slice ${slice}: every event of the horizon counted once`);
      const file = join(dir, `h${slice}.jsonl`);
      await writeFile(file, `${lines.join('\n')}\n`);
      const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
      // The same accounts, edges, weights and clusters (with the batch engine's cluster options).
      sameAsBatch(assemblePartials(results[slice]!.partials, { traces: DEFAULT_STREAM_TRACES }), batch);
    }
    // (b) One ring, one "appeared", then it grows to all 6 members; no alert names anyone else.
    const ids = RING.map((member) => member);
    assert.equal(alerts.filter((alert) => alert.type === 'cluster-appeared').length, 1, JSON.stringify(alerts.map((a) => [a.type, a.members.length])));
    assert.ok(alerts.every((alert) => alert.cluster === alerts[0]!.cluster && alert.members.every((member) => ids.includes(member))), JSON.stringify(alerts.map((a) => a.members)));
    const grew = alerts.filter((alert) => alert.type === 'cluster-grew');
    assert.ok(grew.length >= 1);
    assert.ok(alerts[0]!.members.length <= 4);
    assert.deepEqual([...grew.at(-1)!.members].sort(), [...ids].sort());
    assert.ok(grew.every((alert) => alert.watermark > 360_000 + START_US / 1000), 'it grows only once the new members strike');
    // (d) The worker dropped events older than the horizon.
    const dropped = /\d+ events \((\d+) dropped past the horizon\)/.exec(worker.log.join(''));
    assert.ok(dropped !== null && Number(dropped[1]) > 0, worker.log.join(''));
  });

  it('a worker and then a NATS node killed mid-stream: the replacement gives the same slices and alerts, nothing counted twice', async () => {
    assert.ok(reference !== null, 'needs the first test\'s run');
    const first = startWorker('kill');
    const cut = messages.findIndex((message) => message.marker?.slice === 6);
    await publishSlices(nc, 'kill', messages.slice(0, cut));
    await until('the worker to store slice 4', () => /slice 4 stored/.test(first.log.join('')));
    first.child.kill('SIGKILL');
    await until('the worker to die', () => first.child.exitCode !== null || first.child.signalCode !== null);
    // And a NATS node (the streams are R3: two of three keep quorum); the tests after this run on two nodes.
    cluster.kill(2);
    await publishSlices(nc, 'kill', messages.slice(cut));
    const replacement = startWorker('kill');
    const { results, alerts } = await coordinate('kill').catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nfirst worker:\n${first.log.join('')}\nreplacement:\n${replacement.log.join('')}`);
    });
    await until('the replacement to exit', () => replacement.child.exitCode !== null);
    assert.equal(replacement.child.exitCode, 0, replacement.log.join(''));
    assert.match(replacement.log.join(''), /slice \d+ already stored/, 'the replacement rebuilt the window from the partition\'s history');
    assertSameSlices(results, reference.results);
    assert.deepEqual(alertShapes(alerts), alertShapes(reference.alerts));
  });

  it('a coordinator behind (--skip-behind) goes straight to the newest complete slice, with the uninterrupted run\'s result for it', async () => {
    assert.ok(reference !== null, 'needs the first test\'s run');
    const worker = startWorker('skip');
    await publishSlices(nc, 'skip', messages);
    await until('the worker to store every slice', () => worker.child.exitCode !== null);
    assert.equal(worker.child.exitCode, 0, worker.log.join(''));
    const merged: number[] = [];
    const skipped: [number, number][] = [];
    await followSlices(nc, { job: 'skip', partitions: PARTITIONS, timeoutMs: 30_000, skipBehind: true, onSkip: (from, to) => skipped.push([from, to]) }, (slice, partials) => {
      merged.push(slice);
      const result = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, cluster: { minClusterSize: 3 } });
      const expected = reference!.results[slice]!;
      assert.equal(partials.reduce((sum, partial) => sum + partial.events, 0), expected.events);
      assert.equal(result.graph.size, expected.edges.size);
    });
    assert.deepEqual(merged, [slices - 1]);
    assert.deepEqual(skipped, [[0, slices - 2]]);
    // The skipped slices' partials were removed with the merged one's.
    const info = await (await nc.jetstreamManager({ checkAPI: false })).streams.info('LOCKSTEP_PARTIALS', { subjects_filter: 'lockstep.partials.skip.>' });
    assert.deepEqual(Object.keys(info.state.subjects ?? {}).filter((subject) => subject.endsWith('.done')), []);
  });

  it('stream-publish --slice, stream-worker --horizon and stream-coordinate --follow from the command line give the same alerts as JSON lines', async () => {
    assert.ok(reference !== null, 'needs the first test\'s run');
    const file = join(dir, 'ring.jsonl');
    // A bad line is named and skipped.
    await writeFile(file, `${input.lines.join('\n')}\n{"did":\n`);
    const common = ['--nats', cluster.urls.join(','), '--job', 'cli', '--partitions', String(PARTITIONS)];
    const worker = run(['stream-worker', ...common, '--horizon', String(HORIZON_MS / 1000)]);
    const coordinator = run(['stream-coordinate', ...common, '--follow', '--timeout', '60']);
    const published = await run(['stream-publish', file, ...common, '--slice', String(SLICE_MS / 1000), '--batch', '60']);
    assert.equal(published.code, 0, published.err);
    assert.match(published.err, new RegExp(`ring\\.jsonl:${input.lines.length + 1}: not JSON`));
    assert.match(published.err, new RegExp(`in ${slices} slices of 60 s to job cli; 1 lines rejected`));
    const coordinated = await coordinator;
    assert.equal(coordinated.code, 0, coordinated.err);
    assert.match(coordinated.err, new RegExp(`job cli: ${slices} slices, ${reference.alerts.length} alerts`));
    const alerts = coordinated.out.trim().split('\n').map((line) => JSON.parse(line) as EmittedAlert);
    assert.deepEqual(alertShapes(alerts), alertShapes(reference.alerts));
    assert.equal((await worker).code, 0);
    // After the last slice the job's events leave the stream (three copies on the servers' disks).
    assert.match(coordinated.err, /job cli: [1-9]\d* event messages removed/);
    const events = await (await nc.jetstreamManager()).streams.info('LOCKSTEP_EVENTS', { subjects_filter: 'lockstep.events.cli.>' });
    assert.deepEqual(Object.keys(events.state.subjects ?? {}), []);
    // Nor do the workers' durable consumers (each left behind costs the servers CPU for ever).
    const left: string[] = [];
    for await (const consumer of (await nc.jetstreamManager()).consumers.list('LOCKSTEP_EVENTS')) if (consumer.name.startsWith('cli-')) left.push(consumer.name);
    assert.deepEqual(left, []);
    assert.match(coordinated.err, /job cli: \d+ of \d+ consumers removed/);
  });

  it('stream-publish --horizon (the duplicate check bounded by it) gives the same alerts; a worker with a longer horizon refuses its slices', async () => {
    assert.ok(reference !== null, 'needs the first test\'s run');
    const file = join(dir, 'ring-horizon.jsonl');
    await writeFile(file, `${input.lines.join('\n')}\n`);
    const job = (id: string): string[] => ['--nats', cluster.urls.join(','), '--job', id, '--partitions', String(PARTITIONS)];
    const publish = (id: string, horizonSeconds: number): ReturnType<typeof run> => run(['stream-publish', file, ...job(id), '--slice', String(SLICE_MS / 1000), '--batch', '60', '--horizon', String(horizonSeconds)]);
    const worker = run(['stream-worker', ...job('cli-horizon'), '--horizon', String(HORIZON_MS / 1000)]);
    const coordinator = run(['stream-coordinate', ...job('cli-horizon'), '--follow', '--timeout', '60']);
    const published = await publish('cli-horizon', HORIZON_MS / 1000);
    assert.equal(published.code, 0, published.err);
    assert.match(published.err, new RegExp(`in ${slices} slices of 60 s to job cli-horizon; 0 lines rejected, 0 actions dropped as older than the horizon`));
    const coordinated = await coordinator;
    assert.equal(coordinated.code, 0, coordinated.err);
    const alerts = coordinated.out.trim().split('\n').map((line) => JSON.parse(line) as EmittedAlert);
    assert.deepEqual(alertShapes(alerts), alertShapes(reference.alerts));
    assert.equal((await worker).code, 0);
    // A publisher that forgets sooner than a worker's horizon could let a repeat count twice there.
    const longer = run(['stream-worker', ...job('cli-short'), '--horizon', String(HORIZON_MS / 1000)]);
    assert.equal((await publish('cli-short', HORIZON_MS / 1000 - 60)).code, 0);
    const refused = await longer;
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /the publisher's horizon is 240 s, this worker's 300 s/);
  });

  it('with a publisher that frees account ids, a worker killed mid-stream: the replacement rebuilds with the same frees and gives the uninterrupted run\'s slices and alerts', async () => {
    assert.ok(reference !== null, 'needs the first test\'s run');
    assert.ok(freeingCutter.actorsFreed > 100, `${freeingCutter.actorsFreed} account ids freed`);
    const first = startWorker('free');
    const cut = freeing.findIndex((message) => message.marker?.slice === 8);
    await publishSlices(nc, 'free', freeing.slice(0, cut));
    await until('the worker to store slice 7', () => /slice 7 stored/.test(first.log.join('')));
    first.child.kill('SIGKILL');
    await until('the worker to die', () => first.child.exitCode !== null || first.child.signalCode !== null);
    await publishSlices(nc, 'free', freeing.slice(cut));
    const replacement = startWorker('free');
    const { results, alerts } = await coordinate('free');
    await until('the replacement to exit', () => replacement.child.exitCode !== null);
    assert.equal(replacement.child.exitCode, 0, replacement.log.join(''));
    assert.match(replacement.log.join(''), /slice \d+ already stored/);
    assertSameSlices(results, reference.results);
    assert.deepEqual(alertShapes(alerts), alertShapes(reference.alerts));
  });
});
