// `node --import tsx bench/stream-incremental.mjs`: a continuous job's slices in one process (no
// NATS), two ways, on the synthetic Jetstream stream bench/stream-continuous.mjs replays:
//   whole:       WindowedPartition.partialAt (the kernel over the horizon) + packPartial at each
//                worker; unpackPartial of every partition + assemblePartials at the coordinator;
//   incremental: IncrementalPartition.deltaAt + encodeSliceDelta at each worker; decodeSliceDelta +
//                HorizonState.apply of every partition, then its result() at the coordinator.
// Both are fed the same messages; within each slice the two run back to back, which goes first
// alternating. Reports per-slice CPU (process.cpuUsage: every thread, GC included) and wall time,
// median and p90 over the slices whose horizon is full, the totals, the bytes a slice sends per
// partition (whole partial gzipped as stored; delta raw and gzipped), and checks every CHECK-th
// slice's results are the same (accounts, edges, clusters). At the end, the checkpoints a restart
// would read (IncrementalPartition.snapshot per worker, HorizonState.snapshot): bytes, and CPU to
// take and to restore them.
// Settings (env): RATE lines/s (2000) at SPEED (20) → RATE/SPEED lines per event second, DURATION
// event seconds (2400), SLICE and HORIZON event seconds (20, 600), WINDOW seconds (60),
// PARTITIONS (8), ACCOUNTS (20000), RINGS (24), CHECK (10).
import { gzipSync } from 'node:zlib';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { assemblePartials } from '../src/stream/distributed.ts';
import { parseJetstreamLine } from '../src/stream/jetstream-line.ts';
import { SliceCutter, WindowedPartition } from '../src/stream/nats/continuous-work.ts';
import { packPartial, unpackPartial } from '../src/stream/nats/partial-pack.ts';
import { Partitioner } from '../src/stream/partitioner.ts';
import { HorizonState } from '../src/stream/incremental/horizon-state.ts';
import { IncrementalPartition } from '../src/stream/incremental/incremental-partition.ts';
import { decodeSliceDelta, encodeSliceDelta } from '../src/stream/incremental/slice-delta-codec.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const RATE = env('RATE', 2000), SPEED = env('SPEED', 20), SLICE = env('SLICE', 20), HORIZON = env('HORIZON', 600), WINDOW = env('WINDOW', 60);
const DURATION = env('DURATION', 2400), PARTITIONS = env('PARTITIONS', 8), ACCOUNTS = env('ACCOUNTS', 20000), RINGS = env('RINGS', 24), CHECK = env('CHECK', 10);
// The whole path only on every WHOLE_EVERY-th slice (its workers are fed every batch all the same): at high rates it is most of the run.
const WHOLE_EVERY = env('WHOLE_EVERY', 1);

const { lines } = jetstreamStream({ durationMs: DURATION * 1000, organicPerSecond: RATE / SPEED, organicAccounts: ACCOUNTS, rings: Array.from({ length: RINGS }, (_, i) => 4 + (i % 9)), ringEveryMs: 240_000, seed: 5 });
const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES }), SLICE * 1000);
const out = [];
for (const action of actions) cutter.push(action, out);
cutter.finish(out);
const integerTimes = actions.every((action) => Number.isInteger(action.time));
console.log(`${lines.length} lines, ${actions.length} actions over ${DURATION} s of event time (${(RATE / SPEED).toFixed(0)} lines/s), ${cutter.slice} slices of ${SLICE} s, horizon ${HORIZON} s, window ${WINDOW} s, ${PARTITIONS} partitions; times ${integerTimes ? 'whole' : 'fractional'} ms`);

const options = { traces: DEFAULT_STREAM_TRACES, windowMs: WINDOW * 1000, maxPartnersPerEvent: 32, horizonMs: HORIZON * 1000 };
const whole = Array.from({ length: PARTITIONS }, (_, p) => new WindowedPartition(p, options));
const incremental = Array.from({ length: PARTITIONS }, (_, p) => new IncrementalPartition(p, options));
let coordinator = new HorizonState({ traces: DEFAULT_STREAM_TRACES });
// Each partition's messages split at its slice markers.
const queues = Array.from({ length: PARTITIONS }, () => []);
for (const message of out) queues[message.partition].push(message);
const at = new Int32Array(PARTITIONS);

