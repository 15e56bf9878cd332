// `node --max-old-space-size=16000 --import tsx --expose-gc bench/coordinator-firehose.mjs FEED [TREE] [--rounds 2]`:
// the coordinator's decode and assemblePartials on the 8 partials of a firehose-like feed
// (bench/stream.mjs FEED=firehose NATS_HOURS=3.3 writes FEED: 4.0M events, 1.16M accounts, 13.0M
// rows), each part's CPU-s and the sha256 of the result (ids, edges, weights and logP bit for bit,
// clusters): a coordinator change must leave it as it was. The partials are made once (front end
// and workers, ~30 CPU-s; the working set is ~8 GB) and kept in the temp dir by the feed's name, so
// later runs, e.g. alternating processes over a `git worktree` of HEAD (TREE) for an A/B, read them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resultHash } from './result-hash.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '2' } } });
const feed = positionals[0];
if (feed === undefined) throw new Error('usage: coordinator-firehose.mjs FEED [TREE] [--rounds 2]');
const tree = resolve(positionals[1] ?? resolve(import.meta.dirname, '..'));
const load = (path) => import(pathToFileURL(`${tree}/src/stream/${path}`).href);
const { PartitionWork, encodePartial, decodePartial, assemblePartials } = await load('distributed.ts');
const { partitionLabels, traceSums } = await load('assemble.ts');
const { DEFAULT_STREAM_TRACES } = await load('extract.ts');
// The coordinator's label join as partials arrive (label-join.ts; a TREE from before it has none).
const { LabelJoin } = existsSync(`${tree}/src/stream/label-join.ts`) ? await load('label-join.ts') : {};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const kept = `${tmpdir()}/lockstep-coordinator-${basename(feed)}`;
const partition = (p) => `${kept}/partial-${p}.bin`;
let blobs;
if (existsSync(partition(7))) blobs = Array.from({ length: 8 }, (_, p) => readFileSync(partition(p)));
else {
  const { ByteFront } = await load('byte-front.ts');
  const { Partitioner } = await load('partitioner.ts');
  const bytes = readFileSync(feed);
  const partitioner = new Partitioner({ partitions: 8, traces: DEFAULT_STREAM_TRACES });
  const front = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
  const batches = [];
  for (let at = 0; at < bytes.length; at += 262_144) front.push(bytes.subarray(at, at + 262_144), batches);
  front.end(batches);
  partitioner.finish(batches);
  const works = Array.from({ length: 8 }, (_, p) => new PartitionWork(p, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 }));
  for (const batch of batches) works[batch.partition].add(batch.bytes);
  blobs = works.map((work) => encodePartial(work.finish()));
  mkdirSync(kept, { recursive: true });
  // Partition 7 last: its file is the sign that all 8 are there.
  blobs.forEach((blob, p) => writeFileSync(partition(p), blob));
}

for (let round = 0; round < Number(values.rounds); round++) {
  globalThis.gc?.();
  let c = cpu();
  const partials = blobs.map((blob) => decodePartial(blob));
  const decode = cpu() - c;
  // As stream-coordinate does: each partial's labels joined as it comes, in an order that changes
  // each round (the result must not depend on it); then assemblePartials after the last.
  let join, arrivals = '';
  if (LabelJoin !== undefined) {
    join = new LabelJoin();
    const order = Array.from({ length: 8 }, (_, i) => (i * 3 + round) % 8);
    c = cpu();
    let last = 0;
    for (const p of order) {
      last = cpu();
      join.add(p, partials[p].actors);
    }
    arrivals = `, labels joined as they came (order ${order.join('')}) ${(cpu() - c).toFixed(2)} (the last ${(cpu() - last).toFixed(2)})`;
  }
  globalThis.gc?.();
  c = cpu();
  const result = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, ...(join === undefined ? {} : { labels: join }) });
  const assemble = cpu() - c;
  const hash = round === 0 ? `; result sha256 ${resultHash(result)}` : '';
  // Its two parts that read every label and row, alone: less noisy than the whole, which GC sways.
  c = cpu();
  const { labels, globals } = partitionLabels(partials);
  const labelJoin = cpu() - c;
  c = cpu();
  for (const trace of DEFAULT_STREAM_TRACES) traceSums(partials, globals, trace, labels.length, 2);
  const sums = cpu() - c;
  console.log(`round ${round} ${tree}: decode ${decode.toFixed(2)} CPU-s${arrivals}, assemblePartials ${assemble.toFixed(2)} (of it, alone: partitionLabels ${labelJoin.toFixed(2)}, traceSums ${sums.toFixed(2)}); ${result.actorIds.length} accounts, ${result.graph.size} edges, ${result.clusters.length} clusters${hash}`);
}
