import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EdgeAdjacency } from './adjacency.js';

/** The map clustering built before: each kept edge linked both ways, in edge order. */
function referenceMap(a: Int32Array, b: Int32Array, include: (edge: number) => boolean): Map<number, Map<number, number>> {
  const adjacency = new Map<number, Map<number, number>>();
  const link = (x: number, y: number, edge: number): void => {
    let row = adjacency.get(x);
    if (row === undefined) adjacency.set(x, (row = new Map()));
    row.set(y, edge);
  };
  for (let edge = 0; edge < a.length; edge++) {
    if (!include(edge)) continue;
    link(a[edge] ?? 0, b[edge] ?? 0, edge);
    link(b[edge] ?? 0, a[edge] ?? 0, edge);
  }
  return adjacency;
}

/** Distinct pairs a < b over `n` actors, in random order, and a random subset kept. */
const arbitraryGraph = fc.integer({ min: 2, max: 30 }).chain((n) =>
  fc.tuple(
    fc.constant(n),
    fc.uniqueArray(fc.tuple(fc.nat(n - 2), fc.nat(n - 1)), { maxLength: 120, selector: ([x, y]) => x * n + y })
      .map((pairs) => pairs.filter(([x, y]) => x < y)),
    fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }),
  ));

describe('EdgeAdjacency', () => {
  it('reads exactly like the map of maps: actor order, neighbour order and edges (property)', () => {
    fc.assert(fc.property(arbitraryGraph, ([n, pairs, keep]) => {
      const a = Int32Array.from(pairs, ([x]) => x);
      const b = Int32Array.from(pairs, ([, y]) => y);
      const include = (edge: number): boolean => keep[edge] === true;
      const fast = new EdgeAdjacency(n, a, b, pairs.length, include);
      const slow = referenceMap(a, b, include);
      assert.deepEqual([...fast.keys()], [...slow.keys()]);
      for (let actor = 0; actor <= n; actor++) {
        const row = slow.get(actor);
        assert.equal(fast.get(actor) === undefined, row === undefined);
        assert.deepEqual([...(fast.get(actor)?.keys() ?? [])], [...(row?.keys() ?? [])]);
        assert.deepEqual([...(fast.get(actor) ?? [])], [...(row ?? [])]);
      }
    }), { numRuns: 400 });
  });

  it('keeps only the edges asked for', () => {
    const adjacency = new EdgeAdjacency(4, Int32Array.of(0, 1, 2), Int32Array.of(1, 2, 3), 3, (edge) => edge !== 1);
    assert.deepEqual([...adjacency.keys()], [0, 1, 2, 3]);
    assert.deepEqual([...(adjacency.get(1) ?? [])], [[0, 0]]);
    assert.deepEqual([...(adjacency.get(2) ?? [])], [[3, 2]]);
  });
});