const measure = (fn) => {
  const cpu = process.cpuUsage(), wall = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, cpu: (used.user + used.system) / 1000, wall: performance.now() - wall };
};
const rows = [];
const firstUpTo = out.find((message) => message.marker !== null).marker.upTo;
for (let slice = 0; slice < cutter.slice; slice++) {
  let upTo = NaN;
  for (let p = 0; p < PARTITIONS; p++) {
    for (;;) {
      const message = queues[p][at[p]++];
      if (message.marker !== null) {
        upTo = message.marker.upTo;
        // Both take the slice's batches only once asked whether it is ready (as a worker does).
        if (!whole[p].ready(message.marker) || !incremental[p].ready(message.marker)) throw new Error(`partition ${p}: slice ${slice} not ready at its marker`);
        break;
      }
      whole[p].add(message.bytes);
      incremental[p].add(message.bytes);
    }
  }
  const runWhole = () => {
    const worker = measure(() => whole.map((work) => packPartial(work.partialAt(upTo))));
    const merge = measure(() => assemblePartials(worker.value.map((blob, p) => unpackPartial(blob, `partition ${p}`)), { traces: DEFAULT_STREAM_TRACES }));
    return { worker, merge };
  };
  const runIncremental = () => {
    const worker = measure(() => incremental.map((work) => encodeSliceDelta(work.deltaAt(upTo, slice))));
    const apply = measure(() => worker.value.forEach((bytes, p) => coordinator.apply(decodeSliceDelta(bytes, `partition ${p}`))));
    const result = measure(() => coordinator.result());
    return { worker, apply, result, merge: { value: result.value, cpu: apply.cpu + result.cpu, wall: apply.wall + result.wall } };
  };
  if (slice % WHOLE_EVERY !== 0) {
    rows.push({ slice, incOnly: true, full: upTo - firstUpTo >= HORIZON * 1000, incWorker: measure(() => incremental.map((work) => encodeSliceDelta(work.deltaAt(upTo, slice)))) });
    const last = rows[rows.length - 1];
    last.incApply = measure(() => last.incWorker.value.forEach((bytes, p) => coordinator.apply(decodeSliceDelta(bytes, `partition ${p}`))));
    last.incResult = measure(() => coordinator.result());
    last.incMerge = { cpu: last.incApply.cpu + last.incResult.cpu, wall: last.incApply.wall + last.incResult.wall };
    last.deltaBytes = last.incWorker.value.reduce((sum, bytes) => sum + bytes.length, 0);
    last.events = coordinator.events;
    continue;
  }
  const [w, i] = (slice / WHOLE_EVERY) % 2 === 0 ? [runWhole(), runIncremental()] : (() => { const inc = runIncremental(); return [runWhole(), inc]; })();
  if ((slice / WHOLE_EVERY) % CHECK === 0 || slice === cutter.slice - 1) {
    const a = w.merge.value, b = i.merge.value;
    const sets = (result) => result.clusters.map((cluster) => cluster.members.map((m) => result.actorIds[m]).sort().join(',')).sort().join(';');
    const edges = (result) => Array.from({ length: result.graph.size }, (_, e) => `${result.actorIds[result.graph.a[e]]}|${result.actorIds[result.graph.b[e]]}`).sort().join(';');
    if (a.actorIds.join() !== b.actorIds.join() || edges(a) !== edges(b) || sets(a) !== sets(b)) throw new Error(`slice ${slice}: the incremental result differs from the whole one`);
  }
  const deltaBytes = i.worker.value.reduce((sum, bytes) => sum + bytes.length, 0);
  const deltaGzip = measure(() => i.worker.value.reduce((sum, bytes) => sum + gzipSync(bytes).length, 0));
  rows.push({
    slice, full: upTo - firstUpTo >= HORIZON * 1000, events: coordinator.events, edges: w.merge.value.graph.size, clusters: w.merge.value.clusters.length,
    wholeWorker: w.worker, wholeMerge: w.merge, incWorker: i.worker, incMerge: i.merge, incApply: i.apply, incResult: i.result,
    wholeBytes: w.worker.value.reduce((sum, blob) => sum + blob.length, 0), deltaBytes, deltaGzipBytes: deltaGzip.value, deltaGzipCpu: deltaGzip.cpu,
  });
}

