// `node --import tsx --expose-gc bench/stream-continuous.mjs`: a continuous NATS job (stream-publish --slice,
// stream-worker --horizon, stream-coordinate --follow) on a 3-node JetStream cluster (needs
// nats-server), replaying the synthetic Jetstream stream at a set rate with 1 worker.
// Reports: events/s published and whether the job kept up (each slice's delay from its marker's
// publication to the coordinator's merge, early and late in the run); alert lag p50/p99 (from the
// first event of the slice that raised the alert — a bound on the delay after whichever event
// completed the cluster — and from the slice's close); worker and coordinator RSS over the replay
// (sampled every 0.5 s) and their CPU seconds, and the NATS servers' CPU; the publisher (in this
// process): the actions its duplicate check holds, its heap and array buffers after a GC (every
// 10 s; run with --expose-gc) and this process's RSS, by quarter (the feed's actions, made before
// the replay, are a constant part of both).
// Settings (env): RATE lines/s of wall time (default 2000), SPEED event time per wall time (20),
// SLICE and HORIZON in event seconds (20, 600), DURATION of the replay in event seconds (2400),
// SKIP=1 runs the coordinator with --skip-behind, PUB_HORIZON=0 a publisher that remembers every
// action (stream-publish without --horizon; default: the workers' HORIZON). PARTITIONS (8), ACCOUNTS organic accounts (20000), RINGS planted rings of 4-12 accounts striking every ~4 event-minutes (24).
// CHECKPOINT: the worker's --checkpoint-every (default 10, as the CLI's: a checkpoint of each
// partition every 10 slices; 1: every slice; 0: none, for an A/B); the report gives their size
// (all partitions, per checkpointed slice) and the wall time the worker spent making and storing
// each, by quarter. REPLACE_AT=n: at slice n the worker is SIGKILLed and a replacement started
// at once; the report says which checkpoint each partition started from, how long until it stored
// its first slice, and both workers' CPU.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { parseJetstreamLine } from '../src/stream/jetstream-line.ts';
import { SliceCutter } from '../src/stream/nats/continuous-work.ts';
import { publishSlices } from '../src/stream/nats/continuous.ts';
import { ensureJobStorage } from '../src/stream/nats/jobs.ts';
import { Partitioner } from '../src/stream/partitioner.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';
import { startNatsCluster } from '../src/stream/test-support/nats-cluster.ts';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const RATE = env('RATE', 2000), SPEED = env('SPEED', 20), SLICE = env('SLICE', 20), HORIZON = env('HORIZON', 600);
const DURATION = env('DURATION', 2400), PARTITIONS = env('PARTITIONS', 8), ACCOUNTS = env('ACCOUNTS', 20000), RINGS = env('RINGS', 24), SKIP = process.env.SKIP === '1';
const PUB_HORIZON = env('PUB_HORIZON', HORIZON);
const CHECKPOINT = env('CHECKPOINT', 10);
const REPLACE_AT = env('REPLACE_AT', -1);

const stat = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, rss };
  } catch {
    return null;
  }
};
const quantile = (values, q) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const fmt = (ms) => `${Math.round(ms)} ms`;

const { lines } = jetstreamStream({ durationMs: DURATION * 1000, organicPerSecond: RATE / SPEED, organicAccounts: ACCOUNTS, rings: Array.from({ length: RINGS }, (_, i) => 4 + (i % 9)), ringEveryMs: 240_000, seed: 5 });
const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
console.log(`continuous job: ${lines.length} lines, ${actions.length} actions over ${DURATION} s of event time at ${SPEED}x (${RATE} lines/s), slices of ${SLICE} s, horizon ${HORIZON} s (publisher's: ${PUB_HORIZON > 0 ? `${PUB_HORIZON} s` : 'none'}), ${PARTITIONS} partitions, 1 worker`);

