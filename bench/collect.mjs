// `node --import tsx --expose-gc bench/collect.mjs [--hours 4] [--rounds 6] [--no-async-traces] [--assemble]`:
// the coordinator's side of a bounded job's tail, alone. The 8 partials of bench/stream.mjs nats's
// feed (as its byte front end partitions them; batches cached by bench/stream-finish.mjs) are
// made and stored once (gzip, as workers store them) on a 3-node R3 cluster, then read back by
// collectPartials under a new name each round (a copy of the stored job: every partition is there
// at once, so this is read + unpack with no waiting). Each round prints the wall and this
// process's CPU-s, split into the reads (getPartial: direct gets, the NATS client) and the unpack
// (gunzip + decode), and with --assemble assemblePartials as stream-coordinate runs it; the servers'
// CPU beside. --no-async-traces: the connection with nats.js's noAsyncTraces. Starts a NATS
// cluster for timing: run under `flock /tmp/lockstep-bench.lock`. For a profile add --cpu-prof.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { deserialize } from 'node:v8';
import { connect } from 'nats';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { PartitionWork, assemblePartials } from '../src/stream/distributed.ts';
import { collectPartials } from '../src/stream/nats/collect-partials.ts';
import { ensureJobStorage } from '../src/stream/nats/jobs.ts';
import { packPartial, unpackPartial } from '../src/stream/nats/partial-pack.ts';
import { getPartial, putPartial } from '../src/stream/nats/partial-store.ts';
import { startNatsCluster } from '../src/stream/test-support/nats-cluster.ts';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '4' }, rounds: { type: 'string', default: '6' }, 'no-async-traces': { type: 'boolean', default: false }, assemble: { type: 'boolean', default: false } } });
const cached = `${tmpdir()}/lockstep-finish-batches-${values.hours}h.v8`;
if (!existsSync(cached)) throw new Error(`${cached} missing: run bench/stream-finish.mjs --hours ${values.hours} --rounds 1 once first`);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const works = Array.from({ length: 8 }, (_, p) => new PartitionWork(p, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 }));
for (const batch of deserialize(readFileSync(cached))) works[batch.partition].add(batch.bytes);
const blobs = works.map((work) => packPartial(work.finish()));
const events = works.reduce((sum, work) => sum + work.size, 0);
works.length = 0;
console.log(`${events} events, 8 partials ${(blobs.reduce((sum, blob) => sum + blob.length, 0) / 2 ** 20).toFixed(1)} MB gzipped`);

const cluster = await startNatsCluster(3);
const natsCpu = () => cluster.pids.reduce((sum, pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return sum + (Number(f[11]) + Number(f[12])) / 100; }, 0);
try {
  const nc = await connect({ servers: cluster.urls, noAsyncTraces: values['no-async-traces'] });
  await ensureJobStorage(nc, 3);
  const job = `collect${Date.now() % 100_000}`;
  for (const [p, blob] of blobs.entries()) await putPartial(nc, job, p, blob);
  for (let round = 1; round <= Number(values.rounds); round++) {
    globalThis.gc?.();
    // The reads alone, then collectPartials (reads + unpack) as the coordinator runs it.
    let c = cpu(), w = performance.now();
    for (let p = 0; p < 8; p++) if ((await getPartial(nc, job, p)) === null) throw new Error(`partition ${p} not read`);
    const read = { cpu: cpu() - c, wall: performance.now() - w };
    c = cpu();
    for (const [p, blob] of blobs.entries()) unpackPartial(blob, `partition ${p}`);
    const unpack = cpu() - c;
    globalThis.gc?.();
    const s0 = natsCpu();
    c = cpu();
    w = performance.now();
    const partials = await collectPartials(nc, job, 8, 60_000);
    const collect = { cpu: cpu() - c, wall: performance.now() - w, servers: natsCpu() - s0 };
    let assembled = '';
    if (values.assemble) {
      c = cpu();
      w = performance.now();
      assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
      assembled = `; assemblePartials ${(performance.now() - w).toFixed(0)} ms wall, ${(1000 * (cpu() - c)).toFixed(0)} ms CPU`;
    }
    console.log(`round ${round}: collectPartials ${collect.wall.toFixed(0)} ms wall, ${(1000 * collect.cpu).toFixed(0)} ms CPU (servers ${(1000 * collect.servers).toFixed(0)}); apart: reads ${(1000 * read.cpu).toFixed(0)} ms CPU (${read.wall.toFixed(0)} wall), unpack ${(1000 * unpack).toFixed(0)} ms CPU${assembled}`);
  }
  await nc.close();
} finally {
  await cluster.stop();
}
