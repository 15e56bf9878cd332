// The CooRTweet source's key-time ordering (src/cli/detect/key-time-order.ts) alone, on inputs
// shaped like the 10M-row bench file (10M events, ~2M keys, 500k actors, second-precision times),
// alternating rounds: on the main thread alone, and split with a real detect thread. Prints per
// round the wall ms, the main thread's CPU ms (the wall of a round on an idle second core) and
// the process's CPU ms, and checks that both orders are identical (sha256 of the four columns).
//
//   node --import tsx bench/key-time-order.ts [--events 10000000] [--keys 2000000] [--rounds 3]
import { createHash } from 'node:crypto';
import { startDetectThread } from '../src/cli/detect/detect-thread.js';
import { keyTimeOrdered } from '../src/cli/detect/key-time-order.js';
import type { KeyTimeHelper } from '../src/cli/detect/key-time-order.js';
import { mulberry32 } from '../src/model/index.js';
import { loadAverage, mainCpuMs, processCpuMs } from './thread-cpu.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const events = option('--events', 10_000_000);
const keyCount = option('--keys', 2_000_000);
const rounds = option('--rounds', 3);

const shared = (length: number): Int32Array => new Int32Array(new SharedArrayBuffer(length * 4));
const rng = mulberry32(7);
const eventKey = shared(events);
const actor = shared(events);
const time = new Float64Array(new SharedArrayBuffer(events * 8));
// Keys skewed towards the first (popular objects), times over a month in whole seconds.
for (let a = 0; a < events; a++) {
  eventKey[a] = a < keyCount ? a : Math.floor(rng() ** 3 * keyCount);
  actor[a] = Math.floor(rng() * 500_000);
  time[a] = Math.floor(rng() * 30 * 86_400) * 1000;
}
const counts = shared(keyCount + 1);
for (let a = 0; a < events; a++) counts[eventKey[a]! + 1]!++;

function round(helper: KeyTimeHelper | undefined): string {
  const start = shared(keyCount + 1);
  start.set(counts);
  const [wall0, main0, all0] = [performance.now(), mainCpuMs(), processCpuMs()];
  const data = keyTimeOrdered(eventKey, start, events, actor, time, 500_000, helper);
  const [wall, main, all] = [performance.now() - wall0, mainCpuMs() - main0, processCpuMs() - all0];
  const hash = createHash('sha256');
  for (const column of [data.actor, data.key, data.time, data.action]) hash.update(new Uint8Array(column.buffer));
  return `${wall.toFixed(0)} ms wall, main ${main.toFixed(0)} ms CPU, process ${all.toFixed(0)} ms CPU, sha256 ${hash.digest('hex').slice(0, 16)}`;
}

const thread = startDetectThread();
if (!await thread.ready) throw new Error('the detect thread did not start');
round(undefined); // warm-up: both code paths compiled before timing
round(thread.keyTimeHelper);
for (let r = 0; r < rounds; r++) {
  console.log(`round ${r + 1}, load ${loadAverage()}: alone ${round(undefined)}`);
  console.log(`round ${r + 1}, load ${loadAverage()}: split ${round(thread.keyTimeHelper)}`);
}
thread.stop();
