// `node --import tsx --expose-gc bench/front-end.mjs [--hours 4] [--rounds 5] [--hash] [--share i/n] [--threads n] [--feed firehose [--accounts n]] [TREE ...]`:
// the byte front end alone (bytes → scan → partition → encode, as `stream-publish` runs it, 16
// partitions, 256 KB chunks) over bench/stream.mjs nats's feed (NATS_HOURS=4: 878k events), into
// a sink that drops the batches. A warm-up round, then `rounds` rounds; with several trees (this
// one when none is given; e.g. a `git worktree` of the commit before) their rounds alternate in one
// process. Prints each round's CPU µs/event, then per tree the best and median; --hash prints a
// sha256 over every batch's bytes in order (wire batches must not change with speed work); --share
// i/n runs the front end as `stream-publish --threads n`'s thread i (its share of the accounts; µs
// per event of its own events). --threads n runs shares 0 … n−1 at once, each on a worker thread
// (stream-publish --threads n without NATS), against the whole feed on one thread, alternating: each
// round's wall time (threads started and warmed up before it) and the process's CPU-s.
// Above 2M events take the big-job lock: `flock /tmp/lockstep-bigjob.lock node ...`.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';

// A thread of --threads reads its parent's arguments.
const { values, positionals } = parseArgs({ args: isMainThread ? process.argv.slice(2) : workerData.args, allowPositionals: true, options: { hours: { type: 'string', default: '4' }, rounds: { type: 'string', default: '5' }, hash: { type: 'boolean', default: false }, feed: { type: 'string', default: 'small' }, accounts: { type: 'string', default: '2000000' }, share: { type: 'string' }, threads: { type: 'string' } } });
const hours = Number(values.hours), rounds = Number(values.rounds);
const trees = positionals.length > 0 ? positionals.map((tree) => resolve(tree)) : [resolve(import.meta.dirname, '..')];
// A thread of --threads takes its share from its parent.
const [shareIndex, shareOf] = isMainThread ? (values.share ?? '0/1').split('/').map(Number) : [workerData.index, workerData.of];
if (!(shareIndex >= 0 && shareIndex < shareOf)) throw new Error(`--share ${values.share}: give i/n with 0 <= i < n`);
const share = shareOf > 1 ? { share: { index: shareIndex, of: shareOf } } : {};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// The feed as bench/stream.mjs makes it, kept in a file so rounds in other processes read the same bytes.
// --feed firehose: bench/stream.mjs's FEED=firehose (--accounts, 250 lines a second of event time; --hours 3.3: ~4M events).
if (values.feed !== 'small' && values.feed !== 'firehose') throw new Error(`--feed ${values.feed}: small or firehose`);
const firehose = values.feed === 'firehose';
const cached = `${tmpdir()}/lockstep-front-end-feed-${hours}h${firehose ? `-firehose-${values.accounts}` : ''}.jsonl`;
if (!existsSync(cached)) {
  const lines = jetstreamStream({
    durationMs: hours * 3_600_000, rings: [8, 12, 20, 30], ringEveryMs: 120_000,
    ...(firehose ? { organicAccounts: Number(values.accounts), organicPerSecond: 250, firehose: {} } : { organicAccounts: 20_000, organicPerSecond: 60 }),
  }).lines;
  // Written 100k lines at a time: one string of a longer feed passes V8's string length limit.
  writeFileSync(cached, '');
  for (let at = 0; at < lines.length; at += 100_000) appendFileSync(cached, `${lines.slice(at, at + 100_000).join('\n')}\n`);
}
const feed = readFileSync(cached);
const CHUNK = 256 * 1024;

const load = async (tree) => {
  const module = (path) => import(pathToFileURL(resolve(tree, path)).href);
  return {
    ByteFront: (await module('src/stream/byte-front.ts')).ByteFront,
    Partitioner: (await module('src/stream/partitioner.ts')).Partitioner,
    STREAM_TRACES_DEFAULT: (await module('src/stream/extract.ts')).DEFAULT_STREAM_TRACES,
  };
};
const versions = await Promise.all(trees.map(load));

