// The pair stage's memory with and without spilling, on a pair-heavy trace (few events, many pairs:
// the Information Operations archive's shape, where a retweet burst pairs everybody in it):
// `node --import tsx --import ./bench/peak-rss.mjs bench/spill-pairs.ts [--keys 20000] [--per-key 30]
// [--accounts 1000000] [--budget 64M]`. Each key is shared by `--per-key` random accounts within 60 s
// (about per-key²/2 distinct pairs per key), plus a planted ring of 20 accounts meeting on 40 keys
// of their own. Runs the whole detection (one co-repost trace) in memory, or with `--budget` through
// a DiskPairSink that keeps partitions (the CLI's --memory-budget). Prints pairs, edges, clusters,
// CPU and a digest of the edges (equal digests: equal edges, weights to 9 digits); peak RSS and CPU
// are printed by peak-rss.mjs at exit. Run each mode in its own process to compare peaks.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';
import { DiskPairSink } from '../src/cli/detect/disk-pair-sink.js';
import { pairsWithin, parseMemoryBudget } from '../src/cli/detect/spill-budget.js';
import { detectCoordination } from '../src/detect/pipeline.js';
import type { TraceData } from '../src/detect/traces/trace-names.js';
import { mulberry32 } from '../src/model/index.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? fallback : fallback);
const keys = Number(option('--keys', '20000'));
const perKey = Number(option('--per-key', '30'));
const accounts = Number(option('--accounts', '1000000'));
const budget = argv.includes('--budget') ? option('--budget', '64M') : null;

function pairHeavyTrace(): TraceData {
  const rand = mulberry32(7);
  const ring = 20, ringKeys = 40;
  const n = keys * perKey + ringKeys * ring;
  const actor = new Int32Array(n), key = new Int32Array(n), time = new Float64Array(n);
  let i = 0;
  for (let k = 0; k < keys; k++) {
    const t0 = Math.floor(rand() * 90 * 86_400_000);
    for (let j = 0; j < perKey; j++, i++) { actor[i] = Math.floor(rand() * accounts); key[i] = k; time[i] = t0 + Math.floor(rand() * 60_000); }
  }
  for (let k = 0; k < ringKeys; k++) {
    const t0 = Math.floor(rand() * 90 * 86_400_000);
    for (let m = 0; m < ring; m++, i++) { actor[i] = accounts + m; key[i] = keys + k; time[i] = t0 + Math.floor(rand() * 10_000); }
  }
  return { actor, key, time, action: Int32Array.from({ length: n }, (_, r) => r), actorCount: accounts + ring, keyCount: keys + ringKeys };
}

const trace = pairHeavyTrace();
const cpuBefore = resourceUsage();
const dir = mkdtempSync(join(tmpdir(), 'spill-pairs-'));
const sink = budget === null ? null : new DiskPairSink(dir, { keepPartitions: true });
try {
  const result = detectCoordination({ actorCount: trace.actorCount, traces: new Map([['co-repost', trace]]) },
    sink === null ? { group: false } : { group: false, pairSink: sink, maxPairsInMemory: pairsWithin(parseMemoryBudget(budget ?? '')) });
  const cpu = resourceUsage();
  const seconds = (cpu.userCPUTime + cpu.systemCPUTime - cpuBefore.userCPUTime - cpuBefore.systemCPUTime) / 1e6;
  const g = result.graph;
  const edges = Array.from({ length: g.size }, (_, e) => `${g.a[e]},${g.b[e]},${g.weight[e]!.toPrecision(9)}`).sort();
  const digest = createHash('sha256').update(edges.join('\n')).digest('hex').slice(0, 16);
  const report = result.traces[0];
  console.log(`${budget === null ? 'in memory' : `budget ${budget}`}: ${trace.actor.length.toLocaleString('en')} events, ${report?.pairsTested.toLocaleString('en')} pairs tested, ` +
    `${report?.pairsSignificant} significant, ${g.size} edges, ${result.clusters.length} clusters; detection CPU ${seconds.toFixed(1)} s; edges digest ${digest}` +
    (sink === null ? '' : `; spill ${sink.chunks} chunks, ${(sink.bytes / 2 ** 20).toFixed(0)} MiB written, peak ${(sink.peakBytes / 2 ** 20).toFixed(0)} MiB on disk`));
} finally {
  sink?.close();
  rmSync(dir, { recursive: true, force: true });
}
