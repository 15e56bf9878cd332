import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';

test('LOCKSTEP_LEIDEN_SEED (a test hook) gives detect\'s Leiden seed; unset, the default; not an integer, refused by name', () => {
  assert.equal(readConfig({ LOCKSTEP_LEIDEN_SEED: '7' }, false).leidenSeed, 7);
  assert.equal(readConfig({}, false).leidenSeed, null);
  assert.throws(() => readConfig({ LOCKSTEP_LEIDEN_SEED: '1.5' }, false), /LOCKSTEP_LEIDEN_SEED/);
});
