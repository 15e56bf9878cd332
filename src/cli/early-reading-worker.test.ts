import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SPLIT_READ_DEFAULTS } from '../ingest/columnar/index.js';
import { scratchDir } from '../test-support/fixtures.js';
import { EARLY_WORKER_MIN_BYTES, wantsReadingWorker } from './early-reading-worker.js';

test('the reading worker is started ahead only for detect --compat on a file the read would split', async () => {
  assert.equal(EARLY_WORKER_MIN_BYTES, SPLIT_READ_DEFAULTS.minSplitBytes);
  const { dir, cleanup } = await scratchDir();
  try {
    const large = join(dir, 'large.csv');
    const small = join(dir, 'small.csv');
    writeFileSync(large, 'x'.repeat(1000));
    writeFileSync(small, 'x'.repeat(999));
    const wants = (...args: string[]): boolean => wantsReadingWorker(['node', 'lockstep', ...args], 1000);
    assert.equal(wants('detect', large, '--out', dir, '--compat', 'coortweet'), true);
    assert.equal(wants('detect', '--compat=coortweet', '--window', '10', large), true);
    assert.equal(wants('detect', small, '--out', dir, '--compat', 'coortweet'), false, 'below the split size');
    assert.equal(wants('detect', large, '--out', dir), false, 'the default path: format not known yet');
    assert.equal(wants('detect', large, '--compat', 'coortweet', '--read-threads', '1'), false);
    assert.equal(wants('detect', large, '--compat', 'coortweet', '--read-threads=1'), false);
    assert.equal(wants('detect', large, '--compat', 'coortweet', '--read-threads', '2'), true);
    assert.equal(wants('ingest', large, '--compat'), false);
    assert.equal(wants('detect', join(dir, 'missing.csv'), '--compat', 'coortweet'), false);
  } finally {
    await cleanup();
  }
});
