// `node --import tsx --expose-gc bench/stream-worker.mjs [rounds] [parts]`: a scale-out worker's
// CPU per event, split by part, on the partitioned batches of the stream bench's synthetic feed
// (bench/stream.mjs `worker` uses the same feed and 8 partitions). Parts:
//   decode     decodeBatch over every batch (wire format → columns)
//   windows    TraceWindow.addKey over every event in the order a worker applies them (keys pre-interned)
//   finish     pairPartials + activity of each trace window, encodePartial
//   worker     the whole PartitionWork (add every batch, finish, encode): 1 worker (8 partitions), and
//              each of 2 workers (4 partitions each)
//   job        the NATS job without its front end: a 3-node R3 cluster, the batches published as they are
//              (no parse), WORKERS=1,2 worker processes (this file with --child, as `stream-worker` runs
//              them), the coordinator's fetch + unpack and assemblePartials in this process; CPU per
//              event of each worker part (add, finish, encode, compress, store, the rest: receiving and
//              GC), of the NATS servers and of the coordinator; ACK_WAIT=seconds sets the workers' ack wait
//              (default 5, as `stream-worker`'s: held messages are kept in progress, so a short one costs
//              a live worker nothing, and a message lost in a fetch comes back after it, not after 30 s
//              as before session 8); messages counts redeliveries too; PACE=seconds
//              publishes the batches over that long, as a live feed would (default: at once); workers warm up first
//              as `stream-worker` does (warm-up.ts; WARM_UP=0: not), its CPU printed apart; COMPRESS=none stores
//              partials uncompressed (stream-worker --partials-compression none)
// Run alone under the bench lock; CPU seconds are the measure (process.cpuUsage).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJetstreamLine } from '../src/stream/jetstream-line.ts';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';
import { Partitioner } from '../src/stream/partitioner.ts';
import { PartitionWork, encodePartial } from '../src/stream/distributed.ts';
import { decodeBatch } from '../src/stream/wire-batch.ts';
import { TraceWindow } from '../src/stream/trace-window.ts';

