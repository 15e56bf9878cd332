import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterAccounts } from '../detect/clusters.js';
import { bareAction } from '../model/index.js';
import { StreamDetector } from './detector.js';
import type { StreamDetection } from './detector.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { batchDetect } from './test-support/batch.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

function runStream(lines: readonly string[], options: ConstructorParameters<typeof StreamDetector>[0]): StreamDetector {
  const detector = new StreamDetector(options);
  lines.forEach((line, index) => {
    for (const action of parseJetstreamLine(line, `line ${index + 1}`).actions) detector.push(action);
  });
  detector.flush();
  return detector;
}

/** Edges as "idA|idB" → weight, over account ids (numbering-free). */
function edgeMap(graph: StreamDetection['graph'], ids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let edge = 0; edge < graph.size; edge++) out.set(`${ids[graph.a[edge] ?? 0]}|${ids[graph.b[edge] ?? 0]}`, graph.weight[edge] ?? 0);
  return out;
}

function clusterSets(clusters: readonly { members: number[] }[], ids: readonly string[]): string[] {
  return clusters.map((cluster) => cluster.members.map((member) => ids[member] ?? '').sort().join(',')).sort();
}

describe('stream mode against the batch engine', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'lockstep-stream-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('gives the batch clusters and edge weights on a replayed file (horizon covering the file, arrival order shuffled within the lateness)', async () => {
    const { lines, rings } = jetstreamStream({ durationMs: 3_600_000, organicPerSecond: 3, ringEveryMs: 150_000, jitterMs: 3_000 });
    const file = join(dir, 'feed.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
    const stream = runStream(lines, { windowMs: 60_000, horizonMs: Infinity, latenessMs: 5_000 }).detect();
    assert.deepEqual(stream.actorIds, batch.actorIds, 'same accounts, numbered alike');
    const streamEdges = edgeMap(stream.graph, stream.actorIds);
    const batchEdges = edgeMap(batch.result.graph, batch.actorIds);
    assert.ok(batchEdges.size > 20, `batch finds edges (${batchEdges.size})`);
    assert.deepEqual([...streamEdges.keys()].sort(), [...batchEdges.keys()].sort());
    for (const [pair, weight] of batchEdges) assert.ok(Math.abs((streamEdges.get(pair) ?? NaN) - weight) < 1e-9, `${pair}: ${streamEdges.get(pair)} vs ${weight}`);
    const clusters = clusterSets(stream.clusters, stream.actorIds);
    // The batch engine's clustering of its own graph; detectCoordination may then drop clusters on
    // evidence the stream does not keep (e.g. a minimum of separate occasions): those it keeps are among the stream's.
    assert.deepEqual(clusters, clusterSets(clusterAccounts(batch.result.graph), batch.actorIds));
    for (const kept of clusterSets(batch.result.clusters, batch.actorIds)) assert.ok(clusters.includes(kept));
    for (const ring of rings) assert.ok(clusters.some((cluster) => ring.members.every((member) => cluster.includes(member))), 'each planted ring is a cluster');
  });

  it('keeps an account while a co-action record naming it lives (its id is never reused under a live record)', () => {
    const repost = (id: string, actor: string, time: number, target: string) => ({ ...bareAction('bluesky', id, actor, 'repost', time), targetPost: target });
    const detector = new StreamDetector({ windowMs: 60_000, horizonMs: 120_000, latenessMs: 0, sweepEveryMs: 1 });
    detector.push(repost('1', 'did:plc:a', 0, 'p1'));
    detector.push(repost('2', 'did:plc:b', 50_000, 'p1'));
    detector.push(repost('3', 'did:plc:c', 125_000, 'p2'));
    detector.expire(125_000);
    assert.equal(detector.size().pairKeyRecords, 1, 'the a-b co-action at 50 s is inside the horizon');
    assert.deepEqual(detector.detect().actorIds, ['did:plc:a', 'did:plc:b', 'did:plc:c']);
    detector.push(repost('4', 'did:plc:c', 240_000, 'p3'));
    detector.expire(240_000);
    assert.deepEqual(detector.detect().actorIds, ['did:plc:c'], 'all of a and b expire together later');
  });

  it('counts events that arrive later than the lateness as late, and never drops them', () => {
    const { lines } = jetstreamStream({ durationMs: 600_000, organicPerSecond: 3, jitterMs: 20_000 });
    const detector = runStream(lines, { latenessMs: 1_000 });
    assert.ok(detector.late > 0);
    const parsed = lines.reduce((sum, line) => sum + parseJetstreamLine(line, '').actions.length, 0);
    assert.equal(detector.actions, parsed);
  });

  it('ignores an action delivered twice (at-least-once sources)', () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 150_000 });
    const once = runStream(lines, {}).detect();
    assert.ok(once.graph.size > 0, 'the stream has co-actions to double-count');
    const twice = runStream([...lines, ...lines.slice(0, 500)], {});
    assert.equal(twice.duplicates, 500);
    assert.deepEqual(edgeMap(twice.detect().graph, once.actorIds), edgeMap(once.graph, once.actorIds));
  });

  it('gives the same graph with tables pre-sized from a hint, and rejects a bad hint', () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 150_000 });
    const grown = runStream(lines, {});
    const sized = runStream(lines, { expectedRecords: 50_000 });
    const base = grown.detect();
    assert.ok(base.graph.size > 0);
    assert.deepEqual(edgeMap(sized.detect().graph, base.actorIds), edgeMap(base.graph, base.actorIds));
    assert.equal(sized.coActions, grown.coActions);
    assert.throws(() => new StreamDetector({ expectedRecords: -1 }), /expectedRecords/);
  });

  it('keeps state bounded by the horizon on a long stream, and finds the rings in every stretch', () => {
    const hour = 3_600_000;
    const { lines, rings } = jetstreamStream({ durationMs: 8 * hour, organicPerSecond: 1.5, ringEveryMs: 240_000 });
    const detector = new StreamDetector({ windowMs: 60_000, horizonMs: hour });
    const unbounded = new StreamDetector({ windowMs: 60_000, horizonMs: Infinity });
    const start = 1_720_000_000_000;
    const sizes: number[] = [];
    const growing: number[] = [];
    const total = (size: ReturnType<StreamDetector['size']>): number => size.pairKeyRecords + size.actorKeyRecords + size.keys + size.actors + size.bufferedEvents + size.held;
    let nextSample = start + 2 * hour;
    for (const line of lines) {
      for (const action of parseJetstreamLine(line, '').actions) {
        detector.push(action);
        unbounded.push(action);
        if (action.time >= nextSample) {
          sizes.push(total(detector.size()));
          growing.push(total(unbounded.size()));
          nextSample += hour;
        }
      }
    }
    assert.ok(sizes.length >= 5);
    const first = sizes[0] ?? 0;
    for (const size of sizes) assert.ok(size < first * 1.3, `state ${size} stays near ${first} (samples ${sizes.join(', ')})`);
    assert.ok((growing[growing.length - 1] ?? 0) > 2 * (growing[0] ?? 0), `without expiry it grows: ${growing.join(', ')}`);
    const live = detector.detect();
    const clusters = clusterSets(live.clusters, live.actorIds);
    for (const ring of rings) assert.ok(clusters.some((cluster) => ring.members.filter((member) => cluster.includes(member)).length >= ring.members.length - 1));
  });
});
