import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectionResult } from '../../detect/pipeline.js';
import type { ExportEdge, ExportNode } from '../../detect/output/index.js';
import { startGraphFilesWorker, writeGraphFiles } from './graph-files.js';
import { writeDetectionOutputs } from './write-outputs.js';

const FILES = ['accounts.csv', 'edges.csv', 'clusters.json', 'network.gexf', 'network.graphml'];

/** Ids XML and CSV must escape, non-Latin text, scores and weights with long fractions, some edges in one trace only. */
function network(nodeCount: number): { nodes: ExportNode[]; edges: ExportEdge[]; traceNames: string[] } {
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({ id: i % 7 === 0 ? `a<&"${i}">香港` : `acct${i}`, cluster: i % 5 === 0 ? null : i % 3, score: i % 4 === 0 ? null : i / 7 }));
  const edges = Array.from({ length: nodeCount * 2 }, (_, i) => ({
    source: nodes[i % nodeCount]!.id, target: nodes[(i * 7 + 1) % nodeCount]!.id, weight: i / 3,
    perTrace: (i % 2 === 0 ? { co_repost: i + 1 } : { co_repost: 1, co_link: i / 9 }) as Record<string, number>,
  }));
  return { nodes, edges, traceNames: ['co_repost', 'co_link'] };
}

test('network.gexf and network.graphml written on a worker are the bytes this thread writes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'graph-files-'));
  try {
    await mkdir(join(dir, 'here'));
    await mkdir(join(dir, 'worker'));
    const graph = network(300);
    await writeGraphFiles(join(dir, 'here'), graph);
    await startGraphFilesWorker({ dir: join(dir, 'worker'), ...graph }).done;
    for (const file of ['network.gexf', 'network.graphml']) {
      const here = await readFile(join(dir, 'here', file));
      assert.ok(here.length > 10_000);
      assert.deepEqual(await readFile(join(dir, 'worker', file)), here, file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an error in the worker is reported: a graph file that cannot be written rejects, naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'graph-files-'));
  try {
    await mkdir(join(dir, 'network.graphml'));
    await assert.rejects(startGraphFilesWorker({ dir, ...network(20) }).done, /network\.graphml/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A detection result with `edgeCount` edges among 3 clusters of 20 accounts (what writeDetectionOutputs reads of it). */
function detection(edgeCount: number): { result: DetectionResult; actorIds: string[] } {
  const actorIds = Array.from({ length: 60 }, (_, i) => (i % 9 === 0 ? `x&"<${i}>` : `u${i}`));
  const clusters = [0, 1, 2].map((id) => ({ id, members: Array.from({ length: 20 }, (_, i) => id * 20 + i), memberScores: Array.from({ length: 20 }, (_, i) => (i + 1) / 21) }));
  const a = Int32Array.from({ length: edgeCount }, (_, i) => i % 60);
  const b = Int32Array.from({ length: edgeCount }, (_, i) => (i * 13 + 1) % 60);
  const weight = Float64Array.from({ length: edgeCount }, (_, i) => i / 7);
  const shared = (step: number): Int32Array => Int32Array.from({ length: edgeCount }, (_, i) => (i % step === 0 ? 0 : i % 11));
  const graph = { actorCount: 60, a, b, weight, size: edgeCount, traces: ['co-repost', 'co-link'], perTrace: new Map([['co-repost', { shared: shared(3) }], ['co-link', { shared: shared(2) }]]) };
  return { result: { clusters, graph } as unknown as DetectionResult, actorIds };
}

test('detect outputs are the same files whether the graph files are written on a worker or not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'graph-files-'));
  try {
    const { result, actorIds } = detection(500);
    const reports = result.clusters.map((cluster) => ({ id: cluster.id, members: cluster.members.map((member) => ({ account_id: actorIds[member] })) }));
    await mkdir(join(dir, 'main'));
    await mkdir(join(dir, 'worker'));
    const onMain = await writeDetectionOutputs(join(dir, 'main'), result, actorIds, reports as never, false, { minWorkerEdges: Infinity });
    const onWorker = await writeDetectionOutputs(join(dir, 'worker'), result, actorIds, reports as never, false, { minWorkerEdges: 0 });
    assert.equal(onWorker, onMain);
    for (const file of FILES) assert.deepEqual(await readFile(join(dir, 'worker', file)), await readFile(join(dir, 'main', file)), file);
    // A graph file the worker cannot write fails the whole call.
    await mkdir(join(dir, 'broken', 'network.gexf'), { recursive: true });
    await assert.rejects(writeDetectionOutputs(join(dir, 'broken'), result, actorIds, reports as never, false, { minWorkerEdges: 0 }), /network\.gexf/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
