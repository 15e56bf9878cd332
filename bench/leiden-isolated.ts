// Leiden with isolated nodes left out (the default) against visiting them (visitIsolated), in one
// process, on a graph shaped like the 10M-row CooRTweet run: 500k actors of which 10k, at random
// ids, have edges (1,000 groups of 10, each a clique, plus 2,000 random links). Prints CPU and
// wall seconds per round and checks the two give the same partition and quality.
// Run: node --import tsx bench/leiden-isolated.ts [actors] [rounds]
import assert from 'node:assert/strict';
import { buildCsr, leiden, mulberry32 } from '../src/detect/cluster/index.js';

const actors = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 3);
const rng = mulberry32(3);
const ids = new Set<number>();
while (ids.size < 10_000) ids.add(Math.floor(rng() * actors));
const linked = [...ids];
const source: number[] = [], target: number[] = [], weight: number[] = [];
for (let g = 0; g < 1000; g++) {
  for (let a = 0; a < 10; a++) {
    for (let b = a + 1; b < 10; b++) { source.push(linked[g * 10 + a]!); target.push(linked[g * 10 + b]!); weight.push(1 + Math.floor(rng() * 5)); }
  }
}
for (let e = 0; e < 2000; e++) { source.push(linked[Math.floor(rng() * 10_000)]!); target.push(linked[Math.floor(rng() * 10_000)]!); weight.push(1); }
const graph = buildCsr(actors, Int32Array.from(source), Int32Array.from(target), Float64Array.from(weight));
const cpu = (): number => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1e6; };
for (let round = 0; round < rounds; round++) {
  const results = [true, false].map((visitIsolated) => {
    const cpuStart = cpu(), wallStart = performance.now();
    const result = leiden(graph, { seed: 1, maxIterations: 4, visitIsolated });
    console.log(`${visitIsolated ? 'visiting isolated nodes' : 'leaving them out      '}: ${(cpu() - cpuStart).toFixed(3)} s CPU, ${((performance.now() - wallStart) / 1000).toFixed(3)} s wall; ${result.communityCount} communities, quality ${result.quality}`);
    return result;
  });
  assert.deepEqual(results[0], results[1]);
}
