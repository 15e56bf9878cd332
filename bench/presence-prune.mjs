// `node --import tsx bench/presence-prune.mjs [--rounds 3] [--min-shared 2] [--german]`: how many
// pair rows a prune by account presence could leave out of the partials, against the Bloom
// filters' prune (pruned-partial.ts), before anything is wired. Over the 8 partials of
// bench/stream.mjs nats's feed (NATS_HOURS=4: 878k events; the batches bench/stream-finish.mjs
// keeps in the temp directory, run it once first), or with --german over the German election
// fixture (../shared/data/coortweet, 218,971 posts by hashtag and link) cut into 8 partitions.
//
// A row of partition p with fewer than minShared shared keys can be left out (counted) when its
// pair can have no co-action in another partition q. Three exact tests of "may it have one", each
// finer than the one before (it leaves out more) and dearer for the front end to know:
// - presence: both accounts have events in q (what the publisher's per-partition account tables
//   already hold: a bitmask of partitions per account);
// - presence per trace: both have events of the row's trace in q (the publisher would track it);
// - presence per trace and window: both have events of the trace in q in time buckets of windowMs
//   at most one apart (a co-action is two events at most windowMs apart), the publisher noting
//   each event's bucket.
// The Bloom filters ask whether q has the pair itself (false positives only keep rows). Prints the
// rows each leaves out per trace, the entries the window test needs (what end markers would carry),
// and the CPU of its check (a round each) over the 8 partitions.
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { deserialize } from 'node:v8';
import { bareAction } from '../src/model/index.ts';
import { PartitionWork } from '../src/stream/distributed.ts';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { partitionActions } from '../src/stream/partitioner.ts';
import { JobFilters, pairFilters, prunedPartial } from '../src/stream/pruned-partial.ts';
import { decodeBatch } from '../src/stream/wire-batch.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'min-shared': { type: 'string', default: '2' }, german: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds), minShared = Number(values['min-shared']), P = 8, windowMs = 60_000;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** Every message of the job as { partition, bytes }, end markers included. */
function jobBatches() {
  if (!values.german) return deserialize(readFileSync(`${tmpdir()}/lockstep-finish-batches-4h.v8`));
  const lines = readFileSync(new URL('../../shared/data/coortweet/german_elections.csv', import.meta.url), 'utf8').split('\n').slice(1);
  const actions = lines.filter((line) => line !== '').map((line, i) => {
    const [account, post, url, hashtag, , , time] = line.split(',');
    const action = bareAction('fb', `${post}-${i}`, account, 'post', Number(time) * 1_000);
    if (hashtag !== '') action.hashtags = [`h${hashtag}`];
    if (url !== '') action.urls = [`https://u.example/${url}`];
    return action;
  });
  return [...partitionActions(actions, { partitions: P, traces: DEFAULT_STREAM_TRACES, batchSize: 2_000 })].flatMap(([partition, list]) => list.map((bytes) => ({ partition, bytes })));
}

const batches = jobBatches();
const decoded = batches.map(({ partition, bytes }) => ({ partition, batch: decodeBatch(bytes, `partition ${partition}`) }));
let first = Infinity, last = -Infinity;
for (const { batch } of decoded) for (let i = 0; i < batch.count; i++) { first = Math.min(first, batch.time[i]); last = Math.max(last, batch.time[i]); }

// Accounts numbered over the job; per account its partitions (a bitmask), per trace too, and per
// (trace, partition) each account's windowMs buckets with events, ascending (`start` indexes them).
const globalId = new Map();
const idOf = (label) => { let id = globalId.get(label); if (id === undefined) globalId.set(label, (id = globalId.size)); return id; };
const T = DEFAULT_STREAM_TRACES.length;
const partitionLabels = Array.from({ length: P }, () => []), keyTraces = Array.from({ length: P }, () => []);
for (const { partition, batch } of decoded) for (const label of batch.newActors) partitionLabels[partition].push(idOf(label));
const accounts = globalId.size;
if (accounts >= 2 ** 21 || (last - first) / windowMs >= 2 ** 31) throw new Error('too many accounts or buckets for one number a (account, bucket)');
const mask = new Int32Array(accounts), traceMask = new Int32Array(accounts * T);
const seen = Array.from({ length: T * P }, () => []);
for (const { partition: p, batch } of decoded) {
  for (const trace of batch.newKeyTraces) keyTraces[p].push(DEFAULT_STREAM_TRACES.indexOf(trace));
  for (let i = 0; i < batch.count; i++) {
    const g = partitionLabels[p][batch.actor[i]];
    mask[g] |= 1 << p;
    const k = batch.key[i];
    const t = k < 0 ? -1 : keyTraces[p][k];
    if (t < 0) continue;
    traceMask[g * T + t] |= 1 << p;
    seen[t * P + p].push(g * 2 ** 31 + Math.floor((batch.time[i] - first) / windowMs));
  }
}
let bucketEntries = 0;
const buckets = seen.map((list) => {
  const sorted = Float64Array.from(list).sort();
  const start = new Int32Array(accounts + 1), bucket = new Int32Array(sorted.length);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    const g = Math.floor(sorted[i] / 2 ** 31);
    start[g + 1]++;
    bucket[n++] = sorted[i] - g * 2 ** 31;
  }
  for (let g = 0; g < accounts; g++) start[g + 1] += start[g];
  bucketEntries += n;
  return { start, bucket };
});