const cluster = await startNatsCluster(3);
const nc = await connect({ servers: cluster.urls });
const job = `bench${Date.now().toString(36)}`;
const children = [];
try {
  await ensureJobStorage(nc, 3);
  const common = ['--nats', cluster.urls.join(','), '--job', job, '--partitions', String(PARTITIONS)];
  const start = (args, onOut) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args, ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        onOut(buffered.slice(0, nl), performance.now());
        buffered = buffered.slice(nl + 1);
      }
    });
    return child;
  };
  const alerts = [];
  const merged = new Map();
  const mergeCost = [];
  const startWorker = () => start(['stream-worker', '--horizon', String(HORIZON), '--ack-wait', '5', '--checkpoint-every', String(CHECKPOINT)], () => {});
  let worker = startWorker();
  const coordinator = start(['stream-coordinate', '--follow', '--timeout', '120', ...(SKIP ? ['--skip-behind'] : [])], (line, at) => alerts.push({ alert: JSON.parse(line), at }));
  let errText = '';
  coordinator.stderr.on('data', (chunk) => {
    const at = performance.now();
    errText += chunk.toString();
    for (const match of chunk.toString().matchAll(/slice (\d+) \(up to[^)]*\): (\d+) events in the horizon.*merge (\d+) ms CPU/g)) {
      merged.set(Number(match[1]), at);
      mergeCost.push({ events: Number(match[2]), ms: Number(match[3]) });
    }
  });
  // The worker's account labels held, per partition (its log line at each slice).
  const workerLabels = new Map();
  // Its checkpoints: per slice, the bytes of all partitions' and each one's wall time (ms).
  const checkpointBytes = new Map(), checkpointMs = [];
  // A replacement's start: the checkpoint each partition started from, and when it stored its first slice.
  const replacement = { startedAt: NaN, from: [], firstStoredAt: NaN, firstCpu: NaN };
  let workerErr = '';
  const onWorkerErr = (chunk) => {
    workerErr += chunk.toString();
    const lines = workerErr.split('\n');
    workerErr = lines.pop();
    for (const line of lines) {
      const from = /partition \d+: starting from the checkpoint of slice (\d+)/.exec(line);
      if (from !== null) replacement.from.push(Number(from[1]));
      if (Number.isNaN(replacement.firstStoredAt) && replacement.startedAt > 0 && /: slice \d+ stored/.test(line)) replacement.firstStoredAt = performance.now();
      const labels = /partition (\d+): slice \d+ [^(]*\(\d+ events held, \d+ dropped, (\d+) account labels\)/.exec(line);
      if (labels !== null) workerLabels.set(labels[1], Number(labels[2]));
      const checkpoint = /checkpoint of slice (\d+) stored \((\d+) bytes, ([\d.]+) ms\)/.exec(line);
      if (checkpoint !== null) {
        checkpointBytes.set(checkpoint[1], (checkpointBytes.get(checkpoint[1]) ?? 0) + Number(checkpoint[2]));
        checkpointMs.push(Number(checkpoint[3]));
      }
    }
  };
  worker.stderr.on('data', onWorkerErr);
  await sleep(5_000);

  const pubHorizonMs = PUB_HORIZON > 0 ? PUB_HORIZON * 1000 : Infinity;
  const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, seenRetentionMs: pubHorizonMs }), SLICE * 1000, { horizonMs: pubHorizonMs });
  const samples = [], publisherSamples = [];
  const sampler = setInterval(() => samples.push({ at: performance.now(), worker: stat(worker.pid), coordinator: stat(coordinator.pid), publisher: { rss: process.memoryUsage.rss() / 2 ** 20 } }), 500);
  // The publisher after a GC, less often (a full GC over the feed's actions takes a while).
  const publisherSampler = setInterval(() => {
    globalThis.gc?.();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    publisherSamples.push({ workerLabels: [...workerLabels.values()].reduce((sum, n) => sum + n, 0), seen: cutter.partitioner.seenActions, actors: cutter.partitioner.liveActors, keys: cutter.partitioner.liveKeys, heap: heapUsed / 2 ** 20, buffers: arrayBuffers / 2 ** 20 });
  }, 10_000);
  const natsCpu = () => cluster.pids.reduce((sum, pid) => sum + (stat(pid)?.cpu ?? 0), 0);
  const nats0 = natsCpu();
  const firstWall = new Map(), closeWall = new Map();
  const out = [];
  const t0 = actions[0].time, w0 = performance.now();
  let lastSlice = -1;
  for (const action of actions) {
    const wait = w0 + (action.time - t0) / SPEED - performance.now();
    if (wait > 2) {
      await publishSlices(nc, job, out.splice(0));
      await sleep(wait);
    }
    const before = cutter.slice;
    cutter.push(action, out);
    if (cutter.slice !== before) {
      await publishSlices(nc, job, out.splice(0));
      for (let s = before; s < cutter.slice; s++) closeWall.set(s, performance.now());
    }
    if (cutter.slice !== lastSlice) {
      firstWall.set(cutter.slice, performance.now());
      lastSlice = cutter.slice;
      if (cutter.slice === REPLACE_AT) {
        replacement.firstCpu = stat(worker.pid)?.cpu ?? NaN;
        worker.kill('SIGKILL');
        workerErr = '';
        replacement.startedAt = performance.now();
        worker = startWorker();
        worker.stderr.on('data', onWorkerErr);
      }
    }
    if (out.length >= 64) await publishSlices(nc, job, out.splice(0));
  }
  const last = cutter.slice;
  cutter.finish(out);
  await publishSlices(nc, job, out.splice(0));
  closeWall.set(last, performance.now());
  const published = performance.now() - w0;
  while (!merged.has(last) && coordinator.exitCode === null) await sleep(100);
  clearInterval(sampler);
  clearInterval(publisherSampler);
  const end = { worker: samples.findLast((sample) => sample.worker !== null)?.worker, coordinator: samples.findLast((sample) => sample.coordinator !== null)?.coordinator };
  await new Promise((resolve) => (worker.exitCode !== null ? resolve() : worker.on('exit', resolve)));
  const natsUsed = natsCpu() - nats0;

  const skipped = [...errText.matchAll(/slices (\d+)-(\d+) skipped/g)].reduce((sum, match) => sum + Number(match[2]) - Number(match[1]) + 1, 0);
  if (SKIP) console.log(`${skipped} slices skipped by the coordinator, ${merged.size} merged`);
  console.log(`published ${actions.length} actions in ${(published / 1000).toFixed(1)} s = ${Math.round(actions.length / (published / 1000))} actions/s (target ${RATE} lines/s); ${cutter.slice} slices`);
  // Did the job keep up? Each slice's delay from its marker's publication to its merge.
  const delays = [...closeWall].filter(([s]) => merged.has(s)).map(([s, at]) => merged.get(s) - at);
  const quarter = Math.max(1, Math.floor(delays.length / 4));
  console.log(`slice close → merged: p50 ${fmt(quantile(delays, 0.5))}, p99 ${fmt(quantile(delays, 0.99))}, max ${fmt(Math.max(...delays))}; first quarter median ${fmt(quantile(delays.slice(0, quarter), 0.5))}, last quarter ${fmt(quantile(delays.slice(-quarter), 0.5))}`);
  const late = mergeCost.slice(-quarter);
  console.log(`coordinator's merge (assemblePartials) in the last quarter: median ${quantile(late.map((c) => c.ms), 0.5)} ms CPU over ${quantile(late.map((c) => c.events), 0.5)} events in the horizon (${(1000 * quantile(late.map((c) => c.ms / c.events), 0.5)).toFixed(2)} µs an event of the horizon, every slice)`);
  // Alert lag. The slice an alert came from: its watermark is the slice's end.
  const sliceOf = (watermark) => Math.round((watermark - Math.floor(t0 / (SLICE * 1000)) * SLICE * 1000) / (SLICE * 1000)) - 1;
  const fromFirst = alerts.map(({ alert, at }) => at - firstWall.get(sliceOf(alert.watermark)));
  const fromClose = alerts.map(({ alert, at }) => at - closeWall.get(sliceOf(alert.watermark)));
  if (process.env.DEBUG) console.log(JSON.stringify({ fromFirst, fromClose, w: alerts.map(({ alert }) => [alert.watermark, sliceOf(alert.watermark)]) }));
  console.log(`${alerts.length} alerts (${alerts.filter(({ alert }) => alert.type === 'cluster-appeared').length} appeared); lag from the slice's first event p50 ${fmt(quantile(fromFirst, 0.5))}, p99 ${fmt(quantile(fromFirst, 0.99))}; from the slice's close p50 ${fmt(quantile(fromClose, 0.5))}, p99 ${fmt(quantile(fromClose, 0.99))}`);
  const rss = (who) => {
    const values = samples.map((sample) => sample[who]?.rss).filter((v) => Number.isFinite(v));
    const n = values.length, part = Math.max(1, Math.floor(n / 4));
    return `${who} RSS max ${Math.round(Math.max(...values))} MB; median by quarter ${[0, 1, 2, 3].map((q) => Math.round(quantile(values.slice(q * part, (q + 1) * part), 0.5))).join(' / ')} MB`;
  };
  const byQuarter = (values, digits) => {
    const part = Math.max(1, Math.floor(values.length / 4));
    return [0, 1, 2, 3].map((q) => quantile(values.slice(q * part, (q + 1) * part), 0.5)?.toFixed(digits)).join(' / ');
  };
  console.log(rss('worker'));
  console.log(`worker's account labels held (all partitions), median by quarter: ${byQuarter(publisherSamples.map((p) => p.workerLabels / 1000), 1)} k`);
  if (CHECKPOINT > 0) console.log(`worker checkpoints (every ${CHECKPOINT} slice(s), ${checkpointMs.length} stored): KB per slice (all partitions), median by quarter ${byQuarter([...checkpointBytes.values()].map((b) => b / 1024), 0)}; ms each (make and store, wall), median by quarter ${byQuarter(checkpointMs, 1)}, p99 ${quantile(checkpointMs, 0.99)?.toFixed(1)}`);
  console.log(rss('coordinator'));
  console.log(rss('publisher'));
  console.log(`publisher${globalThis.gc === undefined ? ' (no --expose-gc: not after a GC)' : ' after a GC'}, median by quarter: duplicate check ${byQuarter(publisherSamples.map((p) => p.seen / 1000), 0)} k actions (${cutter.partitioner.seenActions} at the end, 20 bytes each); heap ${byQuarter(publisherSamples.map((p) => p.heap), 0)} MB; array buffers ${byQuarter(publisherSamples.map((p) => p.buffers), 1)} MB; accounts ${byQuarter(publisherSamples.map((p) => p.actors / 1000), 1)} k, keys ${byQuarter(publisherSamples.map((p) => p.keys / 1000), 1)} k interned; ${cutter.late} actions dropped as late, ${cutter.actorsFreed} account ids freed, ${cutter.keysForgotten} keys forgotten`);
  if (REPLACE_AT >= 0) console.log(`worker SIGKILLed at slice ${REPLACE_AT} after ${replacement.firstCpu.toFixed(2)} CPU-s; its replacement started its partitions from the checkpoints of slices ${replacement.from.join(', ') || 'none (batch 0)'} and stored its first slice ${((replacement.firstStoredAt - replacement.startedAt) / 1000).toFixed(1)} s after it started (with tsx start-up); the CPU below is the replacement's`);
  console.log(`CPU seconds: worker ${end?.worker?.cpu.toFixed(2)}, coordinator ${end?.coordinator?.cpu.toFixed(2)} (each with tsx start-up), NATS servers ${natsUsed.toFixed(2)}; bench process ${(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(2)}`);
  if (coordinator.exitCode !== null && coordinator.exitCode !== 0) console.log(errText.slice(-2000));
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await nc.close().catch(() => undefined);
  await cluster.stop();
}
