import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClusterReport } from './cluster-report.js';
import { clustersJsonChunks } from './write-outputs.js';

const whole = (clusters: readonly unknown[]): string => `${JSON.stringify(clusters, null, 2)}\n`;
const streamed = (clusters: readonly unknown[]): string => [...clustersJsonChunks(clusters as readonly ClusterReport[])].join('');

test('clusters.json written a cluster at a time is byte for byte JSON.stringify(clusters, null, 2)', () => {
  // Nested arrays and objects, empty ones, strings with newlines, quotes and Chinese text.
  const report = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
  fc.assert(fc.property(fc.array(report, { maxLength: 6 }), (clusters) => {
    assert.equal(streamed(clusters), whole(clusters));
  }), { numRuns: 400 });
  assert.equal(streamed([]), '[]\n');
  const one = [{ id: 0, members: [{ account_id: '香港\n"x"', score: 0.5 }], evidence: [], set_aside: [] }];
  assert.equal(streamed(one), whole(one));
});

test('clusters.json comes in one chunk per cluster, not as one text', () => {
  const clusters = Array.from({ length: 50 }, (_, id) => ({ id, members: [{ account_id: `a${id}`, score: 1 }] }));
  const chunks = [...clustersJsonChunks(clusters as unknown as readonly ClusterReport[])];
  assert.equal(chunks.length, 52);
  assert.ok(Math.max(...chunks.map((chunk) => chunk.length)) < whole(clusters).length / 20);
});
