// `node --import tsx --expose-gc bench/stream.mjs [sections] [hours]`: stream-mode figures on a
// synthetic Jetstream stream (organic accounts + planted rings). Sections (default all):
//   throughput  one process: Jetstream JSON parse (lines/s: JSON.parse alone, the zod reader, the fast path) and the windowed co-action state
//               (trace events/s), CPU time beside wall time; one re-detection's cost; then the whole pipeline from a file
//               (read, parse, push) with nothing else held, split by part
//   latency     alert latency p50/p99 in a 10x replay re-detecting every second: `latency` from the
//               members' last co-action, `lag` from the earliest event the previous detection had not
//               seen (a bound from whichever event completed the cluster); detection times
//   memory      heap and state over a long replay (horizon 1 h), sampled every event-hour
//   worker      the scale-out parts in one process, no NATS: the front end (actions → binary batches; lines → batches;
//               the byte front end: bytes → batches) and
//               a worker's side (decode batches, windows, encode partials) with 1 worker and with 2 (each half the partitions)
//   nats        1 and 2 workers on a 3-node NATS JetStream cluster (needs nats-server): JSONL bytes scanned +
//               partitioned + published streamed (FRONT=lines: each line JSON.parsed, the front end before), workers to all partials, workers started (and waiting) beforehand;
//               CPU of the front end, the NATS servers (from /proc) and the workers; the partials' storage alone
// BATCH=n sets the events per message of the worker and nats sections (default: the partitioner's, 2000).
// WORKERS=1,2 the nats section's worker counts (default both). PUBLISHERS=n (nats): n `stream-publish
// --publisher i` child processes, each on every n-th line of the feed from its own file, instead of the
// in-process front end; workers take --publishers n. Their CPU includes tsx start-up (printed alone once).
// THREADS=n (nats): the front end is one `stream-publish --threads n` child process on the whole feed
// (n threads, each a share of the accounts; workers learn n from the batches); THREADS=1 is the same
// command on one thread, to compare. Its CPU (all threads) includes tsx start-up (printed alone once).
// NATS_HOURS=n (nats): a feed n hours long (default 1: 220k events), so fixed per-job costs weigh less.
// PARTIALS_COMPRESSION=none (nats): workers store partials uncompressed (stream-worker --partials-compression).
// ASSEMBLE_THREAD=1 (nats): the coordinator sums half the traces on a second thread (stream-coordinate --assemble-thread).
// FINISH_THREADS=n (nats): workers finish partitions on n threads (stream-worker --finish-threads; default 0). The tail
// (last end marker → all partials) is `all partials at` less `parse + partition + publish`.
// `result at` adds the coordinator's assemblePartials on the collected partials (merge, null model, clustering): the
// figure a user waits for. The coordinator is a `stream-coordinate --timeline` child process (the CLI as workers run it,
// started with them), as deployed: `all partials at` and `result at` are when it says it has them, and its result is
// checked against assemblePartials here on the same partials (after the figures). COORDINATOR=inline: collectPartials
// and assemblePartials in this process instead (as before session 18), which also holds the front end's heap; its first
// job's call is cold, the 2-worker job's (after the 1-worker one) warmer.
// BUILT=1 (nats): workers, publishers and their threads run the built CLI (bin/lockstep.js, dist/, as deployed; built
// first with `npx tsc -p tsconfig.build.json`; BUILT=prebuilt: dist/ as it is) instead of src/ through tsx, which transpiles
// again in every process and thread.
// FEED=firehose (every section): the firehose-like feed (see feed() below) instead of the small one; run node with
// --max-old-space-size=16000 (the process holds the whole feed: 7.5-8.5 GB RSS at NATS_HOURS=3.3).
// TIMELINE=1 (nats): where the tail goes: workers run with --timeline, and each partition's steps after the last batch
// was published (end marker in, finish turn, kernel, packed, stored, collected here) are printed, with the parts'
// sums and the machine's idle core-seconds in the tail (/proc/stat, everyone's work counted).
// e.g. `node --import tsx --expose-gc bench/stream.mjs throughput,latency`. Timings on a shared
// 2-core machine are noisy: run under the bench lock and repeat.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamDetector } from '../src/stream/detector.ts';
import { parseJetstreamLine } from '../src/stream/jetstream-line.ts';
import { runStream } from '../src/stream/runner.ts';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';

