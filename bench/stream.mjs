// `node --import tsx bench/stream.mjs [hours]`: stream-mode figures on a synthetic Jetstream stream
// (organic accounts + planted rings): (1) single-process events/s (detector only, and with parsing),
// CPU time beside wall time; (2) alert latency p50/p99 (the event that completes or grows a cluster
// → its alert) in a 10x replay re-detecting every second; (3) memory over a long replay (horizon
// 1 h) sampled every event-hour; (4) distributed events/s with 1 and 2 workers on a 3-node NATS
// JetStream cluster (needs nats-server). Timings on a shared 2-core machine are noisy: repeat.
import { spawn } from 'node:child_process';
import { StreamDetector } from '../src/stream/detector.ts';
import { parseJetstreamLine } from '../src/stream/jetstream-line.ts';
import { runStream } from '../src/stream/runner.ts';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';
import { startNatsCluster } from '../src/stream/test-support/nats-cluster.ts';
import { collectPartials, ensureJobStorage, publishJob } from '../src/stream/nats/jobs.ts';
import { connect } from 'nats';

const hours = Number(process.argv[2] ?? 8);
const HOUR = 3_600_000;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const pct = (values, p) => { const s = [...values].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

// 1. Throughput, one process.
const { lines } = jetstreamStream({ durationMs: HOUR / 2, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 });
let wall = performance.now(), c = cpu();
const actions = lines.flatMap((line, i) => parseJetstreamLine(line, `${i}`).actions);
const parseWall = (performance.now() - wall) / 1000, parseCpu = cpu() - c;
const detector = new StreamDetector({ horizonMs: HOUR });
wall = performance.now(); c = cpu();
for (const action of actions) detector.push(action);
detector.flush();
const pushWall = (performance.now() - wall) / 1000, pushCpu = cpu() - c;
wall = performance.now();
const detection = detector.detect();
const detectWall = (performance.now() - wall) / 1000;
console.log(`single process: ${actions.length} actions, ${detector.events} trace events`);
console.log(`  parse Jetstream JSON: ${(lines.length / parseWall).toFixed(0)} lines/s wall, ${(lines.length / parseCpu).toFixed(0)} lines/s CPU`);
console.log(`  windowed co-action state: ${(detector.events / pushWall).toFixed(0)} events/s wall, ${(detector.events / pushCpu).toFixed(0)} events/s CPU`);
console.log(`  one re-detection over the live state (${detection.graph.size} edges, ${detection.clusters.length} clusters): ${detectWall.toFixed(2)} s`);

// 2. Alert latency in a paced replay.
const live = jetstreamStream({ durationMs: HOUR / 4, organicAccounts: 5_000, organicPerSecond: 30, rings: Array.from({ length: 10 }, (_, i) => 6 + i), ringEveryMs: 90_000, seed: 11 });
async function* from(list) { yield* list; }
const latencies = [];
const detectTimes = [];
let last = performance.now();
const summary = await runStream(from(live.lines), 'bench', { speed: 10, everyMs: 1_000, detector: { horizonMs: HOUR } }, {
  alert: (alert) => { if (alert.latencyMs !== null) latencies.push(alert.latencyMs); },
  reject: () => undefined,
  detected: () => { const now = performance.now(); detectTimes.push(now - last); last = now; },
});
console.log(`alert latency (10x replay, re-detect every 1 s): ${latencies.length} alerts, p50 ${pct(latencies, 0.5).toFixed(0)} ms, p99 ${pct(latencies, 0.99).toFixed(0)} ms; ${summary.detections} detections`);

// 3. Memory over a long replay.
const long = jetstreamStream({ durationMs: hours * HOUR, organicAccounts: 5_000, organicPerSecond: 5, ringEveryMs: 300_000, seed: 5 });
const memory = new StreamDetector({ horizonMs: HOUR });
const start = 1_720_000_000_000;
let next = start + HOUR;
const samples = [];
for (const line of long.lines) {
  for (const action of parseJetstreamLine(line, '').actions) {
    memory.push(action);
    if (action.time >= next) {
      globalThis.gc?.();
      const size = memory.size();
      samples.push(`${((action.time - start) / HOUR).toFixed(0)}h heap ${mb(process.memoryUsage().heapUsed)} MB, ${size.pairKeyRecords} pair records`);
      next += HOUR;
    }
  }
}
console.log(`memory over ${hours} h of stream (horizon 1 h${globalThis.gc === undefined ? '; run with --expose-gc for steadier figures' : ''}):\n  ${samples.join('\n  ')}`);

// 4. Distributed: 1 and 2 workers.
const cluster = await startNatsCluster(3);
try {
  const nc = await connect({ servers: cluster.urls });
  await ensureJobStorage(nc, 3);
  for (const workers of [1, 2]) {
    const job = `bench${workers}`;
    const partitions = 8;
    wall = performance.now();
    const sent = await publishJob(nc.jetstream(), actions, { job, partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 500 });
    const published = (performance.now() - wall) / 1000;
    const children = Array.from({ length: workers }, (_, index) => spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'stream-worker', '--nats', cluster.urls.join(','), '--job', job, '--partitions', String(partitions), '--index', String(index), '--of', String(workers)], { stdio: 'ignore' }));
    const workStart = performance.now();
    await collectPartials(nc, job, partitions, 600_000);
    const worked = (performance.now() - workStart) / 1000;
    for (const child of children) child.kill();
    console.log(`NATS, ${workers} worker(s): ${sent.events} events published in ${published.toFixed(1)} s (${(sent.events / published).toFixed(0)}/s); worked in ${worked.toFixed(1)} s incl. worker start-up (${(sent.events / worked).toFixed(0)} events/s)`);
  }
  await nc.close();
} finally {
  await cluster.stop();
}
