// `node --import tsx --expose-gc bench/publish-client.mjs [--hours 4] [--rounds 3] [--modes front,publish,job,noop] [--no-async-traces] [TREE]`:
// what bench/stream.mjs nats's in-process front end spends beside its own work. Over the same feed
// (NATS_HOURS=4: 878k events, 8 partitions, 2000 events a batch, 256 KB chunks) on a 3-node
// cluster (R3 events stream, as the bench's), each round runs, in one process that holds the feed:
// front   - the byte front end into a sink (no NATS);
// publish - publishBatches alone over batches made beforehand (the client's publish path, PubAcks);
// noop    - the same loop with a publish that only resolves (lockstep's wrapper: ids, retry, the window);
// job     - the front end and publishBatches interleaved as the bench does (64 batches at a time).
// Prints each mode's CPU seconds (process.cpuUsage: user + sys), µs/event and ms/message, and the event
// loop's idle seconds (waiting on the network: PubAcks), steadier under load than wall time.
// Run NATS benches under `flock /tmp/lockstep-bench.lock`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { hours: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' }, modes: { type: 'string', default: 'front,publish,noop,job' }, 'no-async-traces': { type: 'boolean', default: false } } });
const hours = Number(values.hours), rounds = Number(values.rounds), modes = values.modes.split(',');
const tree = resolve(positionals[0] ?? resolve(import.meta.dirname, '..'));
const load = (path) => import(pathToFileURL(`${tree}/src/${path}`).href);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const cached = `${tmpdir()}/lockstep-front-end-feed-${hours}h.jsonl`;
if (!existsSync(cached)) {
  const { jetstreamStream } = await load('stream/test-support/jetstream-stream.ts');
  const lines = jetstreamStream({ durationMs: hours * 3_600_000, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 }).lines;
  writeFileSync(cached, `${lines.join('\n')}\n`);
}
const feed = readFileSync(cached);
const { ByteFront } = await load('stream/byte-front.ts');
const { Partitioner } = await load('stream/partitioner.ts');
const { DEFAULT_STREAM_TRACES } = await load('stream/extract.ts');
const { startNatsCluster } = await load('stream/test-support/nats-cluster.ts');
const { ensureJobStorage, publishBatches, purgeJobEvents } = await load('stream/nats/jobs.ts');
const { connect } = await import('nats');
const CHUNK = 256 * 1024, PARTITIONS = 8, BATCH = 2_000;

/** The front end over the feed; `sink` takes each 64 or more batches (and the last ones). */
async function frontEnd(sink) {
  const partitioner = new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: BATCH });
  const front = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
  const batches = [];
  for (let at = 0; at < feed.length; at += CHUNK) {
    front.push(feed.subarray(at, at + CHUNK), batches);
    if (batches.length >= 64) await sink(batches.splice(0));
  }
  front.end(batches);
  partitioner.finish(batches);
  await sink(batches.splice(0));
  return partitioner.events;
}

const cluster = await startNatsCluster(3);
try {
  // --no-async-traces: nats.js makes no Error (a stack trace) per request for its timeout and reply (noAsyncTraces).
  const nc = await connect({ servers: cluster.urls, noAsyncTraces: values['no-async-traces'] });
  await ensureJobStorage(nc, 3);
  const noopJs = { publish: () => Promise.resolve({ seq: 0, duplicate: false, stream: '' }) };
  for (let round = 0; round <= rounds; round++) {
    const line = [];
    for (const mode of modes) {
      const job = `pc${round}${mode}${Date.now() % 100_000}`;
      let made = [];
      if (mode === 'publish' || mode === 'noop') await frontEnd(async (batches) => void made.push(batches));
      globalThis.gc?.();
      let messages = 0, events = 0, waited = 0, lastWait = 0, publishCpu = 0;
      const c = cpu(), w = performance.now(), loop0 = performance.eventLoopUtilization();
      if (mode === 'front') events = await frontEnd(async (batches) => void (messages += batches.length));
      else if (mode === 'job') {
        events = await frontEnd(async (batches) => {
          messages += batches.length;
          const w0 = performance.now(), c0 = cpu();
          await publishBatches(nc.jetstream(), job, batches);
          lastWait = performance.now() - w0;
          publishCpu += cpu() - c0;
          waited += lastWait;
        });
      }
      else {
        const js = mode === 'noop' ? noopJs : nc.jetstream();
        for (const batches of made) {
          messages += batches.length;
          await publishBatches(js, job, batches);
        }
        events = 878_292;
      }
      const seconds = cpu() - c, wall = (performance.now() - w) / 1000, loopIdle = performance.eventLoopUtilization(loop0).idle / 1000;
      made = null;
      line.push(`${mode} ${seconds.toFixed(2)} s CPU ${wall.toFixed(2)} s wall (${((1e6 * seconds) / events).toFixed(2)} µs/event, ${((1e3 * seconds) / messages).toFixed(2)} ms/message, event loop idle ${loopIdle.toFixed(2)} s${mode === 'job' ? `, ${(waited / 1000).toFixed(2)} s wall in publishBatches (${publishCpu.toFixed(2)} s CPU), ${(lastWait / 1000).toFixed(2)} of it in the last call` : ''})`);
      if (mode === 'publish' || mode === 'job') await purgeJobEvents(nc, job);
    }
    console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join('; ')}`);
  }
  await nc.close();
} finally {
  await cluster.stop();
}