const options = { traces: DEFAULT_STREAM_TRACES, windowMs, maxPartnersPerEvent: 32 };
const works = Array.from({ length: P }, (_, p) => new PartitionWork(p, options));
for (const { partition, bytes } of batches) works[partition].add(bytes);
const whole = works.map((work) => work.finish());
const job = new JobFilters(whole.map((partial) => pairFilters(partial)));
const bloom = whole.map((partial) => prunedPartial(partial, job, minShared));

/** Per partial and trace: the rows the window test finds in no other partition (1). */
function windowTest(partial, t, pairs, ids) {
  const own = partial.partition, out = new Uint8Array(pairs.size);
  for (let row = 0; row < pairs.size; row++) {
    if (pairs.shared[row] >= minShared) continue;
    const a = ids[pairs.a[row]], b = ids[pairs.b[row]];
    let met = false;
    for (let q = 0; q < P && !met; q++) {
      if (q === own) continue;
      const { start, bucket } = buckets[t * P + q];
      // Both accounts' buckets in q, ascending: met when two are at most one apart.
      for (let i = start[a], j = start[b], iEnd = start[a + 1], jEnd = start[b + 1]; i < iEnd && j < jEnd;) {
        const x = bucket[i], y = bucket[j];
        if (x - y <= 1 && y - x <= 1) { met = true; break; }
        if (x < y) i++;
        else j++;
      }
    }
    if (!met) out[row] = 1;
  }
  return out;
}

const labelsSent = partitionLabels.reduce((sum, list) => sum + list.length, 0);
console.log(`${values.german ? 'German election fixture' : 'bench feed (4 h)'}: ${whole.reduce((s, p) => s + p.events, 0)} events, ${accounts} accounts, ${labelsSent} partition-local labels (${(labelsSent / accounts).toFixed(2)} partitions an account), minShared ${minShared}; presence masks ${labelsSent * Math.ceil(P / 8)} bytes; ${bucketEntries} (trace, partition, account, ${windowMs / 1000} s bucket) entries`);
const totals = { rows: 0, below: 0, presence: 0, perTrace: 0, window: 0, bloom: 0 };
for (const [t, trace] of DEFAULT_STREAM_TRACES.entries()) {
  const sums = { rows: 0, below: 0, presence: 0, perTrace: 0, window: 0, bloom: 0 };
  for (const [index, partial] of whole.entries()) {
    const entry = partial.traces.find((candidate) => candidate.trace === trace);
    if (entry === undefined) continue;
    const { pairs } = entry, own = ~(1 << partial.partition);
    const ids = Int32Array.from(partial.actors, (label) => globalId.get(label));
    const gone = windowTest(partial, t, pairs, ids);
    sums.rows += pairs.size;
    sums.bloom += pairs.size - bloom[index].traces.find((candidate) => candidate.trace === trace).pairs.size;
    for (let row = 0; row < pairs.size; row++) {
      if (pairs.shared[row] >= minShared) continue;
      sums.below++;
      const a = ids[pairs.a[row]], b = ids[pairs.b[row]];
      if ((mask[a] & mask[b] & own) === 0) sums.presence++;
      if ((traceMask[a * T + t] & traceMask[b * T + t] & own) === 0) sums.perTrace++;
      sums.window += gone[row];
    }
  }
  if (sums.rows === 0) continue;
  for (const key in totals) totals[key] += sums[key];
  console.log(`${trace}: ${report(sums)}`);
}
console.log(`all traces: ${report(totals)}`);

function report(s) {
  const share = (n) => `${n} (${((100 * n) / s.rows).toFixed(1)}%)`;
  return `${s.rows} rows, ${s.below} below minShared; rows left out by presence ${share(s.presence)}, per trace ${share(s.perTrace)}, per trace and window ${share(s.window)}, Bloom filters ${share(s.bloom)}`;
}

for (let round = 1; round <= rounds; round++) {
  const c = cpu();
  for (const partial of whole) {
    const ids = Int32Array.from(partial.actors, (label) => globalId.get(label));
    for (const { trace, pairs } of partial.traces) windowTest(partial, DEFAULT_STREAM_TRACES.indexOf(trace), pairs, ids);
  }
  console.log(`round ${round} (load ${loadavg()[0].toFixed(1)}): the window test over ${P} partitions ${(cpu() - c).toFixed(3)} CPU-s (label look-ups included; a merge of the two accounts' bucket lists per other partition)`);
}
