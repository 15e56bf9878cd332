// CPU time of the web workspace's large-network layout (ForceAtlas2, Barnes–Hut, 100 iterations) on a generated
// 5,000-account cluster, as the layout worker runs it. Run: node --import tsx scripts/ui-layout-bench.ts [accounts]
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { buildClusterGraph } from '../src/web/network/build-graph.js';
import { syntheticCluster } from '../src/web/test-support/synthetic-cluster.js';

const accounts = Number(process.argv[2] ?? 5000);
for (const theta of [0.5, 1.2]) {
  const cpu: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const graph = buildClusterGraph(syntheticCluster('bench', accounts, { seed: 11 }));
    const before = process.cpuUsage();
    forceAtlas2.assign(graph, { iterations: 100, settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: true, barnesHutTheta: theta }, getEdgeWeight: 'weight' });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  console.log(`${accounts} accounts, theta ${theta}: ${Math.min(...cpu).toFixed(0)} ms CPU (best of 3; ${cpu.map((ms) => ms.toFixed(0)).join(', ')})`);
}
