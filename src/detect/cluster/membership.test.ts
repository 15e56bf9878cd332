import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compactLabels, renumberBySize } from './membership.js';
import { groupsOf } from './test-support/graphs.js';

describe('renumberBySize', () => {
  it('numbers communities by decreasing size, ties by smallest node id', () => {
    assert.deepEqual([...renumberBySize(Int32Array.of(7, 3, 3, 9)).membership], [1, 0, 0, 2]);
    assert.deepEqual([...renumberBySize(Int32Array.of(5, 5, 2, 2, 2, 0)).membership], [1, 1, 0, 0, 0, 2]);
    assert.equal(renumberBySize(Int32Array.of(5, 5, 2, 2, 2, 0)).communityCount, 3);
    assert.equal(renumberBySize(new Int32Array(0)).communityCount, 0);
  });

  it('accepts labels far above the node count', () => {
    assert.deepEqual([...renumberBySize(Int32Array.of(2_000_000_000, 1, 1)).membership], [1, 0, 0]);
  });

  it('rejects negative labels', () => {
    assert.throws(() => compactLabels(Int32Array.of(0, -1)), /node 1 has community -1/);
  });

  it('keeps the partition, and gives the same labels whatever labels came in (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(6), { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 7, maxLength: 7 }), (labels, relabel) => {
        // relabel must be injective to describe the same partition.
        const distinct = [...new Set(relabel)];
        fc.pre(distinct.length === 7);
        const a = renumberBySize(Int32Array.from(labels));
        const b = renumberBySize(Int32Array.from(labels, (l) => relabel[l]!));
        assert.deepEqual(groupsOf(a.membership), groupsOf(labels));
        assert.deepEqual([...a.membership], [...b.membership]);
        const sizes = Array.from({ length: a.communityCount }, (_, c) => a.membership.filter((x) => x === c).length);
        for (let c = 1; c < sizes.length; c++) assert.ok(sizes[c - 1]! >= sizes[c]!, `community ${c} is larger than ${c - 1}`);
        // Ties: the community whose smallest node id is smaller comes first.
        const firstNode = Array.from({ length: a.communityCount }, (_, c) => a.membership.indexOf(c));
        for (let c = 1; c < sizes.length; c++) if (sizes[c - 1] === sizes[c]) assert.ok(firstNode[c - 1]! < firstNode[c]!, `equal communities ${c - 1} and ${c} out of node order`);
      }),
    );
  });
});
