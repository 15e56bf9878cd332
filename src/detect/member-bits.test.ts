import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMember, memberBits } from './member-bits.js';

test('memberBits: an actor is a member exactly when its cluster is >= 0; actors beyond the array are not', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 200 }), (clusters) => {
    const clusterOf = Int32Array.from(clusters);
    const bits = memberBits(clusterOf);
    for (let actor = 0; actor < clusters.length + 70; actor++) assert.equal(isMember(bits, actor), (clusterOf[actor] ?? -1) >= 0, `actor ${actor}`);
  }), { numRuns: 300 });
});
