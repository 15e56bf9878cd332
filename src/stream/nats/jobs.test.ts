import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { clusterAccounts } from '../../detect/clusters.js';
import { assemblePartials } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { batchDetect } from '../test-support/batch.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { Partitioner } from '../partitioner.js';
import { collectPartials, ensureJobStorage, publishJob, removeJobConsumers } from './jobs.js';
import { jobConsumerNames, PartitionConsumer } from './job-consumers.js';
import { PullLoop } from './pull-loop.js';
import { getPartial } from './partial-store.js';
import { spawnCli } from '../../cli/test-support/run-cli.js';

const PARTITIONS = 6;

function startWorker(urls: readonly string[], job: string, index: number, of: number): { child: ChildProcess; log: string[] } {
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'stream-worker', '--nats', urls.join(','), '--job', job,
    '--partitions', String(PARTITIONS), '--index', String(index), '--of', String(of), '--ack-wait', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return { child, log };
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A thread with its own connection that publishes `end` to `subject` when told (while the test's thread is blocked). */
const publisherThread = (urls: readonly string[], subject: string): Worker => new Worker(`
  const { parentPort } = require('node:worker_threads');
  const { connect } = require('nats');
  connect({ servers: ${JSON.stringify(urls)} }).then((nc) => {
    parentPort.on('message', async () => {
      nc.publish(${JSON.stringify(subject)}, new TextEncoder().encode('end'));
      await nc.flush();
      parentPort.postMessage('published');
    });
    parentPort.postMessage('ready');
  });
`, { eval: true });

const nextMessage = (worker: Worker): Promise<unknown> => new Promise((resolve) => worker.once('message', resolve));

/** Holds this thread, as a worker's synchronous finish of another partition does (0.1-0.4 s on the bench). */
function blockThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer, no socket read
  }
}

