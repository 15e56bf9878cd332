// `node --import tsx --expose-gc bench/front-end.mjs [--hours 4] [--rounds 5] [--hash] [--share i/n] [TREE ...]`:
// the byte front end alone (bytes → scan → partition → encode, as `stream-publish` runs it, 16
// partitions, 256 KB chunks) over bench/stream.mjs nats's feed (NATS_HOURS=4: 878k events), into
// a sink that drops the batches. A warm-up round, then `rounds` rounds; with several trees (this
// one when none is given; e.g. a `git worktree` of the commit before) their rounds alternate in one
// process. Prints each round's CPU µs/event, then per tree the best and median; --hash prints a
// sha256 over every batch's bytes in order (wire batches must not change with speed work); --share
// i/n runs the front end as `stream-publish --threads n`'s thread i (its share of the accounts; µs
// per event of its own events).
// Above 2M events take the big-job lock: `flock /tmp/lockstep-bigjob.lock node ...`.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { hours: { type: 'string', default: '4' }, rounds: { type: 'string', default: '5' }, hash: { type: 'boolean', default: false }, share: { type: 'string' } } });
const hours = Number(values.hours), rounds = Number(values.rounds);
const trees = positionals.length > 0 ? positionals.map((tree) => resolve(tree)) : [resolve(import.meta.dirname, '..')];
const [shareIndex, shareOf] = (values.share ?? '0/1').split('/').map(Number);
if (!(shareIndex >= 0 && shareIndex < shareOf)) throw new Error(`--share ${values.share}: give i/n with 0 <= i < n`);
const share = shareOf > 1 ? { share: { index: shareIndex, of: shareOf } } : {};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// The feed as bench/stream.mjs makes it, kept in a file so rounds in other processes read the same bytes.
const cached = `${tmpdir()}/lockstep-front-end-feed-${hours}h.jsonl`;
if (!existsSync(cached)) {
  const lines = jetstreamStream({ durationMs: hours * 3_600_000, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 }).lines;
  writeFileSync(cached, `${lines.join('\n')}\n`);
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
const median = (list) => { const s = [...list].sort((x, y) => x - y); return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
trees.forEach((tree, i) => console.log(`tree ${i} (${tree}): best ${Math.min(...times[i]).toFixed(2)} µs/event, median ${median(times[i]).toFixed(2)}`));
