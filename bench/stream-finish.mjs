// `node --import tsx --expose-gc bench/stream-finish.mjs [--hours 4] [--rounds 5] [--hash] [--fresh] [--compression gzip|none] [--feed firehose] [TREE]`:
// a worker's finish path and the coordinator's unpack and merge, in one process, over the 8
// partitions of bench/stream.mjs nats's feed (NATS_HOURS=4: 878k events) as its byte front end
// partitions them: per partition add (take the batches), finish (the kernel: partialOfColumns),
// encode, pack (gzip as stored by default, or --compression none); then unpack (gunzip if gzipped,
// + decode) and assemblePartials of the 8; and the stored bytes per event. CPU
// µs/event per part, a warm-up round first. TREE (default this one; e.g. a `git worktree` of the
// commit before) is the source imported: for an A/B, alternate processes over two trees, which is
// steadier under load than whole jobs (two trees in one process ran 5-10x slower, not found why).
// --hash prints the sha256 of the 8 encoded partials in order (speed work must not change them),
// and of assemblePartials' result (ids, edges, weights and logP bit for bit, clusters): a change to
// the coordinator alone cannot move the first, so the second is its check.
// --fresh: as a job's worker meets its partitions, once each in a new process: warmUpWorker (as
// stream-worker does) instead of a warm-up round, then one round, with each partition's finish +
// encode ms (a worker's first finish costs more than its later ones); for an A/B, alternate
// processes. Rounds after the first (--rounds) are a warm worker's later jobs.
// --feed firehose: bench/stream.mjs's FEED=firehose feed instead (2M accounts, 250 lines a second
// of event time; --hours 3.3: 4.0M events, 13.0M pair rows), read from the file front-end.mjs
// --feed firehose keeps (made here if missing); node needs --max-old-space-size=16000 (the
// partials and the coordinator's merge are held at once) and the batches take ~16 CPU-s to make
// the first time (kept in the temp dir after).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { resultHash } from './result-hash.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { hours: { type: 'string', default: '4' }, rounds: { type: 'string', default: '5' }, hash: { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false }, compression: { type: 'string', default: 'gzip' }, feed: { type: 'string', default: 'small' } } });
if (values.feed !== 'small' && values.feed !== 'firehose') throw new Error(`--feed ${values.feed}: small or firehose`);
const firehose = values.feed === 'firehose';
const hours = Number(values.hours), rounds = Number(values.rounds);
const trees = [resolve(positionals[0] ?? resolve(import.meta.dirname, '..'))];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const load = (tree, path) => import(pathToFileURL(`${tree}/src/${path}`).href);

// The batches as the nats section's byte front end makes them (8 partitions), kept in a file.
const cached = `${tmpdir()}/lockstep-finish-batches-${hours}h${firehose ? '-firehose' : ''}.v8`;
if (!existsSync(cached)) {
  const { jetstreamStream } = await load(trees[0], 'stream/test-support/jetstream-stream.ts');
  const { Partitioner } = await load(trees[0], 'stream/partitioner.ts');
  const { ByteFront } = await load(trees[0], 'stream/byte-front.ts');
  const { DEFAULT_STREAM_TRACES } = await load(trees[0], 'stream/extract.ts');
  let bytes;
  if (firehose) {
    // The same file (and name) as front-end.mjs --feed firehose with its default --accounts.
    const feed = `${tmpdir()}/lockstep-front-end-feed-${hours}h-firehose-2000000.jsonl`;
    if (!existsSync(feed)) {
      const lines = jetstreamStream({ durationMs: hours * 3_600_000, rings: [8, 12, 20, 30], ringEveryMs: 120_000, organicAccounts: 2_000_000, organicPerSecond: 250, firehose: {} }).lines;
      writeFileSync(feed, '');
      for (let at = 0; at < lines.length; at += 100_000) appendFileSync(feed, `${lines.slice(at, at + 100_000).join('\n')}\n`);
    }
    bytes = readFileSync(feed);
  } else {
    const lines = jetstreamStream({ durationMs: hours * 3_600_000, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 }).lines;
    bytes = Buffer.from(`${lines.join('\n')}\n`);
  }
  const partitioner = new Partitioner({ partitions: 8, traces: DEFAULT_STREAM_TRACES, batchSize: 2_000 });
  const front = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
  const out = [];
  for (let at = 0; at < bytes.length; at += 256 * 1024) front.push(bytes.subarray(at, at + 256 * 1024), out);
  front.end(out);
  partitioner.finish(out);
  writeFileSync(cached, serialize(out.map((batch) => ({ partition: batch.partition, bytes: batch.bytes }))));
}
const batches = deserialize(readFileSync(cached));

const modules = await Promise.all(trees.map(async (tree) => ({
  tree, ...(await load(tree, 'stream/distributed.ts')), ...(await load(tree, 'stream/nats/partial-pack.ts')), ...(await load(tree, 'stream/extract.ts')),
  ...(await load(tree, 'stream/nats/warm-up.ts')),
})));
const PARTS = ['add', 'finish', 'encode', 'pack', 'unpack', 'assemble'];

function round(m) {
  const t = Object.fromEntries(PARTS.map((part) => [part, 0]));
  globalThis.gc?.();
  let c = cpu();
  const works = Array.from({ length: 8 }, (_, p) => new m.PartitionWork(p, options(m)));
  for (const batch of batches) works[batch.partition].add(batch.bytes);
  t.add = cpu() - c;
  const hash = createHash('sha256'), packed = [], each = [];
  for (const work of works) {
    c = cpu();
    const partial = work.finish();
    const finish = cpu() - c;
    t.finish += finish;
    c = cpu();
    const encoded = m.encodePartial(partial);
    t.encode += cpu() - c;
    each.push(`${(1000 * finish).toFixed(0)}+${(1000 * (cpu() - c)).toFixed(0)}`);
    hash.update(encoded);
    c = cpu();
    packed.push(m.packEncoded(encoded, values.compression));
    t.pack += cpu() - c;
  }
  c = cpu();
  const partials = packed.map((blob, p) => m.unpackPartial(blob, `partition ${p}`));
  t.unpack = cpu() - c;
  c = cpu();
  const result = m.assemblePartials(partials, { traces: m.DEFAULT_STREAM_TRACES });
  t.assemble = cpu() - c;
  return { events: works.reduce((sum, work) => sum + work.size, 0), t, sha: hash.digest('hex'), resultSha: values.hash ? resultHash(result) : '', bytes: packed.reduce((sum, blob) => sum + blob.length, 0), each };
}

const options = (m) => ({ traces: m.DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
if (values.fresh) for (const m of modules) m.warmUpWorker(options(m));
else for (const m of modules) round(m); // warm-up
for (let r = 1; r <= rounds; r++) {
  for (const m of modules) {
    const { events, t, sha, resultSha, bytes, each } = round(m);
    const us = (seconds) => ((1e6 * seconds) / events).toFixed(2);
    const worker = t.add + t.finish + t.encode + t.pack, coordinator = t.unpack + t.assemble;
    console.log(`round ${r} ${m.tree}: ${events} events; worker ${us(worker)} µs/event (${PARTS.slice(0, 4).map((part) => `${part} ${us(t[part])}`).join(', ')}); coordinator ${us(coordinator)} (unpack ${us(t.unpack)}, assemble ${us(t.assemble)}); stored ${(bytes / events).toFixed(1)} bytes/event${values.hash ? `; partials sha256 ${sha}; result sha256 ${resultSha}` : ''}${values.fresh || firehose ? `; finish+encode ms ${each.join(' ')}` : ''}`);
  }
}
