// Benchmark of the clustering stage: CSR build and Leiden on a generated graph with planted
// communities plus noise (default 1M nodes, 10M edges).
// Run: node --import tsx bench/cluster.ts [nodes] [edges] [seed]
// Measured (2 cores, defaults): buildCsr 5.2 s; leiden to convergence 99 s CPU (13 iterations,
// modularity 0.80020), with maxIterations 2 36 s (0.80016); peak RSS 826 MB.
import { LEIDEN_DEFAULTS, buildCsr, leiden, modularity, mulberry32 } from '../src/detect/cluster/index.js';
import { randomPermutation } from '../src/detect/cluster/rng.js';

const nodes = Number(process.argv[2] ?? 1_000_000);
const edges = Number(process.argv[3] ?? 10_000_000);
const seed = Number(process.argv[4] ?? 1);
const INSIDE = 0.8; // share of edges inside a planted community; the rest is uniform noise

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Planted communities of 10..190 nodes (mean 100) over shuffled ids, and the edge list. */
function generate(): { truth: Int32Array; communities: number; source: Int32Array; target: Int32Array; weight: Float64Array } {
  const rng = mulberry32(seed);
  const ids = randomPermutation(nodes, rng);
  // Community c holds ids[start[c] .. start[c + 1]).
  const starts: number[] = [0];
  while (starts[starts.length - 1]! < nodes) starts.push(Math.min(nodes, starts[starts.length - 1]! + 10 + Math.floor(rng() * 181)));
  const communities = starts.length - 1;
  const truth = new Int32Array(nodes);
  for (let c = 0; c < communities; c++) {
    for (let p = starts[c]!; p < starts[c + 1]!; p++) {
      truth[ids[p]!] = c;
    }
  }
  const source = new Int32Array(edges);
  const target = new Int32Array(edges);
  const weight = new Float64Array(edges).fill(1);
  for (let e = 0; e < edges; e++) {
    const a = Math.floor(rng() * nodes);
    let b = a;
    while (b === a) {
      if (rng() < INSIDE) {
        const c = truth[a]!;
        const from = starts[c]!;
        b = ids[from + Math.floor(rng() * (starts[c + 1]! - from))]!;
      } else {
        b = Math.floor(rng() * nodes);
      }
    }
    source[e] = a;
    target[e] = b;
  }
  return { truth, communities, source, target, weight };
}

/** Normalised mutual information of two labelings, on typed arrays (labels < n). */
function nmi(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const countA = new Map<number, number>();
  const countB = new Map<number, number>();
  const joint = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    countA.set(a[i]!, (countA.get(a[i]!) ?? 0) + 1);
    countB.set(b[i]!, (countB.get(b[i]!) ?? 0) + 1);
    const key = a[i]! * n + b[i]!;
    joint.set(key, (joint.get(key) ?? 0) + 1);
  }
  const h = (counts: Map<number, number>): number => [...counts.values()].reduce((s, c) => s - (c / n) * Math.log(c / n), 0);
  let mi = 0;
  for (const [key, c] of joint) {
    const x = Math.floor(key / n);
    const y = key - x * n;
    mi += (c / n) * Math.log((c * n) / (countA.get(x)! * countB.get(y)!));
  }
  return mi / ((h(countA) + h(countB)) / 2);
}

/** Wall and CPU time of `run`, in seconds. */
function timed<T>(run: () => T): { value: T; wall: number; cpu: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}
const times = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`;

const built = ((): { graph: ReturnType<typeof buildCsr>; truth: Int32Array } => {
  // The edge list goes out of scope after the build, as it would in the pipeline.
  const generated = timed(generate);
  const input = generated.value;
  console.log(`generated ${nodes} nodes, ${edges} edges, ${input.communities} planted communities (${times(generated)})`);
  const build = timed(() => buildCsr(nodes, input.source, input.target, input.weight));
  console.log(`buildCsr: ${times(build)}; ${build.value.targets.length} stored entries, ${mb(build.value.targets.byteLength + build.value.weights.byteLength + build.value.offsets.byteLength)}`);
  return { graph: build.value, truth: input.truth };
})();
const { graph, truth } = built;
console.log(`peak RSS after the build: ${mb(process.resourceUsage().maxRSS * 1024)}`);
console.log(`modularity of the planted communities: ${modularity(graph, truth).toFixed(4)}`);

// Defaults iterate until an iteration changes nothing; leidenalg and igraph default to 2 iterations.
for (const maxIterations of [LEIDEN_DEFAULTS.maxIterations, 2]) {
  const run = timed(() => leiden(graph, { seed, maxIterations }));
  const result = run.value;
  console.log(
    `leiden (maxIterations ${maxIterations}): ${times(run)}; ${result.iterations} iterations, ${result.communityCount} communities ` +
      `(largest ${result.membership.filter((c) => c === 0).length} nodes), modularity ${result.quality.toFixed(5)}, ` +
      `NMI with planted ${nmi(truth, result.membership).toFixed(4)}`,
  );
}
console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