const sections = new Set((process.argv[2] ?? 'throughput,latency,memory,worker,nats').split(','));
const hours = Number(process.argv[3] ?? 8);
const HOUR = 3_600_000;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const pct = (values, p) => { const s = [...values].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
const k = (value) => `${(value / 1000).toFixed(1)}k`;
const { PARTITIONER_DEFAULTS } = await import('../src/stream/partitioner.ts');
const BATCH = Number(process.env.BATCH ?? PARTITIONER_DEFAULTS.batchSize);

// 1. Throughput, one process.
// FEED=firehose: a firehose-like feed instead (jetstream-firehose.ts: ACCOUNTS accounts, default 2M, with heavy-tailed
// activity and keys, replies and quotes; LINES_PER_SECOND lines a second of event time, default 250, so NATS_HOURS=3.3 is
// 2.98M lines, 4.0M events), the same rings. The small feed (default): 20k accounts acting uniformly, 200 hashtags, 50 reposted posts.
const FEED = process.env.FEED ?? 'small';
if (FEED !== 'small' && FEED !== 'firehose') throw new Error(`FEED=${FEED}: small or firehose`);
// The bench process holds the whole feed beside the front end (7.5-8.5 GB RSS at NATS_HOURS=3.3): past V8's default
// 4 GB heap it dies in the middle of publishing, so say so before generating anything.
if (FEED === 'firehose' && (await import('node:v8')).getHeapStatistics().heap_size_limit < 12 * 2 ** 30) {
  throw new Error('FEED=firehose: run node with --max-old-space-size=16000 (the bench holds the whole feed; V8 default heap is 4 GB)');
}
const feed = (feedHours = 1) => jetstreamStream({
  durationMs: feedHours * HOUR, rings: [8, 12, 20, 30], ringEveryMs: 120_000,
  ...(FEED === 'firehose'
    ? { organicAccounts: Number(process.env.ACCOUNTS ?? 2_000_000), organicPerSecond: Number(process.env.LINES_PER_SECOND ?? 250), firehose: {} }
    : { organicAccounts: 20_000, organicPerSecond: 60 }),
});
if (sections.has('throughput')) {
  const { lines } = feed();
  // The parse: JSON.parse alone (the floor), the zod reader on every line (the previous parser),
  // and parseJetstreamLine (hand-checked fast path, zod only on unusual lines); 2 rounds each.
  const { readJetstreamEventChecked } = await import('../src/ingest/jetstream.ts');
  const timed = (label, body) => {
    const rates = [];
    for (let round = 0; round < 2; round++) {
      globalThis.gc?.();
      const w = performance.now(), c0 = cpu();
      body();
      rates.push(`${k(lines.length / ((performance.now() - w) / 1000))} wall / ${k(lines.length / (cpu() - c0))} CPU`);
    }
    console.log(`  ${label}: ${rates.join(', ')} lines/s`);
  };
  console.log(`single process: ${lines.length} Jetstream lines`);
  timed('JSON.parse alone', () => { for (const line of lines) JSON.parse(line); });
  timed('JSON.parse + zod reader (previous)', () => { for (const line of lines) readJetstreamEventChecked(JSON.parse(line)); });
  timed('parseJetstreamLine', () => { for (let i = 0; i < lines.length; i++) parseJetstreamLine(lines[i], () => `${i + 1}`); });
  const actions = lines.flatMap((line, i) => parseJetstreamLine(line, () => `${i + 1}`).actions);
  console.log(`  ${actions.length} actions`);
  let wall, c;
  // Rounds 1-2 grow the tables from empty (the default); rounds 3-4 pass a size hint (1M records).
  for (let round = 1; round <= 4; round++) {
    globalThis.gc?.();
    const detector = new StreamDetector({ horizonMs: HOUR, expectedRecords: round > 2 ? 1_000_000 : null });
    wall = performance.now(); c = cpu();
    for (const action of actions) detector.push(action);
    detector.flush();
    const pushWall = (performance.now() - wall) / 1000, pushCpu = cpu() - c;
    wall = performance.now(); c = cpu();
    const linked = detector.detect({ accounts: 'linked' });
    const detectWall = (performance.now() - wall) / 1000, detectCpu = cpu() - c;
    const size = detector.size();
    console.log(`  round ${round}${round > 2 ? ' (hint)' : ''}: windowed co-action state ${k(detector.events / pushWall)} events/s wall, ${k(detector.events / pushCpu)} events/s CPU (${detector.events} events, ${detector.coActions} co-actions, ${pushCpu.toFixed(2)} s CPU); ` +
      `a re-detection over ${size.pairKeyRecords} records: ${detectWall.toFixed(3)} s wall, ${detectCpu.toFixed(3)} s CPU (${linked.graph.size} edges, ${linked.clusters.length} clusters)`);
  }
}

// 1b. The single-process pipeline as `lockstep stream FILE --speed max` runs it, nothing held
// but the state: lines read from a file, parsed, pushed. Three passes give the parts' CPU
// (read; read + parse; read + parse + push), so each part is a difference of totals.
if (sections.has('throughput')) {
  const { createReadStream, writeFileSync, rmSync } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const { tmpdir } = await import('node:os');
  const file = `${tmpdir()}/lockstep-stream-bench-${process.pid}.jsonl`;
  writeFileSync(file, `${feed().lines.join('\n')}\n`);
  globalThis.gc?.();
  const pass = async (parse, push) => {
    globalThis.gc?.();
    const detector = new StreamDetector({ horizonMs: HOUR });
    const w = performance.now(), c0 = cpu();
    let n = 0;
    for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
      n++;
      if (!parse) continue;
      const { actions } = parseJetstreamLine(line, () => `${file}:${n}`);
      if (push) for (const action of actions) detector.push(action);
    }
    detector.flush();
    return { cpu: cpu() - c0, wall: (performance.now() - w) / 1000, n, events: detector.events };
  };
  try {
    for (let round = 1; round <= 2; round++) {
      const read = await pass(false, false), parsed = await pass(true, false), all = await pass(true, true);
      const us = (seconds) => `${((1e6 * seconds) / read.n).toFixed(2)} µs`;
      console.log(`  pipeline round ${round} (${read.n} lines, ${all.events} events): read lines ${us(read.cpu)}, parse ${us(parsed.cpu - read.cpu)}, push (dedupe, reorder, intern, windows) ${us(all.cpu - parsed.cpu)} of CPU per line; ` +
        `all: ${all.cpu.toFixed(2)} s CPU, ${all.wall.toFixed(2)} s wall = ${k(all.events / all.cpu)} events/s CPU, ${k(all.events / all.wall)} wall`);
    }
  } finally {
    rmSync(file, { force: true });
  }
}

