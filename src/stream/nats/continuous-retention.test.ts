import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner } from '../partitioner.js';
import type { EmittedAlert } from '../runner.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { SliceAlerts, SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceMarker, SliceOut } from './continuous-work.js';
import { followSlices, publishSlices } from './continuous.js';
import { ensureEventsStream, EVENTS_STREAM } from './events-retention.js';
import { ensureJobStorage } from './jobs.js';
import { growingRingLines } from './test-support/growing-ring.js';

const PARTITIONS = 4;
const SLICE_MS = 60_000;
const HORIZON_MS = 300_000;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a user sees of a slice: events in the horizon, edges with their weights, clusters, and the alerts raised. */
interface Seen { events: number[]; edges: Map<string, number>[]; clusters: string[][]; alerts: unknown[] }

function seenOf(slices: PartitionPartial[][]): Seen {
  const tracker = new SliceAlerts({ minMembers: 3, growBy: 2 });
  const seen: Seen = { events: [], edges: [], clusters: [], alerts: [] };
  for (const partials of slices) {
    const merged = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, cluster: { minClusterSize: 3 } });
    const edges = new Map<string, number>();
    for (let e = 0; e < merged.graph.size; e++) edges.set(`${merged.actorIds[merged.graph.a[e]!]}|${merged.actorIds[merged.graph.b[e]!]}`, merged.graph.weight[e]!);
    seen.events.push(partials.reduce((sum, partial) => sum + partial.events, 0));
    seen.edges.push(edges);
    seen.clusters.push(merged.clusters.map((c) => c.members.map((m) => merged.actorIds[m]).sort().join(',')).sort());
    seen.alerts.push(...tracker.update(merged, partials[0]!.upTo!).map((alert: EmittedAlert) => [alert.type, alert.cluster, alert.members, alert.watermark]));
  }
  return seen;
}

describe('a continuous job longer than its events stream\'s max age', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  const children: ChildProcess[] = [];
  const input = growingRingLines();
  // A publisher with the horizon: it frees account ids and forgets keys, so labels are sent once
  // and ids taken again: a worker cannot start mid-stream without them.
  const messages: SliceOut[] = [];
  const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 60, seenRetentionMs: HORIZON_MS }), SLICE_MS, { horizonMs: HORIZON_MS });
  for (const line of input.lines) for (const action of parseJetstreamLine(line, '').actions) cutter.push(action, messages);
  cutter.finish(messages);

  /** The uninterrupted job, in process: each partition's worker given its messages in order. */
  const uninterrupted = (): Seen => {
    const slices: PartitionPartial[][] = Array.from({ length: cutter.slice }, () => []);
    for (let p = 0; p < PARTITIONS; p++) {
      const work = new WindowedPartition(p, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, horizonMs: HORIZON_MS });
      const markers = new Map<number, SliceMarker>();
      let open = 0;
      for (const message of messages.filter((one) => one.partition === p)) {
        if (message.marker === null) work.add(message.bytes);
        else markers.set(message.marker.slice, message.marker);
        for (let marker = markers.get(open); marker !== undefined && work.ready(marker); marker = markers.get(open)) slices[open++]!.push(work.partialAt(marker.upTo));
      }
    }
    return seenOf(slices);
  };

  const startWorker = (job: string): { child: ChildProcess; log: string[] } => {
    const log: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'stream-worker', '--nats', cluster.urls.join(','), '--job', job,
      '--partitions', String(PARTITIONS), '--horizon', String(HORIZON_MS / 1000), '--ack-wait', '2', '--checkpoint-every', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    children.push(child);
    return { child, log };
  };
  /** Messages up to and with every partition's marker of `slice`. */
  const throughSlice = (slice: number): number => messages.findLastIndex((message) => message.marker?.slice === slice) + 1;
  /** The job's messages the events stream holds. */
  const held = async (job: string): Promise<number> => {
    const info = await (await nc.jetstreamManager()).streams.info(EVENTS_STREAM, { subjects_filter: `lockstep.events.${job}.>` });
    return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
  };

  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    await ensureJobStorage(nc, 3);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await nc.close().catch(() => undefined);
    await cluster.stop();
  });

  it('once the first batches have aged out, a worker SIGKILLed and replaced starts from its checkpoint and gives every later slice and alert of a job never interrupted', async () => {
    const job = 'aged';
    const first = startWorker(job);
    const slices: PartitionPartial[][] = [];
    const coordinated = followSlices(nc, { job, partitions: PARTITIONS, timeoutMs: 60_000, keepPartials: false }, (slice, partials) => {
      slices[slice] = partials;
    });
    // The first 4 slices, then the events stream's max age cut to a second until they are gone
    // (batch 0 of every partition with them), then back to an hour.
    const early = throughSlice(3);
    await publishSlices(nc, job, messages.slice(0, early));
    const stored = (slice: number): boolean => (first.log.join('').match(new RegExp(`partition \\d: slice ${slice} stored`, 'g')) ?? []).length === PARTITIONS;
    await until('slice 3 stored', () => stored(3));
    const published = await held(job);
    await ensureEventsStream(nc, 3, { maxAgeMs: 1_000 });
    await until('the first slices to age out', async () => (await held(job)) === 0);
    await ensureEventsStream(nc, 3, { maxAgeMs: 3_600_000 });
    assert.ok(published >= early, `${published} of the first ${early} messages were held before`);
    // Slices 4 to 9, then the worker is killed; the rest after it.
    const killAt = throughSlice(9);
    await publishSlices(nc, job, messages.slice(early, killAt));
    await until('slice 9 stored', () => stored(9));
    first.child.kill('SIGKILL');
    await until('the worker to die', () => first.child.exitCode !== null || first.child.signalCode !== null);
    await publishSlices(nc, job, messages.slice(killAt));
    const replacement = startWorker(job);
    await coordinated.catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nfirst worker:\n${first.log.join('')}\nreplacement:\n${replacement.log.join('')}`);
    });
    await until('the replacement to exit', () => replacement.child.exitCode !== null);
    const log = replacement.log.join('');
    assert.equal(replacement.child.exitCode, 0, log);
    // Each partition started from a checkpoint (one every 2 slices) at least a horizon (5 slices) before slice 10, after the aged-out ones.
    const starts = [...log.matchAll(/partition \d: starting from the checkpoint of slice (\d+)/g)].map((match) => Number(match[1]));
    assert.equal(starts.length, PARTITIONS, log);
    assert.ok(starts.every((slice) => slice === 4), log);
    const expected = uninterrupted();
    const seen = seenOf(slices);
    assert.equal(slices.length, cutter.slice);
    assert.ok(expected.alerts.length >= 2, JSON.stringify(expected.alerts));
    assert.deepEqual(seen.events, expected.events);
    assert.deepEqual(seen.clusters, expected.clusters);
    seen.edges.forEach((edges, slice) => assert.deepEqual(edges, expected.edges[slice], `slice ${slice}`));
    assert.deepEqual(seen.alerts, expected.alerts);
    // The partitions' checkpoints are removed once their last slice is closed.
    const info = await (await nc.jetstreamManager()).streams.info('LOCKSTEP_PARTIALS', { subjects_filter: `lockstep.partials.${job}.*.*.done` });
    assert.deepEqual(Object.keys(info.state.subjects ?? {}).filter((subject) => subject.includes('.ck-')), []);
  });
});
