// `node --import tsx --expose-gc bench/pruned-partials.mjs [--rounds 4] [--bits 12] [--min-shared 2] [--exact]`:
// pruned partials (src/stream/pruned-partial.ts) against whole ones, in one process, over the 8
// partials of bench/stream.mjs nats's feed (NATS_HOURS=4: 878k events), from the batches
// bench/stream-finish.mjs keeps in the temp directory (run it once first). Rounds alternate whole
// (A) and pruned (B): per partition phase 1 (its pair filter) and phase 2 (its rows checked
// against the other 7 filters) CPU, and the 8 filters joined into one JobFilters (a worker's once); encode, gzip (as stored), gunzip + decode, and
// assemblePartials of the 8, in CPU-s; rows and bytes (encoded, gzipped) before and after, filter
// bytes per partition. Checks that A and B assemble to the same result to the bit and prints the
// whole partials' sha256 (stream-finish --hash's; format 3 must not change). --exact also counts
// the rows a filter kept that no other partition holds (false positives), from the labels.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { deserialize } from 'node:v8';
import { gzipSync, constants } from 'node:zlib';
import { assemblePartials } from '../src/stream/assemble.ts';
import { PartitionWork } from '../src/stream/distributed.ts';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { packEncoded, unpackPartial } from '../src/stream/nats/partial-pack.ts';
import { encodePartial } from '../src/stream/partial-codec.ts';
import { JobFilters, pairFilters, prunedPartial } from '../src/stream/pruned-partial.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '4' }, bits: { type: 'string', default: '12' }, 'min-shared': { type: 'string', default: '2' }, exact: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds), bits = Number(values.bits), minShared = Number(values['min-shared']);
const cached = `${tmpdir()}/lockstep-finish-batches-4h.v8`;
if (!existsSync(cached)) throw new Error(`${cached} missing: run bench/stream-finish.mjs --hours 4 once first`);
const batches = deserialize(readFileSync(cached));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const timed = (f) => { const c = cpu(); const out = f(); return [out, cpu() - c]; };
const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 };

const works = Array.from({ length: 8 }, (_, p) => new PartitionWork(p, options));
for (const batch of batches) works[batch.partition].add(batch.bytes);
const whole = works.map((work) => work.finish());
const events = whole.reduce((sum, partial) => sum + partial.events, 0);
const rowsOf = (partial) => partial.traces.reduce((sum, entry) => sum + entry.pairs.size, 0);

/** Every number as its float's bits: equal means equal to the last bit. */
const fingerprint = (result) => createHash('sha256').update(JSON.stringify(result, (_, value) => (ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : typeof value === 'number' ? Buffer.from(Float64Array.of(value).buffer).toString('hex') : value))).digest('hex');

/** The stored path from partials in hand: encode, gzip, gunzip + decode, assemble. */
function stored(partials) {
  const t = { encode: 0, gzip: 0, unpack: 0, assemble: 0 };
  let encodedBytes = 0, gzippedBytes = 0;
  const hash = createHash('sha256');
  const blobs = partials.map((partial) => {
    const [encoded, encode] = timed(() => encodePartial(partial));
    hash.update(encoded);
    const [blob, gzip] = timed(() => packEncoded(encoded, 'gzip'));
    t.encode += encode;
    t.gzip += gzip;
    encodedBytes += encoded.length;
    gzippedBytes += blob.length;
    return blob;
  });
  globalThis.gc?.();
  const [read, unpack] = timed(() => blobs.map((blob, p) => unpackPartial(blob, `partition ${p}`)));
  const [result, assemble] = timed(() => assemblePartials(read, { traces: DEFAULT_STREAM_TRACES, minShared }));
  Object.assign(t, { unpack, assemble });
  return { t, encodedBytes, gzippedBytes, sha: hash.digest('hex').slice(0, 16), result };
}

function pruneAll() {
  const [filters, phase1] = timed(() => whole.map((partial) => timed(() => pairFilters(partial, bits))));
  const [job, join] = timed(() => new JobFilters(filters.map(([f]) => f)));
  const [pruned, phase2] = timed(() => whole.map((partial) => timed(() => prunedPartial(partial, job, minShared))));
  return { filters: filters.map(([f]) => f), each1: filters.map(([, s]) => s), each2: pruned.map(([, s]) => s), pruned: pruned.map(([p]) => p), phase1, phase2, join };
}

