import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { FinishTurns } from './finish-turns.js';

/** Partitions of the given sizes that ask for the turn in that order, each holding it until the test passes it on; returns who finished when. */
async function finishOrder(sizes: readonly number[], passTwice = false): Promise<number[]> {
  const turns = new FinishTurns();
  const finished: number[] = [];
  const releases: Array<() => void> = [];
  const partitions = sizes.map(async (size, partition) => {
    const release = await turns.take(size);
    finished.push(partition);
    releases.push(release);
  });
  // Every partition has asked before the first turn is passed on (they completed at once).
  await tick();
  for (let turn = 0; turn < sizes.length; turn++) {
    assert.equal(finished.length, turn + 1, 'one partition holds the turn at a time');
    const release = releases[turn]!;
    release();
    if (passTwice) release();
    await tick();
  }
  await Promise.all(partitions);
  return finished;
}

describe('FinishTurns', () => {
  it('gives the first asker the turn at once, then the largest waiting, the smallest last', async () => {
    // Partition 0 asked first (nothing else waited): it goes first whatever its size.
    assert.deepEqual(await finishOrder([10, 500, 30, 5_000, 30]), [0, 3, 1, 2, 4]);
  });

  it('breaks ties by arrival and ignores a turn passed twice (a timer, then the finish)', async () => {
    assert.deepEqual(await finishOrder([1, 7, 7, 7, 9], true), [0, 4, 1, 2, 3]);
  });

  it('a partition that asks while another holds the turn waits, even if larger; the turn is free again after the last', async () => {
    const turns = new FinishTurns();
    const first = await turns.take(1);
    let second = false;
    const later = turns.take(1_000).then((release) => {
      second = true;
      return release;
    });
    await tick();
    assert.equal(second, false);
    assert.equal(turns.waiting, 1);
    first();
    (await later)();
    assert.equal(second, true);
    // Nothing waits: the next asker gets the turn at once.
    const again = await Promise.race([turns.take(3), tick().then(() => null)]);
    assert.equal(typeof again, 'function');
  });
});