describe('scale-out on a 3-node NATS JetStream cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let dir = '';
  const children: ChildProcess[] = [];
  /** `lockstep ARGS` as a child process (killed in `after` if still running): exit code and output. */
  const run = (args: string[]): Promise<{ code: number | null; out: string; err: string }> => spawnCli(children, args);
  /** `stream-coordinate`'s JSON output has the batch engine's accounts, edges and clusters. */
  const assertCoordinatedIsBatch = (out: string, batch: Awaited<ReturnType<typeof batchDetect>>): void => {
    const result = JSON.parse(out) as { accounts: number; edges: number; clusters: { members: string[] }[] };
    assert.equal(result.accounts, batch.actorIds.length);
    assert.equal(result.edges, batch.result.graph.size);
    const theirs = clusterAccounts(batch.result.graph).map((c) => c.members.map((m) => batch.actorIds[m]).sort().join(',')).sort();
    assert.ok(theirs.length >= 2);
    assert.deepEqual(result.clusters.map((c) => [...c.members].sort().join(',')).sort(), theirs);
  };
  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    dir = await mkdtemp(join(tmpdir(), 'lockstep-nats-job-'));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await nc.close().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the batch result when a worker and then a NATS node are killed mid-run (nothing lost, nothing counted twice)', async () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 90_000 });
    const file = join(dir, 'feed.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const job = 'faults';
    await ensureJobStorage(nc, 3);
    const options = { job, partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 50 };
    const next = new Partitioner(options);
    const half = Math.floor(actions.length / 2);
    const first = await publishJob(nc.jetstream(), actions.slice(0, half), options, next, false);

    const workers = [startWorker(cluster.urls, job, 0, 2), startWorker(cluster.urls, job, 1, 2)];
    children.push(...workers.map((worker) => worker.child));
    await until('worker 1 to take batches', () => /partition \d+: [1-9]\d* batches/.test(workers[1]?.log.join('') ?? ''));
    // Worker 0 is working partition 0 (its consumer made), whose consumer's node is killed below.
    await until('worker 0 to take batches of partition 0', () => /partition 0: [1-9]\d* batches/.test(workers[0]?.log.join('') ?? ''));
    workers[1]?.child.kill('SIGKILL');
    // The node killed holds the live consumer (R1, in memory) of a partition worker 0 is working
    // and has not finished (no end marker is published yet): worker 0 must make a new consumer
    // and replay the partition; worker 1's replacement, a new one for any of its partitions there.
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const live = await jsm.consumers.info('LOCKSTEP_EVENTS', 'faults-p0');
    assert.equal(live.config.num_replicas, 1);
    assert.equal(live.config.mem_storage, true);
    assert.equal(await getPartial(nc, job, 0), null);
    const lost = Number(/^n(\d)$/.exec(live.cluster?.leader ?? '')?.[1]);
    cluster.kill(lost);
    // A publisher retry (same message ids) must not double anything.
    await publishJob(nc.jetstream(), actions.slice(0, 200), options, new Partitioner(options), false);
    const second = await publishJob(nc.jetstream(), actions.slice(half), options, next, true);
    const replacement = startWorker(cluster.urls, job, 1, 2);
    children.push(replacement.child);

    const partials = await collectPartials(nc, job, PARTITIONS, 90_000);
    assert.equal(partials.reduce((sum, partial) => sum + partial.events, 0), first.events + second.events, 'every event counted exactly once');
    const merged = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
    assert.deepEqual(merged.actorIds, batch.actorIds);
    const edges = (graph: typeof merged.graph, ids: readonly string[]): Map<string, number> => {
      const out = new Map<string, number>();
      for (let edge = 0; edge < graph.size; edge++) out.set(`${ids[graph.a[edge] ?? 0]}|${ids[graph.b[edge] ?? 0]}`, graph.weight[edge] ?? 0);
      return out;
    };
    const mine = edges(merged.graph, merged.actorIds);
    const theirs = edges(batch.result.graph, batch.actorIds);
    assert.ok(theirs.size > 20);
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
    for (const [pair, weight] of theirs) assert.ok(Math.abs((mine.get(pair) ?? NaN) - weight) < 1e-9, pair);
    const sets = (clusters: readonly { members: number[] }[], ids: readonly string[]): string[] => clusters.map((c) => c.members.map((m) => ids[m]).sort().join(',')).sort();
    assert.deepEqual(sets(merged.clusters, merged.actorIds), sets(clusterAccounts(batch.result.graph), batch.actorIds));
    assert.ok(merged.clusters.length >= 2);
    await until('workers to exit', () => workers[0]?.child.exitCode !== null && replacement.child.exitCode !== null, 30_000);
    assert.equal(workers[0]?.child.exitCode, 0, workers[0]?.log.join(''));
    assert.equal(replacement.child.exitCode, 0, replacement.log.join(''));
    // Partition 0's partial came through a consumer made after the kill.
    assert.match(workers[0]?.log.join('') ?? '', /partition 0: consumer faults-p0 lost, replaying from faults-p0-r[0-9a-f]+/);
    assert.ok((await jobConsumerNames(nc, job)).some((name) => /^faults-p0-r[0-9a-f]+$/.test(name)));
    // The coordinator's removal takes the replacements and the consumers on the killed node too.
    const { of } = await removeJobConsumers(nc, job, PARTITIONS);
    assert.ok(of > PARTITIONS, `tried ${of} consumers: the replacement is counted beside the partitions' first ones`);
    assert.deepEqual(await jobConsumerNames(nc, job), []);
  });

  it('stream-publish, stream-worker and stream-coordinate from the command line give the batch clusters (one node down)', async () => {
    const { lines } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 90_000, seed: 3 });
    const file = join(dir, 'cli-feed.jsonl');
    // A bad line is named and skipped; the rest is published.
    await writeFile(file, `${lines.join('\n')}\n{"did":\n`);
    await writeFile(join(dir, 'cli-clean.jsonl'), `${lines.join('\n')}\n`);
    const batch = await batchDetect([join(dir, 'cli-clean.jsonl')], DEFAULT_STREAM_TRACES, 60_000);
    const common = ['--nats', cluster.urls.join(','), '--job', 'cli', '--partitions', '4'];
    // Its partitions finished on 2 threads (stream-worker --finish-threads), each step timed (--timeline).
    const worker = run(['stream-worker', ...common, '--finish-threads', '2', '--timeline']);
    const published = await run(['stream-publish', file, ...common, '--retention', '2h']);
    assert.equal(published.code, 0, published.err);
    assert.match(published.err, new RegExp(`cli-feed\\.jsonl:${lines.length + 1}: not JSON`));
    assert.match(published.err, /1 lines rejected/);
    // Each step timed (--timeline): every partition's partial collected, then all, then the result;
    // some traces summed on a second thread (--assemble-thread), the same clusters.
    const coordinated = await run(['stream-coordinate', ...common, '--timeout', '90', '--timeline', '--assemble-thread']);
    assert.equal(coordinated.code, 0, coordinated.err);
    const coordinatorSteps = [...coordinated.err.matchAll(/coordinator: timeline (\d+) (.+) cpu (\d+\.\d+)/g)];
    assert.deepEqual(coordinatorSteps.map(([, , step]) => step!.replace(/^partition \d/, 'partition')), [...Array<string>(4).fill('partition collected'), 'collected', 'result'], coordinated.err);
    assert.deepEqual(coordinatorSteps.slice(0, 4).map(([, , step]) => step).sort(), [0, 1, 2, 3].map((partition) => `partition ${partition} collected`));
    assert.ok(coordinatorSteps.every(([, at, , cpu], i) => Number(cpu) > 0 && (i === 0 || (Number(at) >= Number(coordinatorSteps[i - 1]![1]) && Number(cpu) >= Number(coordinatorSteps[i - 1]![3])))), coordinated.err);
    const worked = await worker;
    assert.equal(worked.code, 0);
    assert.match(worked.err, /worker 0: 2 finishing thread\(s\)/);
    // Every partition's end in order: its events in, to the pool, packed, stored (a pool has no kernel step apart).
    for (let partition = 0; partition < 4; partition++) {
      const steps = [...worked.err.matchAll(new RegExp(`timeline (\\d+) partition ${partition} (\\w+) cpu (\\d+\\.\\d+)`, 'g'))];
      assert.deepEqual(steps.map(([, , stage]) => stage), ['complete', 'finish', 'packed', 'stored'], worked.err);
      assert.ok(steps.every(([, at], i) => i === 0 || Number(at) >= Number(steps[i - 1]![1])));
      // With the process's CPU seconds at each step (the bench sums a step's CPU beside its wall time).
      assert.ok(steps.every(([, , , cpu], i) => Number(cpu) > 0 && (i === 0 || Number(cpu) >= Number(steps[i - 1]![3]))), worked.err);
    }
    assertCoordinatedIsBatch(coordinated.out, batch);
    // The coordinator removed the job's partials once its result was out; a worker started again
    // on the finished job says so rather than waiting for events that were all acknowledged.
    assert.match(coordinated.err, /job cli: [1-9]\d* partial messages removed/);
    const info = await (await nc.jetstreamManager({ checkAPI: false })).streams.info('LOCKSTEP_PARTIALS', { subjects_filter: 'lockstep.partials.cli.>' });
    assert.deepEqual(Object.keys(info.state.subjects ?? {}), ['lockstep.partials.cli.collected']);
    // And its partitions' consumers: each partition's, and any made because the one before sat on
    // the node that is down (that one is removed from the assignments but does not confirm).
    const [, removed, tried] = (/job cli: (\d+) of (\d+) consumers removed/.exec(coordinated.err) ?? []).map(Number);
    assert.ok(removed !== undefined && tried !== undefined && removed >= 4 && tried >= removed, coordinated.err);
    assert.deepEqual(await jobConsumerNames(nc, 'cli'), []);
    // And its events (three copies on the servers' disks); another job's stay, and the stream
    // made by the first test without --retention now has stream-publish's max age.
    assert.match(coordinated.err, /job cli: [1-9]\d* event messages removed/);
    const events = await (await nc.jetstreamManager({ checkAPI: false })).streams.info('LOCKSTEP_EVENTS', { subjects_filter: 'lockstep.events.>' });
    assert.deepEqual(Object.keys(events.state.subjects ?? {}).filter((subject) => subject.startsWith('lockstep.events.cli.')), []);
    assert.ok(Object.keys(events.state.subjects ?? {}).some((subject) => subject.startsWith('lockstep.events.faults.')), 'the first test\'s job keeps its events');
    assert.equal(events.config.max_age, 2 * 3_600 * 1e9);
    const late = await run(['stream-worker', ...common]);
    assert.notEqual(late.code, 0);
    assert.match(late.err, /job cli: already collected by its coordinator/);
  });

  it('two publishers on halves of the input (stream-publish --publisher), workers waiting for both (--publishers 2), give the batch clusters', async () => {
    const { lines } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 90_000, seed: 6 });
    const whole = join(dir, 'two-whole.jsonl');
    await writeFile(whole, `${lines.join('\n')}\n`);
    // The firehose split across two front ends, line by line (any disjoint split will do).
    const shares = [lines.filter((_, i) => i % 2 === 0), lines.filter((_, i) => i % 2 === 1)];
    assert.ok(shares[0]!.length > 100 && shares[1]!.length > 100);
    await Promise.all(shares.map((share, i) => writeFile(join(dir, `two-${i}.jsonl`), `${share.join('\n')}\n`)));
    const batch = await batchDetect([whole], DEFAULT_STREAM_TRACES, 60_000);
    const common = ['--nats', cluster.urls.join(','), '--job', 'two', '--partitions', '4'];
    const workers = [0, 1].map((index) => run(['stream-worker', ...common, '--publishers', '2', '--index', String(index), '--of', '2']));
    // Publisher 1 first and alone: the workers must not finish on its end markers.
    const second = await run(['stream-publish', join(dir, 'two-1.jsonl'), ...common, '--batch', '100', '--publisher', '1']);
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /as publisher 1/);
    await assert.rejects(collectPartials(nc, 'two', 4, 1_500), /4 partitions without a partial/, 'no partial before publisher 0 has ended');
    const first = await run(['stream-publish', join(dir, 'two-0.jsonl'), ...common, '--batch', '100', '--publisher', '0']);
    assert.equal(first.code, 0, first.err);
    const coordinated = await run(['stream-coordinate', ...common, '--timeout', '90']);
    assert.equal(coordinated.code, 0, coordinated.err);
    for (const worker of await Promise.all(workers)) assert.equal(worker.code, 0, worker.err);
    assertCoordinatedIsBatch(coordinated.out, batch);
  });

  it('stream-publish --threads 2 (shares by account) gives the batch clusters to workers not told of two publishers, names a bad line by its number and counts a repeat once', async () => {
    const { lines } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 90_000, seed: 8 });
    // A bad line in the middle, then the first 200 lines again at the end (repeats: another share's, if split by line).
    const bad = Math.floor(lines.length / 2);
    const file = join(dir, 'threads.jsonl');
    const all = [...lines.slice(0, bad - 1), '{"did":"did:plc:bad","time_us":', ...lines.slice(bad - 1), ...lines.slice(0, 200)];
    await writeFile(file, `${all.join('\n')}\n`);
    const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
    const once = new Partitioner({ partitions: 4, traces: DEFAULT_STREAM_TRACES, batchSize: 100 });
    for (const line of all) for (const action of parseJetstreamLine(line, '').actions) once.push(action, []);
    const common = ['--nats', cluster.urls.join(','), '--job', 'threads', '--partitions', '4'];
    const workers = [0, 1].map((index) => run(['stream-worker', ...common, '--index', String(index), '--of', '2']));
    const published = await run(['stream-publish', file, ...common, '--batch', '100', '--threads', '2']);
    assert.equal(published.code, 0, published.err);
    assert.match(published.err, new RegExp(`threads\\.jsonl:${bad}\\b`));
    assert.match(published.err, new RegExp(` ${once.events} events in \\d+ batches to job threads as 2 publishers \\(threads\\); 1 lines rejected`));
    const coordinated = await run(['stream-coordinate', ...common, '--timeout', '90']);
    assert.equal(coordinated.code, 0, coordinated.err);
    for (const worker of await Promise.all(workers)) assert.equal(worker.code, 0, worker.err);
    assertCoordinatedIsBatch(coordinated.out, batch);
  });

  it('a worker\'s pull loop takes a message delivered while its thread was blocked past its pull\'s expiry on its first delivery, not after the ack wait', async () => {
    const job = 'blocked', subject = `lockstep.events.${job}.0`;
    await ensureJobStorage(nc, 3);
    const source = new PartitionConsumer(await nc.jetstreamManager(), nc.jetstream(), job, 0, 3_000);
    await source.open();
    await nc.jetstream().publish(subject, new TextEncoder().encode('first'));
    const publisher = publisherThread(cluster.urls, subject);
    // Pulls of 1 s: the one that delivers `first` is still open at the servers when `end` comes.
    const pulls = new PullLoop(nc, 'LOCKSTEP_EVENTS', { expiresMs: 1_000 });
    try {
      await nextMessage(publisher);
      const first = await pulls.next(source.name);
      assert.equal(new TextDecoder().decode(first?.data), 'first');
      const published = nextMessage(publisher);
      publisher.postMessage('go');
      // `end` reaches this socket while the pull is open; the thread reads it only after the pull has expired.
      blockThread(1_600);
      await published;
      const end = await pulls.next(source.name);
      assert.equal(new TextDecoder().decode(end?.data), 'end');
      // A fetch ended its subscription on its client timer before reading the socket: `end` was dropped and came again after the ack wait.
      assert.equal(end?.info.redeliveryCount, 1);
    } finally {
      pulls.stop();
      await publisher.terminate();
    }
  });

  it('a worker\'s pull loop pulls again when a pull outlives its expiry with no 408 (the servers sometimes send none)', { timeout: 20_000 }, async () => {
    // A stand-in consumer that answers no pull, not even with a 408.
    const pulled: string[] = [];
    const stand = nc.subscribe('$JS.API.CONSUMER.MSG.NEXT.SILENT.silent', { callback: (_error, request) => pulled.push(new TextDecoder().decode(request.data)) });
    const pulls = new PullLoop(nc, 'SILENT', { expiresMs: 1_000, marginMs: 100 });
    try {
      // Each pull ends by the clock with nothing taken, as a fetch that ended empty; the next call pulls again.
      assert.equal(await pulls.next('silent'), null);
      assert.equal(await pulls.next('silent'), null);
      assert.equal(pulled.length, 2);
      assert.deepEqual(JSON.parse(pulled[0]!), { batch: 256, expires: 1_000_000_000 });
      // Stopped, a waiting call ends (it would wait for ever: nothing pulls any more).
      const waiting = pulls.next('silent');
      pulls.stop();
      await assert.rejects(waiting, /stopped/);
    } finally {
      pulls.stop();
      stand.unsubscribe();
    }
  });
});