// A worker process of the `job` part: --child URLS JOB PARTITIONS INDEX OF; prints its timing as JSON.
if (process.argv[2] === '--child') {
  const [urls, job, partitionsText, indexText, ofText] = process.argv.slice(3);
  const { connect } = await import('nats');
  const { newWorkerTiming, workPartition } = await import('../src/stream/nats/jobs.ts');
  // As `stream-worker` does before its consumers exist (WARM_UP=0: not), timed apart.
  const warmStart = process.cpuUsage();
  if (process.env.WARM_UP !== '0') (await import('../src/stream/nats/warm-up.ts')).warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
  const warmUp = process.cpuUsage(warmStart);
  const started = process.cpuUsage();
  const timing = newWorkerTiming();
  const nc = await connect({ servers: urls.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  let events = 0;
  const mine = Array.from({ length: Number(partitionsText) }, (_, p) => p).filter((p) => p % Number(ofText) === Number(indexText));
  await Promise.all(mine.map(async (partition) => {
    events += (await workPartition(nc, partition, { job, traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, ackWaitMs: Number(process.env.ACK_WAIT ?? 5) * 1000, timing, compression: process.env.COMPRESS ?? 'gzip' })).events;
  }));
  await nc.drain();
  const used = process.cpuUsage(started);
  process.stdout.write(`${JSON.stringify({ events, cpu: (used.user + used.system) / 1e6, warmUp: (warmUp.user + warmUp.system) / 1e6, timing, rss: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 3);
const parts = new Set((process.argv[3] ?? 'decode,windows,finish,worker').split(','));
const HOUR = 3_600_000;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const us = (seconds, n) => `${((1e6 * seconds) / n).toFixed(2)} µs`;
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
const partitions = 8;

const { lines } = jetstreamStream({ durationMs: HOUR, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 });
let batches = [];
{
  const partitioner = new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: Number(process.env.BATCH ?? 2000) });
  for (let i = 0; i < lines.length; i++) for (const action of parseJetstreamLine(lines[i], '').actions) partitioner.push(action, batches);
  partitioner.finish(batches);
}
lines.length = 0;
const events = batches.reduce((sum, batch) => sum + (batch.end ? 0 : new DataView(batch.bytes.buffer, batch.bytes.byteOffset).getUint32(12, true)), 0);
console.log(`${events} events in ${batches.length} messages, ${partitions} partitions`);

// The events as a worker applies them, per partition: (trace index, window key id, actor, time).
const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 };
const plan = () => {
  const out = [];
  for (let p = 0; p < partitions; p++) {
    const traceOfKey = [];
    const ev = { trace: [], key: [], actor: [], time: [] };
    for (const batch of batches) {
      if (batch.partition !== p || batch.end) continue;
      const d = decodeBatch(batch.bytes, '');
      for (const t of d.newKeyTraces) traceOfKey.push(DEFAULT_STREAM_TRACES.indexOf(t));
      for (let i = 0; i < d.count; i++) {
        if (d.key[i] < 0 || traceOfKey[d.key[i]] < 0) continue;
        ev.trace.push(traceOfKey[d.key[i]]); ev.key.push(d.key[i]); ev.actor.push(d.actor[i]); ev.time.push(d.time[i]);
      }
    }
    const order = ev.time.map((_, i) => i).sort((x, y) => ev.time[x] - ev.time[y] || x - y);
    out.push({ keys: traceOfKey.length, trace: Int32Array.from(order, (i) => ev.trace[i]), key: Int32Array.from(order, (i) => ev.key[i]), actor: Int32Array.from(order, (i) => ev.actor[i]), time: Float64Array.from(order, (i) => ev.time[i]) });
  }
  return out;
};
const planned = parts.has('windows') || parts.has('finish') ? plan() : [];

const work = (mine) => {
  globalThis.gc?.();
  const c = cpu();
  const works = new Map(mine.map((partition) => [partition, new PartitionWork(partition, options)]));
  let n = 0, finish = 0, encode = 0;
  for (const batch of batches) if (works.has(batch.partition)) works.get(batch.partition).add(batch.bytes);
  const added = cpu() - c;
  for (const partitionWork of works.values()) {
    n += partitionWork.size;
    const c1 = cpu();
    const partial = partitionWork.finish();
    const c2 = cpu();
    encodePartial(partial);
    finish += c2 - c1;
    encode += cpu() - c2;
  }
  return { seconds: cpu() - c, n, added, finish, encode };
};

for (let round = 1; round <= rounds; round++) {
  const line = [`round ${round}:`];
  if (parts.has('decode')) {
    globalThis.gc?.();
    const c = cpu();
    for (let r = 0; r < 5; r++) for (const batch of batches) decodeBatch(batch.bytes, '');
    line.push(`decode ${us((cpu() - c) / 5, events)}`);
  }
  if (parts.has('windows') || parts.has('finish')) {
    globalThis.gc?.();
    const c = cpu();
    const all = planned.map((pl) => {
      const windows = DEFAULT_STREAM_TRACES.map(() => new TraceWindow({ windowMs: 60_000, horizonMs: Infinity, maxPartnersPerEvent: 32 }));
      for (let t = 0; t < windows.length; t++) for (let k = 0; k < pl.keys; k++) windows[t].keys.intern(`${k}`, 0);
      return windows;
    });
    const c1 = cpu();
    let n = 0, co = 0;
    for (let p = 0; p < planned.length; p++) {
      const pl = planned[p], windows = all[p];
      for (let i = 0; i < pl.time.length; i++) windows[pl.trace[i]].addKey(pl.actor[i], pl.key[i], pl.time[i]);
      n += pl.time.length;
      for (const w of windows) co += w.coActions;
    }
    const c2 = cpu();
    if (parts.has('windows')) line.push(`windows ${us(c2 - c1, events)} (${n} trace events, ${(co / n).toFixed(2)} co-actions each)`);
    if (parts.has('finish')) {
      const c3 = cpu();
      for (const windows of all) {
        const partial = { partition: 0, actors: [], events: 0, duplicates: 0, traces: windows.map((w, t) => {
          const activity = [...w.activityEntries()];
          return { trace: DEFAULT_STREAM_TRACES[t], pairs: w.pairPartials(), activity: { actor: Int32Array.from(activity, ([a]) => a), keys: Int32Array.from(activity, ([, k]) => k) } };
        }) };
        encodePartial(partial);
      }
      line.push(`finish ${us(cpu() - c3, events)}`);
    }
    void c;
  }
  if (parts.has('worker')) {
    const one = work(Array.from({ length: partitions }, (_, p) => p));
    const halves = [0, 1].map((index) => work(Array.from({ length: partitions }, (_, p) => p).filter((p) => p % 2 === index)));
    line.push(`1 worker: add ${us(one.added, one.n)}, finish ${us(one.finish, one.n)}, encode ${us(one.encode, one.n)}; in all ${us(one.seconds, one.n)}/event = ${(one.n / one.seconds / 1000).toFixed(1)}k events/s CPU; 2 workers ${halves.map((h) => h.seconds.toFixed(2)).join(' + ')} s = ${(events / Math.max(...halves.map((h) => h.seconds)) / 1000).toFixed(1)}k events/s on 2 cores, ${us(halves[0].seconds + halves[1].seconds, events)}/event in all`);
  }
  console.log(line.join('; '));
}

// The NATS job without its front end (see the header).
if (parts.has('job')) {
  const { startNatsCluster } = await import('../src/stream/test-support/nats-cluster.ts');
  const { collectPartials, ensureJobStorage, publishBatches, purgePartials, removeJobConsumers } = await import('../src/stream/nats/jobs.ts');
  const { assemblePartials } = await import('../src/stream/distributed.ts');
  const { connect } = await import('nats');
  const cluster = await startNatsCluster(3);
  // CPU seconds of the NATS nodes so far (utime + stime from /proc, in clock ticks of 1/100 s).
  const natsCpu = () => cluster.pids.reduce((sum, pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return sum + (Number(f[11]) + Number(f[12])) / 100; }, 0);
  try {
    const nc = await connect({ servers: cluster.urls });
    await ensureJobStorage(nc, 3);
    const jsm = await nc.jetstreamManager();
    for (let round = 1; round <= rounds; round++) {
      for (const workers of (process.env.WORKERS ?? '1,2').split(',').map(Number)) {
        const job = `wjob${round}x${workers}x${Date.now() % 100_000}`;
        const children = Array.from({ length: workers }, (_, index) => new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'bench/stream-worker.mjs', '--child', cluster.urls.join(','), job, String(partitions), String(index), String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (chunk) => { out += chunk; });
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker ${index} exited ${code}`))));
        }));
        for (let ready = 0; ready < partitions;) {
          ready = 0;
          for (let p = 0; p < partitions; p++) ready += await jsm.consumers.info('LOCKSTEP_EVENTS', `${job}-p${p}`).then(() => 1, () => 0);
          if (ready < partitions) await sleep(200);
        }
        const n0 = natsCpu(), c0 = cpu(), w0 = performance.now();
        // PACE=seconds spreads the publishing over that long in 20 slices (a live feed: workers fetch all along).
        const pace = Number(process.env.PACE ?? 0) * 1000;
        if (pace > 0) {
          for (let slice = 0; slice < 20; slice++) {
            await publishBatches(nc.jetstream(), job, batches.slice(Math.floor((slice * batches.length) / 20), Math.floor(((slice + 1) * batches.length) / 20)));
            await sleep(pace / 20);
          }
        } else await publishBatches(nc.jetstream(), job, batches);
        const publishCpu = cpu() - c0, publishNats = natsCpu() - n0;
        const c1 = cpu();
        const partials = await collectPartials(nc, job, partitions, 600_000);
        const fetchCpu = cpu() - c1;
        const wall = (performance.now() - w0) / 1000;
        const c2 = cpu();
        const result = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
        const assembleCpu = cpu() - c2;
        const reports = await Promise.all(children);
        const serverCpu = natsCpu() - n0;
        await purgePartials(nc, job);
        await removeJobConsumers(nc, job, partitions);
        const sum = (field) => reports.reduce((total, r) => total + r.timing[field], 0);
        const totalCpu = reports.reduce((total, r) => total + r.cpu, 0);
        const known = sum('add') + sum('finish') + sum('encode') + sum('compress') + sum('storeCpu');
        console.log(`job round ${round}, ${workers} worker(s): ${events} events in ${sum('messages')} messages (${mb(sum('bytesIn'))} MB), partials stored ${mb(sum('bytesStored'))} MB; wall to all partials ${wall.toFixed(1)} s; ` +
          `workers ${reports.map((r) => r.cpu.toFixed(2)).join(' + ')} s CPU after start-up (warm-up before it ${reports.map((r) => r.warmUp.toFixed(2)).join(' + ')} s) = ${us(totalCpu, events)}/event: add ${us(sum('add'), events)}, finish ${us(sum('finish'), events)}, encode ${us(sum('encode'), events)}, compress ${us(sum('compress'), events)}, store ${us(sum('storeCpu'), events)} (with others' receiving), rest (receive, acks, GC) ${us(totalCpu - known, events)}; ` +
          `peak ${reports.map((r) => r.rss.toFixed(0)).join(' + ')} MB; NATS servers ${us(serverCpu, events)} (${us(publishNats, events)} by the end of publishing); publish client ${us(publishCpu, events)}; ` +
          `coordinator: fetch + unpack ${us(fetchCpu, events)} (with waiting), assemble ${us(assembleCpu, events)} (${assembleCpu.toFixed(2)} s, ${result.graph.size} edges, ${result.clusters.length} clusters)`);
      }
    }
    await nc.close();
  } finally {
    await cluster.stop();
  }
}
