import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectGarbage } from './release-memory.js';

/** A WeakRef to an 8 MB array nothing else holds, made in a function so no local keeps it. */
function unreferenced(): WeakRef<Float64Array> {
  return new WeakRef(new Float64Array(1 << 20));
}

test('collectGarbage frees what nothing holds', async () => {
  const dropped = unreferenced();
  // A WeakRef's target survives the job it was created in: let that end first.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage({ minRssBytes: 0 });
  assert.equal(dropped.deref(), undefined, 'collected');
});
