import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { join } from 'node:path';
import { coActionPairs } from '../../detect/kernel/index.js';
import { detectCoordination } from '../../detect/pipeline.js';
import type { DetectionResult } from '../../detect/pipeline.js';
import type { PairTable, TraceEvents } from '../../detect/kernel/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { EXAMPLES_DIR } from '../commands/demo.js';
import { readIoArchive } from './io-direct.js';
import { DiskPairSink } from './disk-pair-sink.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

function rows(table: PairTable): string[] {
  return Array.from(table.a.subarray(0, table.size), (a, r) =>
    `${a},${table.b[r]},${table.shared[r]},${table.coActions[r]},${table.idf[r]!.toFixed(9)},${table.sumDelta[r]}`).sort();
}

const trace: fc.Arbitrary<TraceEvents> = fc.record({ actors: fc.integer({ min: 2, max: 30 }), keys: fc.integer({ min: 1, max: 12 }) })
  .chain(({ actors, keys }) => fc.array(fc.tuple(fc.nat(actors - 1), fc.nat(keys - 1), fc.integer({ min: 0, max: 200 })), { maxLength: 300 })
    .map((events) => ({
      actor: Int32Array.from(events, (e) => e[0]), key: Int32Array.from(events, (e) => e[1]), time: Float64Array.from(events, (e) => e[2]),
      actorCount: actors, keyCount: keys,
    })));

describe('spilling pair partitions to disk', () => {
  it('removes the spill directory a killed run left behind, and keeps a live process\'s and any other', () => {
    const parent = join(dir, 'orphans');
    // 999999999 is above any pid Linux hands out (at most 2^22): that run is gone.
    for (const name of ['lockstep-pairs-999999999-dead', `lockstep-pairs-${process.ppid}-live`, 'lockstep-pairs-abc123', 'results']) {
      mkdirSync(join(parent, name), { recursive: true });
      writeFileSync(join(parent, name, 'p0-0.bin'), 'x');
    }
    const sink = new DiskPairSink(parent);
    const left = readdirSync(parent).filter((name) => join(parent, name) !== sink.dir).sort();
    sink.close();
    assert.deepEqual(left, ['lockstep-pairs-abc123', `lockstep-pairs-${process.ppid}-live`, 'results'].sort());
    assert.ok(!readdirSync(parent).some((name) => name.startsWith(`lockstep-pairs-${process.pid}-`)), 'its own directory is removed by close()');
  });

  it('gives the in-memory result whatever the budget, and leaves no chunk file behind', () => {
    fc.assert(fc.property(trace, fc.integer({ min: 0, max: 60 }), fc.constantFrom(1, 2, 16), fc.integer({ min: 1, max: 20 }), (events, window, partitions, budget) => {
      const plain = coActionPairs(events, { window, partitions });
      const sink = new DiskPairSink(dir);
      try {
        const spilled = coActionPairs(events, { window, partitions, sink, maxPairsInMemory: budget });
        assert.deepEqual(rows(spilled.pairs), rows(plain.pairs));
        assert.equal(spilled.stats.spilledChunks, sink.chunks);
        assert.deepEqual(readdirSync(sink.dir), [], 'every chunk was read back and deleted');
      } finally {
        sink.close();
      }
    }), { numRuns: 100 });
  });

  it('really writes chunks on a larger trace and merges them back exactly', () => {
    const n = 60_000;
    let seed = 11;
    const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    const events: TraceEvents = {
      actor: Int32Array.from({ length: n }, () => Math.floor(next() * 3_000)), key: Int32Array.from({ length: n }, () => Math.floor(next() * 4_000)),
      time: Float64Array.from({ length: n }, () => Math.floor(next() * 900_000)), actorCount: 3_000, keyCount: 4_000,
    };
    const plain = coActionPairs(events, { window: 60_000 });
    const sink = new DiskPairSink(dir);
    try {
      const spilled = coActionPairs(events, { window: 60_000, sink, maxPairsInMemory: 4_000 });
      assert.ok(sink.chunks >= 16 && sink.bytes > plain.pairs.size * 16, `${sink.chunks} chunks, ${sink.bytes} bytes for ${plain.pairs.size} pairs`);
      assert.deepEqual(rows(spilled.pairs), rows(plain.pairs));
    } finally {
      sink.close();
    }
    assert.ok(!readdirSync(dir).includes(sink.dir.split('/').pop() ?? ''), 'close() removes the directory');
  });

  it('a whole detection with a small pair budget spills and finds the same edges, weights and clusters as in memory', async () => {
    // The bundled synthetic archive (npm start's): campaigns among organic accounts and confounders.
    const archive = [{ file: join(EXAMPLES_DIR, 'synthetic', 'tweets.csv'), format: 'twitter-io-tweets' as const }, { file: join(EXAMPLES_DIR, 'synthetic', 'users.csv'), format: 'twitter-io-users' as const }];
    const { source } = await readIoArchive(archive, { rejects: join(dir, 'rejects.csv') });
    try {
      const loaded = await source.loadTraces(['co-repost', 'co-link', 'co-hashtag'], { fastRepostMs: 60_000, platforms: [] }, () => undefined);
      const input = { actorCount: loaded.actorIds.length, traces: loaded.traces };
      // Spilled chunks merge in another order, so edges come in another order and IDF sums may
      // differ in the last bits: edges are compared as a set, weights to 9 significant digits.
      const described = (result: DetectionResult): string[] => [
        ...Array.from(result.graph.a.subarray(0, result.graph.size), (a, e) =>
          `${a},${result.graph.b[e]},${result.graph.weight[e]!.toPrecision(9)},${result.graph.logP[e]!.toPrecision(9)},${result.graph.traces.map((trace) => result.graph.perTrace.get(trace)?.shared[e]).join('/')}`).sort(),
        ...result.clusters.map((cluster) => `cluster ${[...cluster.members].sort((x, y) => x - y).join(' ')} ${cluster.score.toPrecision(9)}`).sort(),
      ];
      const plain = detectCoordination(input);
      const sink = new DiskPairSink(dir);
      try {
        const spilled = detectCoordination(input, { pairSink: sink, maxPairsInMemory: 2_000 });
        const chunks = spilled.traces.reduce((sum, trace) => sum + trace.kernel.spilledChunks, 0);
        assert.ok(chunks >= 16 && sink.chunks === chunks, `${chunks} chunks spilled`);
        assert.ok(plain.graph.size > 500 && plain.clusters.length > 0, `${plain.graph.size} edges, ${plain.clusters.length} clusters`);
        assert.deepEqual(described(spilled), described(plain));
      } finally {
        sink.close();
      }
    } finally {
      await source.close();
    }
  });
});
