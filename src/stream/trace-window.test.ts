import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { significantPairs } from '../detect/significance/index.js';
import { mulberry32 } from '../model/index.js';
import { TraceWindow } from './trace-window.js';

describe('TraceWindow running null-model statistics', () => {
  it('finds the same significant pairs, ln p and evidence as the batch test on the full live table, while records expire', () => {
    const rng = mulberry32(3);
    const window = new TraceWindow({ windowMs: 60_000, horizonMs: 600_000, maxPartnersPerEvent: 32 });
    const actors = 400;
    const identity = Int32Array.from({ length: actors }, (_, i) => i);
    let time = 0;
    let compared = 0;
    for (let step = 0; step < 30_000; step++) {
      time += Math.floor(rng() * 400);
      if (rng() < 0.25) {
        // A ring of 6 accounts acting together on a fresh key.
        const key = `ring${step}`;
        for (let member = 0; member < 6; member++) window.add(member, key, time + member * 500);
      } else {
        window.add(6 + Math.floor(rng() * (actors - 6)), `k${Math.floor(rng() * 300)}`, time);
      }
      if (step % 3_000 === 2_999) {
        window.expire(time);
        const mine = window.significant({ fdr: 0.001, minShared: 2 });
        const table = window.pairTable(identity);
        const theirs = significantPairs(table, window.activity(identity, actors), { fdr: 0.001, minShared: 2 });
        assert.equal(mine.tested, table.size);
        const byPair = new Map<string, number>();
        for (const row of theirs.kept) byPair.set(`${table.a[row]}|${table.b[row]}`, row);
        assert.equal(mine.size, theirs.kept.length, `kept pairs at step ${step}`);
        assert.ok(mine.size > 0);
        for (let row = 0; row < mine.size; row++) {
          const other = byPair.get(`${mine.a[row]}|${mine.b[row]}`);
          assert.ok(other !== undefined, 'the same pair is kept');
          assert.equal(mine.shared[row], table.shared[other]);
          assert.equal(mine.coActions[row], table.coActions[other]);
          assert.equal(mine.sumDelta[row], table.sumDelta[other]);
          assert.ok(Math.abs(mine.idf[row]! - table.idf[other]!) < 1e-9);
          assert.equal(mine.logP[row], theirs.logP[other]);
        }
        compared++;
      }
    }
    assert.equal(compared, 10);
    assert.ok(window.size().pairKeyRecords < 20_000, `records expire (${window.size().pairKeyRecords})`);
  });
});
