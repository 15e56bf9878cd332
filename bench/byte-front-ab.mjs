// `node --import tsx --expose-gc bench/byte-front-ab.mjs OTHER_TREE [rounds]`: the byte front end
// (bytes → scan → partition → encode, as `stream-publish` runs it) of this tree against the one
// in OTHER_TREE (e.g. a `git worktree` of the commit before), both imported through tsx into one
// process and run in alternating rounds over the `worker` section's feed (220k Jetstream lines of
// bench/stream.mjs). Prints CPU µs/event per round, then each version's median and minimum, and
// whether the two give byte-identical batches. Also times the scanner alone (scanJetstreamBytes
// per line). Run under the bench lock: `flock /tmp/lockstep-bench.lock node --import tsx ...`.
import { Buffer } from 'node:buffer';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_STREAM_TRACES } from '../src/stream/extract.ts';
import { jetstreamStream } from '../src/stream/test-support/jetstream-stream.ts';

const other = process.argv[2];
if (other === undefined) throw new Error('usage: bench/byte-front-ab.mjs OTHER_TREE [rounds]');
const rounds = Number(process.argv[3] ?? 10);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const load = async (root) => ({
  ByteFront: (await import(pathToFileURL(resolve(root, 'src/stream/byte-front.ts')).href)).ByteFront,
  Partitioner: (await import(pathToFileURL(resolve(root, 'src/stream/partitioner.ts')).href)).Partitioner,
  scan: (await import(pathToFileURL(resolve(root, 'src/stream/jetstream-scan.ts')).href)).scanJetstreamBytes,
});
const versions = { before: await load(other), after: await load(resolve(import.meta.dirname, '..')) };

const lines = jetstreamStream({ durationMs: 3_600_000, organicAccounts: 20_000, organicPerSecond: 60, rings: [8, 12, 20, 30], ringEveryMs: 120_000 }).lines;
const feed = Buffer.from(`${lines.join('\n')}\n`);
const CHUNK = 256 * 1024;

function front({ ByteFront, Partitioner }) {
  globalThis.gc?.();
  const c = cpu();
  const partitioner = new Partitioner({ partitions: 8, traces: DEFAULT_STREAM_TRACES });
  const out = [];
  const byteFront = new ByteFront(partitioner, { where: (n) => `${n}`, onProblem: (problem) => { throw new Error(problem); } });
  for (let at = 0; at < feed.length; at += CHUNK) byteFront.push(feed.subarray(at, at + CHUNK), out);
  byteFront.end(out);
  partitioner.finish(out);
  return { us: (1e6 * (cpu() - c)) / partitioner.events, out, slow: byteFront.slowLines };
}

function scanOnly({ scan }) {
  const c = cpu();
  let found = 0;
  for (let from = 0, nl = feed.indexOf(10); nl >= 0; from = nl + 1, nl = feed.indexOf(10, from)) found += scan(feed, from, nl);
  return { us: (1e6 * (cpu() - c)) / lines.length, found };
}

const times = { before: [], after: [] }, scans = { before: [], after: [] };
let identical = true;
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
  const runs = {};
  for (const name of order) {
    runs[name] = front(versions[name]);
    times[name].push(runs[name].us);
    const s = scanOnly(versions[name]);
    scans[name].push(s.us);
  }
  const same = runs.before.out.length === runs.after.out.length && runs.before.out.every((batch, i) => Buffer.from(batch.bytes).equals(Buffer.from(runs.after.out[i].bytes)));
  identical &&= same;
  console.log(`round ${round}: before ${runs.before.us.toFixed(2)} µs/event (scan ${scans.before.at(-1).toFixed(2)} µs/line), after ${runs.after.us.toFixed(2)} (scan ${scans.after.at(-1).toFixed(2)}); slow lines ${runs.before.slow}/${runs.after.slow}; batches ${same ? 'identical' : 'DIFFERENT'}`);
}
const median = (values) => { const s = [...values].sort((x, y) => x - y); return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const name of ['before', 'after']) {
  console.log(`${name}: byte front end median ${median(times[name]).toFixed(2)} µs/event, min ${Math.min(...times[name]).toFixed(2)}; scanner alone median ${median(scans[name]).toFixed(2)} µs/line, min ${Math.min(...scans[name]).toFixed(2)}`);
}
console.log(`batches ${identical ? 'identical in every round' : 'DIFFERENT'}`);