// 2. Alert latency in a paced replay.
if (sections.has('latency')) {
  const live = jetstreamStream({ durationMs: HOUR / 4, organicAccounts: 5_000, organicPerSecond: 30, rings: Array.from({ length: 10 }, (_, i) => 6 + i), ringEveryMs: 90_000, seed: 11 });
  async function* from(list) { yield* list; }
  const latencies = [], lags = [], detectTimes = [];
  const summary = await runStream(from(live.lines), 'bench', { speed: 10, everyMs: 1_000, detector: { horizonMs: HOUR } }, {
    alert: (alert) => {
      if (alert.latencyMs !== null) latencies.push(alert.latencyMs);
      if (alert.lagMs !== null) lags.push(alert.lagMs);
    },
    reject: () => undefined,
  });
  // Detection cost alone, on the state at the end of the replay.
  const probe = new StreamDetector({ horizonMs: HOUR });
  for (const line of live.lines) for (const action of parseJetstreamLine(line, '').actions) probe.push(action);
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    probe.detect({ accounts: 'linked' });
    detectTimes.push(performance.now() - start);
  }
  console.log(`alert latency (10x replay, re-detect every 1 s): ${latencies.length} alerts, ${summary.detections} detections`);
  console.log(`  from the members' last co-action: p50 ${latencies.length ? pct(latencies, 0.5).toFixed(0) : '-'} ms, p99 ${latencies.length ? pct(latencies, 0.99).toFixed(0) : '-'} ms`);
  console.log(`  lag (bound from the completing event): p50 ${lags.length ? pct(lags, 0.5).toFixed(0) : '-'} ms, p99 ${lags.length ? pct(lags, 0.99).toFixed(0) : '-'} ms`);
  console.log(`  one re-detection of the final state (${probe.size().pairKeyRecords} records): p50 ${pct(detectTimes, 0.5).toFixed(1)} ms, p99 ${pct(detectTimes, 0.99).toFixed(1)} ms wall`);
}

// 3. Memory over a long replay.
if (sections.has('memory')) {
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
        samples.push(`${((action.time - start) / HOUR).toFixed(0)}h heap ${mb(process.memoryUsage().heapUsed)} MB, rss ${mb(process.memoryUsage().rss)} MB, ${size.pairKeyRecords} pair records, ${size.actorKeyRecords} account-key records, ${size.keys} keys, ${size.actors} accounts`);
        next += HOUR;
      }
    }
  }
  console.log(`memory over ${hours} h of stream (horizon 1 h${globalThis.gc === undefined ? '; run with --expose-gc for steadier figures' : ''}):\n  ${samples.join('\n  ')}`);
}

// 3b. Scale-out parts in one process, without NATS: the front end's partitioner (actions → binary
// batches), and a worker's side (decode batches, windows, encode partials) for all 8 partitions
// (1 worker) and for each half (each of 2 workers). CPU per event, so the parts can be added up.
if (sections.has('worker')) {
  const { encodePartial, PartitionWork } = await import('../src/stream/distributed.ts');
  const { Partitioner } = await import('../src/stream/partitioner.ts');
  const workerLines = feed().lines;
  const { ByteFront } = await import('../src/stream/byte-front.ts');
  const feedBytes = Buffer.from(`${workerLines.join('\n')}\n`);
  const CHUNK = 256 * 1024;
  let actions = workerLines.flatMap((line) => parseJetstreamLine(line, '').actions);
  const partitions = 8;
  const us = (seconds, n) => `${((1e6 * seconds) / n).toFixed(2)} µs`;
  let batches = [];
  for (let round = 1; round <= 3; round++) {
    globalThis.gc?.();
    const c = cpu();
    const partitioner = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
    const out = [];
    for (const action of actions) partitioner.push(action, out);
    partitioner.finish(out);
    const seconds = cpu() - c;
    // The whole front end on one core: parse each line, partition, encode (what stream-publish does before the NATS client).
    globalThis.gc?.();
    const c2 = cpu();
    const whole = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
    const out2 = [];
    for (let i = 0; i < workerLines.length; i++) for (const action of parseJetstreamLine(workerLines[i], () => `${i + 1}`).actions) whole.push(action, out2);
    whole.finish(out2);
    const front = cpu() - c2;
    console.log(`front end (parse + partition + encode), round ${round}: ${workerLines.length} lines → ${whole.events} events; ${front.toFixed(2)} s CPU = ${k(whole.events / front)} events/s CPU (${us(front, whole.events)}/event)`);
    // The byte front end (what stream-publish runs): the file's bytes in 256 KB chunks, lines scanned as bytes.
    globalThis.gc?.();
    const c3 = cpu();
    const viaBytes = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
    const out3 = [];
    const front3 = new ByteFront(viaBytes, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
    for (let at = 0; at < feedBytes.length; at += CHUNK) front3.push(feedBytes.subarray(at, at + CHUNK), out3);
    front3.end(out3);
    viaBytes.finish(out3);
    const bytesFront = cpu() - c3;
    const identical = out3.length === out2.length && out3.every((batch, i) => Buffer.from(batch.bytes).equals(Buffer.from(out2[i].bytes)));
    console.log(`front end over bytes (scan + partition + encode; stream-publish's), round ${round}: ${viaBytes.events} events; ${bytesFront.toFixed(2)} s CPU = ${k(viaBytes.events / bytesFront)} events/s CPU (${us(bytesFront, viaBytes.events)}/event); ${front3.slowLines} lines read the JSON.parse way; batches ${identical ? 'identical to' : 'DIFFERENT from'} the line path's`);
    batches = out;
    const bytes = out.reduce((sum, batch) => sum + batch.bytes.length, 0);
    console.log(`front end (partition + encode), round ${round}: ${actions.length} actions → ${partitioner.events} events, ${out.length} messages, ${(bytes / partitioner.events).toFixed(1)} bytes/event; ${seconds.toFixed(2)} s CPU = ${k(partitioner.events / seconds)} events/s CPU (${us(seconds, partitioner.events)}/event)`);
  }
  // A worker holds only its batches and state: drop the input first, or every collection would
  // also walk the 220k parsed actions.
  actions = null;
  globalThis.gc?.();
  const events = batches.reduce((sum, batch) => sum + (batch.end ? 0 : new DataView(batch.bytes.buffer, batch.bytes.byteOffset).getUint32(12, true)), 0);
  const work = (mine) => {
    globalThis.gc?.();
    const c = cpu();
    const works = new Map(mine.map((partition) => [partition, new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 })]));
    let n = 0, bytes = 0;
    for (const batch of batches) if (works.has(batch.partition)) works.get(batch.partition).add(batch.bytes);
    for (const partitionWork of works.values()) {
      n += partitionWork.size;
      bytes += encodePartial(partitionWork.finish()).length;
    }
    return { seconds: cpu() - c, n, bytes };
  };
  for (let round = 1; round <= 3; round++) {
    const all = work(Array.from({ length: partitions }, (_, p) => p));
    const halves = [0, 1].map((index) => work(Array.from({ length: partitions }, (_, p) => p).filter((p) => p % 2 === index)));
    console.log(`worker side, round ${round}: 1 worker (8 partitions): ${all.n} events, ${all.seconds.toFixed(2)} s CPU = ${k(all.n / all.seconds)} events/s CPU (${us(all.seconds, all.n)}/event), partials ${mb(all.bytes)} MB; ` +
      `2 workers (4 partitions each): ${halves.map((h) => `${h.n} events ${h.seconds.toFixed(2)} s CPU`).join(', ')} = ${k(events / Math.max(...halves.map((h) => h.seconds)))} events/s on 2 cores (the slower worker sets it), ${us(halves[0].seconds + halves[1].seconds, events)}/event of CPU in all`);
  }
}