const steady = rows.filter((row) => row.full && !row.incOnly);
const steadyInc = rows.filter((row) => row.full);
const quantile = (values, q) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const ms = (value) => (value === undefined ? 'n/a' : `${value.toFixed(1)} ms`);
const line = (name, pick, inc = false) => {
  const over = inc ? steadyInc : steady, all = inc ? rows : rows.filter((row) => !row.incOnly);
  if (over.length === 0) return console.log(`${name.padEnd(42)} no slice with a full horizon measured`);
  const cpu = over.map((row) => pick(row).cpu), wall = over.map((row) => pick(row).wall);
  const total = all.reduce((sum, row) => sum + pick(row).cpu, 0);
  console.log(`${name.padEnd(42)} CPU median ${ms(quantile(cpu, 0.5))}, p90 ${ms(quantile(cpu, 0.9))}; wall median ${ms(quantile(wall, 0.5))}; ${all.length} slices ${(total / 1000).toFixed(2)} CPU-s`);
};
console.log(`${steadyInc.length} slices with a full horizon (the whole path on ${steady.length}): events in it ${quantile(steadyInc.map((row) => row.events), 0.5)} (median), edges ${quantile(steady.map((row) => row.edges), 0.5)}, clusters ${quantile(steady.map((row) => row.clusters), 0.5)}; results checked equal on every ${CHECK}th slice of those`);
line('worker, whole (kernel + pack)', (row) => row.wholeWorker);
line('worker, incremental (delta + encode)', (row) => row.incWorker, true);
line('coordinator, whole (unpack + assemble)', (row) => row.wholeMerge);
line('coordinator, incremental (apply + result)', (row) => row.incMerge, true);
line('  of which decode + apply', (row) => row.incApply, true);
line('  of which result', (row) => row.incResult, true);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`bytes a slice (all partitions), median: whole partials gzipped ${kb(quantile(steady.map((row) => row.wholeBytes), 0.5))}; deltas ${kb(quantile(steadyInc.map((row) => row.deltaBytes), 0.5))} raw, ${kb(quantile(steady.map((row) => row.deltaGzipBytes), 0.5))} gzipped (gzip ${ms(quantile(steady.map((row) => row.deltaGzipCpu), 0.5))} CPU)`);
console.log(`RSS at the end ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB (both ways' state in one process)`);

const workerSnapshots = measure(() => incremental.map((work) => work.snapshot()));
const workersBack = measure(() => workerSnapshots.value.map((bytes, p) => IncrementalPartition.restore(bytes, p, options)));
const coordinatorSnapshot = measure(() => coordinator.snapshot());
const coordinatorBack = measure(() => HorizonState.restore(coordinatorSnapshot.value, { traces: DEFAULT_STREAM_TRACES }));
const workerBytes = workerSnapshots.value.reduce((sum, bytes) => sum + bytes.length, 0);
console.log(`checkpoints at the end (${coordinator.events} events in the horizon): workers ${kb(workerBytes)} in all (take ${ms(workerSnapshots.cpu)}, restore ${ms(workersBack.cpu)} CPU), coordinator ${kb(coordinatorSnapshot.value.length)} (take ${ms(coordinatorSnapshot.cpu)}, restore ${ms(coordinatorBack.cpu)} CPU)`);
// The restored coordinator gives the same result as the one it was taken of.
const [before, after] = [coordinator.result(), coordinatorBack.value.result()];
if (before.actorIds.join() !== after.actorIds.join() || before.graph.size !== after.graph.size) throw new Error('the restored coordinator\'s result differs');
coordinator = coordinatorBack.value;