const ms = (s) => (1000 * s).toFixed(0);
const line = (label, r) => `${label}: encode ${ms(r.t.encode)} + gzip ${ms(r.t.gzip)} ms | gunzip+decode ${ms(r.t.unpack)} + assemble ${ms(r.t.assemble)} ms | ${(r.encodedBytes / 1e6).toFixed(2)} MB encoded, ${(r.gzippedBytes / 1e6).toFixed(2)} MB gzipped (${(r.gzippedBytes / events).toFixed(2)} B/event) | format sha256 ${r.sha}`;
console.log(`${events} events, 8 partitions, minShared ${minShared}, ${bits} filter bits a pair; rows per partition ${whole.map(rowsOf).join(' ')} (${whole.reduce((s, p) => s + rowsOf(p), 0)})`);
stored(whole); // warm-up
pruneAll();
for (let round = 1; round <= rounds; round++) {
  const a = stored(whole);
  const { filters, each1, each2, pruned, phase1, phase2, join } = pruneAll();
  const b = stored(pruned);
  const same = fingerprint(a.result) === fingerprint(b.result);
  console.log(`round ${round} (load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}): results ${same ? 'identical' : 'DIFFER'}`);
  console.log(`  A ${line('whole ', a)}`);
  console.log(`  B ${line('pruned', b)}`);
  console.log(`  phase 1 ${ms(phase1)} ms (${each1.map(ms).join(' ')}), filters joined (JobFilters, once a worker) ${ms(join)} ms, phase 2 ${ms(phase2)} ms (${each2.map(ms).join(' ')})`);
  if (round === 1) {
    const filterBytes = filters.map((f) => f.traces.reduce((sum, entry) => sum + entry.filter.words.byteLength, 0));
    const filterGzip = filters.map((f) => f.traces.reduce((sum, entry) => sum + gzipSync(entry.filter.words, { level: 1, strategy: constants.Z_RLE }).length, 0));
    console.log(`  rows kept ${pruned.map(rowsOf).join(' ')} (${pruned.reduce((s, p) => s + rowsOf(p), 0)}); pruned pairs ${pruned.reduce((s, p) => s + p.traces.reduce((t, e) => t + (e.pruned?.pairs ?? 0), 0), 0)}`);
    console.log(`  filter KB per partition ${filterBytes.map((x) => (x / 1024).toFixed(0)).join(' ')} (gzipped ${filterGzip.map((x) => (x / 1024).toFixed(0)).join(' ')}); each partition reads the other 7: ${(filterBytes.reduce((s, x) => s + x, 0) * 7 / 8 / 1e6).toFixed(2)} MB on average`);
    if (values.exact) exactCounts(pruned);
  }
}

/** Kept rows by why: minShared reached, truly in another partition, or a filter's false positive. */
function exactCounts(pruned) {
  const where = new Map();
  for (const partial of whole) for (const { trace, pairs } of partial.traces) for (let row = 0; row < pairs.size; row++) {
    const [x, y] = [partial.actors[pairs.a[row]], partial.actors[pairs.b[row]]];
    const key = `${trace}\u0001${x < y ? x : y}\u0001${x < y ? y : x}`;
    where.set(key, (where.get(key) ?? 0) + 1);
  }
  let reached = 0, shared = 0, falsePositive = 0;
  for (const partial of pruned) for (const { trace, pairs } of partial.traces) for (let row = 0; row < pairs.size; row++) {
    if (pairs.shared[row] >= minShared) { reached++; continue; }
    const [x, y] = [partial.actors[pairs.a[row]], partial.actors[pairs.b[row]]];
    if (where.get(`${trace}\u0001${x < y ? x : y}\u0001${x < y ? y : x}`) > 1) shared++;
    else falsePositive++;
  }
  const multi = [...where.values()].filter((count) => count > 1).length;
  console.log(`  exact: ${where.size} distinct pairs, ${multi} in 2+ partitions; kept rows: ${reached} reach minShared alone, ${shared} in another partition, ${falsePositive} false positives (${(100 * falsePositive / (falsePositive + whole.reduce((s, p) => s + rowsOf(p), 0) - pruned.reduce((s, p) => s + rowsOf(p), 0))).toFixed(2)}% of the rows that could go)`);
}