// 4. Distributed: 1 and 2 workers, parse included.
if (sections.has('nats')) {
  const { startNatsCluster } = await import('../src/stream/test-support/nats-cluster.ts');
  const { collectPartials, ensureJobStorage, publishBatches, removeJobConsumers } = await import('../src/stream/nats/jobs.ts');
  const { assemblePartials, jobResultSummary } = await import('../src/stream/distributed.ts');
  const { Partitioner } = await import('../src/stream/partitioner.ts');
  const { readFileSync, readdirSync } = await import('node:fs');
  // CPU seconds (utime + stime, clock ticks of 1/100 s) of a /proc stat file: a process's or a thread's; 0 once it has ended.
  const statCpu = (path) => { try { const stat = readFileSync(path, 'utf8'), f = stat.slice(stat.lastIndexOf(') ') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; } catch { return 0; } };
  // CPU seconds of the NATS nodes so far.
  const natsCpu = () => cluster.pids.reduce((sum, pid) => sum + statCpu(`/proc/${pid}/stat`), 0);
  const { connect } = await import('nats');
  // The feed's lines as strings only while the share files are written and for FRONT=lines: held
  // beside the byte front end, 878k of them (NATS_HOURS=4) cost it 3-5 µs/event of GC (a process
  // holding them against one not: 10.5-11.7 against 6.1-7.3 µs/event), which stream-publish never pays.
  let lines = feed(Number(process.env.NATS_HOURS ?? 1)).lines;
  const lineCount = lines.length;
  const { ByteFront } = await import('../src/stream/byte-front.ts');
  // Joined 100k lines at a time: one string of a longer feed (NATS_HOURS=16) passes V8's 512M-character limit.
  const feedBytes = Buffer.concat(Array.from({ length: Math.ceil(lineCount / 100_000) }, (_, i) => Buffer.from(`${lines.slice(i * 100_000, (i + 1) * 100_000).join('\n')}\n`)));
  // FRONT=lines: the front end before (each line a string, JSON.parse, an Action, Partitioner.push).
  const FRONT = process.env.FRONT ?? 'bytes';
  const TIMELINE = process.env.TIMELINE === '1';
  const COORDINATOR = process.env.COORDINATOR ?? 'process';
  if (COORDINATOR !== 'process' && COORDINATOR !== 'inline') throw new Error(`COORDINATOR=${COORDINATOR}: process or inline`);
  // How a CLI process is started: the built CLI (BUILT=1, built now), or src/ through tsx.
  const BUILT = process.env.BUILT === '1' || process.env.BUILT === 'prebuilt';
  if (process.env.BUILT === '1') {
    const build = spawn('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    const code = await new Promise((resolve) => build.on('exit', resolve));
    if (code !== 0) throw new Error(`BUILT=1: npx tsc -p tsconfig.build.json failed (exit code ${code})`);
  }
  const cli = BUILT ? ['bin/lockstep.js'] : ['--import', 'tsx', 'src/cli/entry.ts'];
  // The machine's CPU counters (/proc/stat's first line, clock ticks): busy and idle.
  const cpuTicks = () => {
    const t = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: t[0] + t[1] + t[2] + t[5] + t[6] + t[7], idle: t[3] + t[4] };
  };
  const idleCoreSeconds = (from, to) => (to.idle - from.idle) / 100;
  // A process's children (a worker runs under /usr/bin/time).
  const childPids = (pid) => { try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { return []; } };
  // This process's CPU seconds on its main thread (the coordinator's read + unpack, the client) and on its others (V8's
  // GC helpers and compilers, libuv's pool, tsx's loader); Node names them all 'node', so told apart by thread id.
  const threadsCpu = () => {
    const out = { main: 0, others: 0 };
    for (const tid of readdirSync('/proc/self/task')) out[Number(tid) === process.pid ? 'main' : 'others'] += statCpu(`/proc/self/task/${tid}/stat`);
    return out;
  };
  const threadsIn = (from, to) => `main ${(to.main - from.main).toFixed(2)} s, others ${(to.others - from.others).toFixed(2)}`;
  const workersCpu = (children) => children.map((child) => childPids(child.pid).reduce((sum, pid) => sum + statCpu(`/proc/${pid}/stat`), 0));
  // Each partition's steps (stream-worker --timeline) in seconds after the last batch was published, one line per
  // partition in the order they began to finish; then the steps' sums over partitions.
  const tailTimeline = (errs, publishedAt, collectedAt, idle, tail) => {
    const steps = new Map();
    errs.forEach((err, worker) => {
      for (const [, at, partition, stage, cpuAt] of err.matchAll(/timeline (\d+) partition (\d+) (\w+)(?: cpu ([\d.]+))?/g)) {
        if (!steps.has(Number(partition))) steps.set(Number(partition), { worker, cpu: {} });
        steps.get(Number(partition))[stage] = (Number(at) - publishedAt) / 1000;
        if (cpuAt !== undefined) steps.get(Number(partition)).cpu[stage] = Number(cpuAt);
      }
    });
    for (const [partition, at] of collectedAt) if (steps.has(partition)) steps.get(partition).collected = (at - publishedAt) / 1000;
    const s = (x) => (x === undefined ? '?' : x.toFixed(2));
    const rows = [...steps.entries()].sort(([, x], [, y]) => (x.finish ?? 0) - (y.finish ?? 0));
    const sum = (from, to) => rows.reduce((total, [, x]) => total + (x[to] !== undefined && x[from] !== undefined ? x[to] - x[from] : 0), 0);
    // The worker process's CPU over the step (all its threads; another partition's work at the same time counts too).
    const cpuSum = (from, to) => rows.reduce((total, [, x]) => total + (x.cpu[to] !== undefined && x.cpu[from] !== undefined ? x.cpu[to] - x.cpu[from] : 0), 0);
    return `  tail timeline (s after the last batch was published; ${tail.toFixed(1)} s to all partials, ${idle === null ? '?' : idle.toFixed(2)} idle core-s in it):\n` +
      rows.map(([partition, x]) => `    worker ${x.worker} p${partition}: complete ${s(x.complete)}, finish ${s(x.finish)}, kernel ${s(x.kernel)}${x.cpu.kernel !== undefined && x.cpu.finish !== undefined ? ` (CPU ${(x.cpu.kernel - x.cpu.finish).toFixed(2)})` : ''}, packed ${s(x.packed)}, stored ${s(x.stored)}, collected ${s(x.collected)}`).join('\n') +
      `\n    summed over partitions: waiting for a turn (complete → finish) ${sum('complete', 'finish').toFixed(2)} s, kernel (finish → kernel) ${sum('finish', 'kernel').toFixed(2)} (the worker's CPU ${cpuSum('finish', 'kernel').toFixed(2)}), encode + gzip (kernel → packed) ${sum('kernel', 'packed').toFixed(2)} (CPU ${cpuSum('kernel', 'packed').toFixed(2)}), ` +
      `with a pool, queued + finishing on its threads (finish → packed, no kernel step) ${rows.reduce((t, [, x]) => t + (x.kernel === undefined && x.packed !== undefined ? x.packed - x.finish : 0), 0).toFixed(2)}, store (packed → stored) ${sum('packed', 'stored').toFixed(2)}, coordinator's read + unpack (stored → collected) ${sum('stored', 'collected').toFixed(2)}`;
  };
  const cluster = await startNatsCluster(3);
  try {
    const nc = await connect({ servers: cluster.urls });
    await ensureJobStorage(nc, 3);
    const jsm = await nc.jetstreamManager();
    const PUBLISHERS = Number(process.env.PUBLISHERS ?? 1);
    const THREADS = process.env.THREADS === undefined ? 0 : Number(process.env.THREADS);
    if (THREADS > 0 && PUBLISHERS > 1) throw new Error('THREADS and PUBLISHERS: one or the other');
    const { writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const shareFiles = PUBLISHERS > 1 ? Array.from({ length: PUBLISHERS }, (_, i) => `${tmpdir()}/lockstep-bench-share-${process.pid}-${i}.jsonl`) : [];
    shareFiles.forEach((file, i) => writeFileSync(file, `${lines.filter((_, n) => n % PUBLISHERS === i).join('\n')}\n`));
    if (FRONT !== 'lines') {
      lines = null;
      globalThis.gc?.();
    }
    if (THREADS > 0) {
      shareFiles.push(`${tmpdir()}/lockstep-bench-feed-${process.pid}.jsonl`);
      writeFileSync(shareFiles[0], feedBytes);
    }
    const timedChild = (args) => new Promise((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk) => { err += chunk; });
      child.on('exit', (code) => resolve({ code, err, time: /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err) }));
    });
    // `stream-coordinate --timeline` as a child: `step(name)` resolves with its line's time (ms since the epoch) and CPU
    // seconds when it prints it, `output` with its JSON result, `exit` with /usr/bin/time's figures.
    const coordinatorChild = (job, partitions) => {
      const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...cli, 'stream-coordinate', '--nats', cluster.urls.join(','), '--job', job, '--partitions', String(partitions), '--timeout', '600', '--keep-partials', '--keep-events', '--timeline', ...(process.env.ASSEMBLE_THREAD === '1' ? ['--assemble-thread'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '', pending = '', out = '';
      const steps = new Map(), waiting = new Map(), collectedAt = new Map();
      child.stdout.on('data', (chunk) => { out += chunk; });
      child.stderr.on('data', (chunk) => {
        err += chunk;
        pending += chunk;
        for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
          const line = pending.slice(0, end), step = /coordinator: timeline (\d+) (.+) cpu ([\d.]+)$/.exec(line);
          pending = pending.slice(end + 1);
          if (step === null) continue;
          const at = Number(step[1]), partition = /^partition (\d+) collected$/.exec(step[2]);
          if (partition !== null) collectedAt.set(Number(partition[1]), at);
          steps.set(step[2], { at, cpu: Number(step[3]) });
          for (const resolve of waiting.get(step[2]) ?? []) resolve(steps.get(step[2]));
        }
      });
      const exit = new Promise((resolve) => child.on('exit', (code) => resolve({ code, time: /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err) })));
      const failed = exit.then(({ code }) => { throw new Error(`stream-coordinate exited (code ${code}) before its result: ${err.slice(-500)}`); });
      failed.catch(() => undefined);
      const step = (name) => (steps.has(name) ? Promise.resolve(steps.get(name)) : Promise.race([new Promise((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve])), failed]));
      return { child, step, collectedAt, exit, output: step('result').then(() => exit).then(() => JSON.parse(out)) };
    };
    if (PUBLISHERS > 1 || THREADS > 0) {
      const idle = await timedChild(['--help']);
      console.log(`  ${BUILT ? 'built CLI' : 'tsx'} start-up of a CLI process alone: ${idle.time ? (Number(idle.time[2]) + Number(idle.time[3])).toFixed(2) : '?'} s CPU, ${idle.time?.[1] ?? '?'} s wall`);
    }
    for (const workers of (process.env.WORKERS ?? '1,2').split(',').map(Number)) {
      const job = `bench${workers}x${Date.now() % 100_000}`;
      const partitions = 8;
      // Workers first (each reports its own wall and CPU seconds through /usr/bin/time), so start-up is not timed.
      // The servers' CPU while the workers start and make their consumers is printed apart: a cost per job.
      const setup0 = natsCpu();
      const reports = [];
      const children = Array.from({ length: workers }, (_, index) => {
        const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...cli, 'stream-worker', '--nats', cluster.urls.join(','), '--job', job, '--partitions', String(partitions), '--index', String(index), '--of', String(workers), '--publishers', String(PUBLISHERS), '--partials-compression', process.env.PARTIALS_COMPRESSION ?? 'gzip', '--finish-threads', process.env.FINISH_THREADS ?? '0', ...(TIMELINE ? ['--timeline'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (chunk) => { err += chunk; });
        reports.push(new Promise((resolve) => child.on('exit', () => resolve({ err, time: /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err), after: /([\d.]+) s CPU after start-up/.exec(err), warmUp: /warm-up ([\d.]+) s CPU/.exec(err), threadsWarmUp: /warmed up: ([\d.]+) s CPU/.exec(err) }))));
        return child;
      });
      // The coordinator, started with the workers (its start-up is not timed either); it keeps the job's partials and
      // events (this process reads the partials again to check its result, and removes the job's consumers).
      const coordinator = COORDINATOR === 'process' ? coordinatorChild(job, partitions) : null;
      // Ready once every partition has its durable consumer.
      for (let ready = 0; ready < partitions;) {
        ready = 0;
        for (let p = 0; p < partitions; p++) ready += await jsm.consumers.info('LOCKSTEP_EVENTS', `${job}-p${p}`).then(() => 1, () => 0);
        if (ready < partitions) await sleep(200);
      }
      // The front end as `lockstep stream-publish` runs it: each line parsed, partitioned, and the
      // batches published as they fill (nothing held), so its CPU is one figure.
      const wall = performance.now(), wallEpoch = Date.now(), n0 = natsCpu(), c = cpu(), setupServerCpu = n0 - setup0;
      let messages = 0, events = 0, frontCpu = 0, publisherReport = '';
      const per = (seconds) => `${((1e6 * seconds) / events).toFixed(1)} µs/event`;
      if (PUBLISHERS > 1 || THREADS > 0) {
        const info0 = await jsm.streams.info('LOCKSTEP_EVENTS');
        const share = (i) => (THREADS > 0 ? ['--threads', String(THREADS)] : ['--publisher', String(i)]);
        const runs = await Promise.all(shareFiles.map((file, i) => timedChild(['stream-publish', file, '--nats', cluster.urls.join(','), '--job', job, '--partitions', String(partitions), '--batch', String(BATCH), ...share(i)])));
        for (const run of runs) if (run.code !== 0) throw new Error(`stream-publish failed: ${run.err}`);
        const cpus = runs.map((run) => Number(run.time[2]) + Number(run.time[3]));
        frontCpu = cpus.reduce((x, y) => x + y, 0);
        events = runs.reduce((sum, run) => sum + Number(/ (\d+) events in/.exec(run.err)?.[1] ?? NaN), 0);
        messages = (await jsm.streams.info('LOCKSTEP_EVENTS')).state.messages - info0.state.messages;
        const published = runs.map((run) => Number(/([\d.]+) s CPU after start-up/.exec(run.err)?.[1] ?? NaN));
        publisherReport = ` (${THREADS > 0 ? `stream-publish --threads ${THREADS}` : `${PUBLISHERS} publisher processes`}: ${published.map((x) => x.toFixed(2)).join(' + ')} s CPU after start-up (${per(published.reduce((x, y) => x + y, 0))}), ${cpus.map((x) => x.toFixed(2)).join(' + ')} s with start-up, ${runs.map((run) => run.time[1]).join(' / ')} s wall, peak ${runs.map((run) => (Number(run.time[4]) / 1024).toFixed(0)).join(' + ')} MB)`;
      } else if (FRONT === 'bytes') {
        // stream-publish's front end: the file's bytes in 256 KB chunks (read from memory here).
        const partitioner = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
        const front = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
        const batches = [];
        for (let at = 0; at < feedBytes.length; at += 256 * 1024) {
          front.push(feedBytes.subarray(at, at + 256 * 1024), batches);
          if (batches.length >= 64) {
            messages += batches.length;
            await publishBatches(nc.jetstream(), job, batches.splice(0));
          }
        }
        front.end(batches);
        partitioner.finish(batches);
        messages += batches.length;
        await publishBatches(nc.jetstream(), job, batches.splice(0));
        frontCpu = cpu() - c;
        events = partitioner.events;
      } else {
        const partitioner = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
        const batches = [];
        for (let i = 0; i < lines.length; i++) {
          for (const action of parseJetstreamLine(lines[i], () => `${i + 1}`).actions) partitioner.push(action, batches);
          if (batches.length >= 64) {
            messages += batches.length;
            await publishBatches(nc.jetstream(), job, batches.splice(0));
          }
        }
        partitioner.finish(batches);
        messages += batches.length;
        await publishBatches(nc.jetstream(), job, batches.splice(0));
        frontCpu = cpu() - c;
        events = partitioner.events;
      }
      const published = (performance.now() - wall) / 1000, publishServerCpu = natsCpu() - n0;
      const publishedAt = Date.now(), collectedAt = new Map(), stat0 = TIMELINE ? cpuTicks() : null;
      const tailCpu0 = TIMELINE ? { here: cpu(), threads: threadsCpu(), workers: workersCpu(children), servers: natsCpu(), coordinator: coordinator === null ? 0 : workersCpu([coordinator.child])[0] } : null;
      // This process's GC pauses in the tail (all, and mark-compacts): beside the collection's own garbage they hold the
      // front end's heap here, which a coordinator process (stream-coordinate) does not have.
      const tailGc = { ms: 0, majorMs: 0 };
      const gcObserver = TIMELINE ? new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          tailGc.ms += entry.duration;
          if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) tailGc.majorMs += entry.duration;
        }
      }) : null;
      gcObserver?.observe({ entryTypes: ['gc'] });
      let partials, done, serverCpu, tailIdle, tailCpu1, result, assembleCpu, checked = '';
      if (coordinator === null) {
        partials = await collectPartials(nc, job, partitions, 600_000, (partition) => collectedAt.set(partition, Date.now()));
        done = (performance.now() - wall) / 1000;
        serverCpu = natsCpu() - n0;
        tailIdle = stat0 === null ? null : idleCoreSeconds(stat0, cpuTicks());
        // Who used the cores in the tail: this process (the coordinator's read + unpack, the client), each worker, the servers.
        tailCpu1 = tailCpu0 === null ? null : { here: cpu(), threads: threadsCpu(), servers: natsCpu() };
        await sleep(0);
        gcObserver?.disconnect();
        // The result a user waits for: the merge, null model and clustering on the partials, as stream-coordinate runs it.
        const assembleCpu0 = cpu();
        assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
        result = (performance.now() - wall) / 1000;
        assembleCpu = cpu() - assembleCpu0;
      } else {
        // The figures from the coordinator's timeline (ms since the epoch, its CPU so far), taken as its lines come.
        const collected = await coordinator.step('collected');
        done = (collected.at - wallEpoch) / 1000;
        serverCpu = natsCpu() - n0;
        tailIdle = stat0 === null ? null : idleCoreSeconds(stat0, cpuTicks());
        tailCpu1 = tailCpu0 === null ? null : { here: cpu(), threads: threadsCpu(), servers: natsCpu(), coordinator: collected.cpu };
        const out = await coordinator.step('result');
        result = (out.at - wallEpoch) / 1000;
        assembleCpu = out.cpu - collected.cpu;
        gcObserver?.disconnect();
        for (const [partition, at] of coordinator.collectedAt) collectedAt.set(partition, at);
        // Its result against assemblePartials here, on the partials it kept (untimed).
        const printed = await coordinator.output;
        partials = await collectPartials(nc, job, partitions, 60_000);
        const expected = jobResultSummary(job, assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES }));
        if (JSON.stringify(printed) !== JSON.stringify(expected)) throw new Error(`stream-coordinate's result differs from assemblePartials here: ${JSON.stringify(printed).slice(0, 300)}`);
        checked = `; stream-coordinate's result (${printed.accounts} accounts, ${printed.edges} edges, ${printed.clusters.length} clusters) = assemblePartials here`;
      }
      // The feed's shape as the partials see it: accounts, partition-local account labels (sent once a partition), rows.
      const accountsSeen = new Set(partials.flatMap((partial) => partial.actors)).size;
      const labels = partials.map((partial) => partial.actors.length), rows = partials.map((partial) => partial.traces.reduce((sum, entry) => sum + entry.pairs.size, 0));
      const sum = (list) => list.reduce((x, y) => x + y, 0);
      console.log(`  feed (${FEED}): ${accountsSeen} accounts with events, ${sum(labels)} partition-local labels (${(sum(labels) / accountsSeen).toFixed(2)} partitions an account; ${labels.join(' / ')}), ${sum(rows)} pair rows in the partials (${rows.join(' / ')})`);
      const times = await Promise.race([Promise.all(reports), sleep(30_000).then(() => reports.map(() => null))]);
      for (const child of children) child.kill();
      const coordinatorTime = coordinator === null ? null : await Promise.race([coordinator.exit, sleep(30_000).then(() => null)]);
      coordinator?.child.kill();
      // As stream-coordinate does: the next job does not run beside this one's consumers.
      const removal0 = natsCpu();
      await removeJobConsumers(nc, job, partitions);
      const removalServerCpu = natsCpu() - removal0;
      const workerCpu = times.map((m) => (m?.time ? Number(m.time[2]) + Number(m.time[3]) : NaN));
      const workerWork = times.map((m) => (m?.after ? Number(m.after[1]) : NaN));
      const workerRss = times.map((m) => (m?.time ? Number(m.time[4]) / 1024 : NaN));
      const natsRss = cluster.pids.map((pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024);
      console.log(`NATS, ${THREADS > 0 ? `stream-publish --threads ${THREADS}` : PUBLISHERS > 1 ? `${PUBLISHERS} publishers` : `1 (${FRONT} front end) publisher`}, ${workers} worker(s), ${partitions} partitions, ${BATCH} events a message: ${lineCount} lines → ${events} events in ${messages} messages; wall: parse + partition + publish ${published.toFixed(1)} s, all partials at ${done.toFixed(1)} s = ${k(events / done)} events/s end to end; result at ${result.toFixed(1)} s (assemblePartials ${assembleCpu.toFixed(2)} s CPU${coordinator === null ? ', in this process' : ' in stream-coordinate'}) = ${k(events / result)} events/s${checked}`);
      console.log(`  CPU: front end (parse, partition, publish client) ${frontCpu.toFixed(2)} s (${per(frontCpu)})${publisherReport}, NATS servers ${serverCpu.toFixed(2)} s in all (${per(serverCpu)}; ${publishServerCpu.toFixed(2)} s (${per(publishServerCpu)}) by the end of publishing), ` +
        `workers ${workerWork.map((s) => s.toFixed(2)).join(' + ')} s after start-up (${per(workerWork.reduce((x, y) => x + y, 0))}; ${workerCpu.map((s) => s.toFixed(1)).join(' + ')} s with ${BUILT ? 'the built CLI\'s' : 'tsx'} start-up, of which warm-up ${times.map((m) => m?.warmUp?.[1] ?? '-').join(' + ')} s${times.some((m) => m?.threadsWarmUp) ? ` and finishing threads' start + warm-up ${times.map((m) => m?.threadsWarmUp?.[1] ?? '-').join(' + ')} s` : ''}); ` +
        `NATS servers ${(serverCpu / messages * 1000).toFixed(2)} ms CPU per message; ` +
        `per job, outside the figures above: the servers ${setupServerCpu.toFixed(2)} s CPU while the workers started and made their ${partitions} consumers, ${removalServerCpu.toFixed(2)} s removing them`);
      // A worker's CPU in the tail: all of it (/usr/bin/time's, the process having ended) less what it had used at the last batch.
      const tailCpu = tailCpu1 === null ? '' : coordinator === null
        ? `\n  CPU in the tail: coordinator (this process: read + unpack, the NATS client) ${(tailCpu1.here - tailCpu0.here).toFixed(2)} s, workers ${workerCpu.map((s, i) => (s - tailCpu0.workers[i]).toFixed(2)).join(' + ')}, NATS servers ${(tailCpu1.servers - tailCpu0.servers).toFixed(2)}; this process's GC pauses ${(tailGc.ms / 1000).toFixed(2)} s (mark-compact ${(tailGc.majorMs / 1000).toFixed(2)}), its CPU on threads: ${threadsIn(tailCpu0.threads, tailCpu1.threads)}`
        : `\n  CPU in the tail: coordinator (stream-coordinate: read + unpack, the NATS client) ${(tailCpu1.coordinator - tailCpu0.coordinator).toFixed(2)} s (${tailCpu0.coordinator.toFixed(2)} s before it: start-up and waiting; ${coordinatorTime?.time ? `${(Number(coordinatorTime.time[2]) + Number(coordinatorTime.time[3])).toFixed(2)} s in all, peak ${(Number(coordinatorTime.time[4]) / 1024).toFixed(0)} MB` : '?'}), workers ${workerCpu.map((s, i) => (s - tailCpu0.workers[i]).toFixed(2)).join(' + ')}, NATS servers ${(tailCpu1.servers - tailCpu0.servers).toFixed(2)}; this process (the bench, idle) ${(tailCpu1.here - tailCpu0.here).toFixed(2)} s, GC pauses ${(tailGc.ms / 1000).toFixed(2)} s`;
      if (TIMELINE) console.log(tailTimeline(times.map((m) => m?.err ?? ''), publishedAt, collectedAt, tailIdle, done - published) + tailCpu);
      console.log(`  peak memory: front end (this process) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB RSS, workers ${workerRss.map((m) => m.toFixed(0)).join(' + ')} MB, NATS nodes ${natsRss.map((m) => m.toFixed(0)).join(' + ')} MB (highest so far)`);
      if (workers === 2) {
        // What storing the partials costs on its own (the workers' partial store, R3): the same bytes again under another job.
        const { encodePartial } = await import('../src/stream/distributed.ts');
        const { packPartial } = await import('../src/stream/nats/jobs.ts');
        const { putPartial } = await import('../src/stream/nats/partial-store.ts');
        const raw = partials.map((partial) => encodePartial(partial));
        const rawBytes = raw.reduce((sum, blob) => sum + blob.length, 0);
        const c1 = cpu();
        const blobs = partials.map((partial) => packPartial(partial));
        const packCpu = cpu() - c1;
        const put = async (list, suffix) => {
          const s0 = natsCpu(), c0 = cpu(), w0 = performance.now();
          for (const [i, blob] of list.entries()) await putPartial(nc, `${job}-${suffix}`, i, blob);
          return `${((performance.now() - w0) / 1000).toFixed(1)} s wall, client ${(cpu() - c0).toFixed(2)} s CPU, NATS servers ${(natsCpu() - s0).toFixed(2)} s CPU`;
        };
        const bytes = blobs.reduce((sum, blob) => sum + blob.length, 0);
        console.log(`  storing the partials again: raw ${mb(rawBytes)} MB (${(rawBytes / events).toFixed(0)} bytes/event): ${await put(raw, 'raw')}; ` +
          `gzipped as workers store them ${mb(bytes)} MB (${(bytes / events).toFixed(0)} bytes/event, encode + gzip ${packCpu.toFixed(2)} s CPU): ${await put(blobs, 'gz')}`);
      }
    }
    await nc.close();
    for (const file of shareFiles) rmSync(file, { force: true });
  } finally {
    await cluster.stop();
  }
}