/** One pass over the feed: CPU µs per event and, with --hash, the batches' sha256. */
function front({ ByteFront, Partitioner, STREAM_TRACES_DEFAULT }) {
  globalThis.gc?.();
  const sha = values.hash ? createHash('sha256') : null;
  const started = cpu();
  const partitioner = new Partitioner({ partitions: 16, traces: STREAM_TRACES_DEFAULT, ...(shareOf > 1 ? { publisher: shareIndex, publishers: shareOf } : {}) });
  const out = [];
  const drain = () => {
    if (sha !== null) for (const batch of out) sha.update(batch.bytes);
    out.length = 0;
  };
  const byteFront = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); }, ...share });
  for (let at = 0; at < feed.length; at += CHUNK) {
    byteFront.push(feed.subarray(at, at + CHUNK), out);
    drain();
  }
  byteFront.end(out);
  partitioner.finish(out);
  drain();
  const seconds = cpu() - started;
  return { us: (1e6 * seconds) / partitioner.events, seconds, events: partitioner.events, slow: byteFront.slowLines, sha: sha?.digest('hex').slice(0, 16) };
}

if (!isMainThread) {
  // A thread of --threads: warmed up, then a pass over the feed each time it is told.
  front(versions[0]);
  parentPort.postMessage(null);
  parentPort.on('message', () => parentPort.postMessage(front(versions[0])));
} else if (values.threads !== undefined) await threadRounds(Number(values.threads));
else rounds1();

/** --threads n: n threads (shares 0 … n−1) against 1 thread (the whole feed), each round's wall and the process's CPU. */
async function threadRounds(n) {
  const message = (worker) => new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  const threads = (of) => Array.from({ length: of }, (_, index) => new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`, { eval: true, workerData: { index, of, args: process.argv.slice(2) } }));
  const pools = [threads(1), threads(n)];
  await Promise.all(pools.flat().map(message));
  const walls = pools.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    const parts = [];
    for (const p of round % 2 === 1 ? [0, 1] : [1, 0]) {
      const started = cpu(), at = performance.now();
      const runs = await Promise.all(pools[p].map((worker) => { const done = message(worker); worker.postMessage(null); return done; }));
      const wall = (performance.now() - at) / 1000, seconds = cpu() - started, events = runs.reduce((sum, run) => sum + run.events, 0);
      walls[p].push(wall);
      parts.push(`${pools[p].length} thread(s): ${wall.toFixed(2)} s wall, ${seconds.toFixed(2)} CPU-s (${((1e6 * seconds) / events).toFixed(2)} µs/event), ${events} events`);
    }
    console.log(`round ${round}: ${parts.join('; ')}`);
  }
  pools.forEach((pool, p) => console.log(`${pool.length} thread(s): best ${Math.min(...walls[p]).toFixed(2)} s wall, median ${median(walls[p]).toFixed(2)}`));
  for (const worker of pools.flat()) await worker.terminate();
}

/** Rounds over the trees (alternating), each a pass on this thread. */
function rounds1() {
  for (const version of versions) front(version);
  const times = trees.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    const order = trees.map((_, i) => i);
    if (round % 2 === 0) order.reverse();
    const parts = [];
    for (const i of order) {
      const run = front(versions[i]);
      times[i].push(run.us);
      parts.push(`tree ${i}: ${run.us.toFixed(2)} µs/event (${run.seconds.toFixed(2)} CPU-s, ${run.events} events, ${run.slow} slow lines${run.sha === undefined ? '' : `, sha256 ${run.sha}`})`);
    }
    console.log(`round ${round}: ${parts.join('; ')}`);
  }
  trees.forEach((tree, i) => console.log(`tree ${i} (${tree}): best ${Math.min(...times[i]).toFixed(2)} µs/event, median ${median(times[i]).toFixed(2)}`));
}

function median(list) {
  const s = [...list].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
