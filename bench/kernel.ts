// Co-action kernel throughput: `node --import tsx bench/kernel.ts [--events N] [--viral N] [--ordered]`.
// Input shaped like CooRTweet's simulate_data at scale: many accounts (events / 20), objects shared
// about 8 times each, share pairs 21 s apart, 20% of them by a coordinated 1% of accounts within
// 10 s, the rest 11 s to an hour apart. A last scenario adds one viral object (100,000 shares in
// an hour, 280 per 10 s window) to exercise the partner cap. Events are shuffled unless --ordered,
// so the (key, time) sort does real work. Prints wall and CPU time, events/s and peak RSS; on a
// shared machine, CPU time is the steadier figure.
import os from 'node:os';
import { resourceUsage } from 'node:process';
import { pathToFileURL } from 'node:url';
import { coActionPairs } from '../src/detect/kernel/index.js';
import type { KernelOptions, TraceEvents } from '../src/detect/kernel/index.js';
import { mulberry32 } from '../src/model/index.js';


export function simulateTrace(events: number, seed = 123, shuffle = true, viral = 0): TraceEvents {
  const rand = mulberry32(seed);
  const accounts = Math.max(100, Math.floor(events / 20));
  const coordinated = Math.max(10, Math.floor(accounts / 100));
  const viralShares = Math.min(viral, Math.floor(events / 20));
  const objects = Math.max(10, Math.floor(events / 8));
  const actor = new Int32Array(events);
  const key = new Int32Array(events);
  const time = new Float64Array(events);
  const t0 = Date.UTC(2021, 0, 1);
  let i = 0;
  // The viral object (key 0): shares by random accounts spread over one hour.
  for (; i < viralShares; i++) {
    actor[i] = Math.floor(rand() * accounts);
    key[i] = 0;
    time[i] = t0 + Math.floor(rand() * 3_600_000);
  }
  // Share pairs, 21 s apart as in simulate_data (sampling interval 2 * window + 1).
  for (let slot = 0; i + 1 < events; slot++) {
    const object = 1 + Math.floor(rand() * (objects - 1));
    const base = t0 + slot * 21_000;
    const coord = rand() < 0.2;
    const pick = (): number => (coord ? Math.floor(rand() * coordinated) : coordinated + Math.floor(rand() * (accounts - coordinated)));
    const first = pick();
    let second = pick();
    if (second === first) second = (second + 1) % accounts;
    actor[i] = first;
    key[i] = object;
    time[i++] = base;
    actor[i] = second;
    key[i] = object;
    time[i++] = base + (coord ? Math.floor(rand() * 11) : 11 + Math.floor(rand() * 3_600)) * 1_000;
  }
  if (i < events) {
    actor[i] = 0;
    key[i] = 1;
    time[i] = t0;
  }
  if (shuffle) {
    for (let j = events - 1; j > 0; j--) {
      const r = Math.floor(rand() * (j + 1));
      [actor[j], actor[r]] = [actor[r]!, actor[j]!];
      [key[j], key[r]] = [key[r]!, key[j]!];
      [time[j], time[r]] = [time[r]!, time[j]!];
    }
  }
  return { actor, key, time, actorCount: accounts, keyCount: objects };
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

function run(label: string, events: TraceEvents, options: Partial<KernelOptions>): void {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { stats } = coActionPairs(events, options);
  const seconds = (performance.now() - start) / 1_000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${label.padEnd(36)} wall ${seconds.toFixed(3)} s  cpu ${cpuSeconds.toFixed(3)} s  ` +
      `${(stats.events / seconds / 1e6).toFixed(2)} M events/s (${(stats.events / cpuSeconds / 1e6).toFixed(2)} per cpu-s)  ` +
      `pairs ${stats.pairs}  co-actions ${stats.coActions}  capped keys ${stats.keysCapped}  popular ${stats.popularKeys}  ` +
      `rss ${mb(process.memoryUsage().rss)}`,
  );
}

function main(args: string[]): void {
  const flag = (name: string): number | null => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : null);
  const ordered = args.includes('--ordered');
  const options: Partial<KernelOptions> = { window: 10_000 };
  const scenarios: Array<[events: number, viral: number]> =
    flag('--events') === null ? [[2_200_000, 0], [10_000_000, 0], [2_200_000, 100_000]] : [[flag('--events')!, flag('--viral') ?? 0]];
  for (const [size, viral] of scenarios) {
    const events = simulateTrace(size, 123, !ordered, viral);
    const label = `${(size / 1e6).toFixed(1)}M events${viral > 0 ? ' + viral' : ''}${ordered ? ' (ordered)' : ''}`;
    run(`${label}, first run`, events, options);
    run(`${label}, second run`, events, options);
  }
  console.log(`peak RSS (resourceUsage().maxRSS): ${mb(resourceUsage().maxRSS * 1024)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

// Run only when executed, so tests and probes can import simulateTrace.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
