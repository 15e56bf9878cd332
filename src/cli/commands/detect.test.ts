import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DETECT_DEFAULTS } from '../../detect/pipeline.js';
import { DETECT_CLI_DEFAULTS } from './detect.js';

test('the defaults detect --help shows (and demo uses) are the engine\'s', () => {
  assert.equal(DETECT_CLI_DEFAULTS.fdr, String(DETECT_DEFAULTS.fdr));
  assert.equal(DETECT_CLI_DEFAULTS.minShared, String(DETECT_DEFAULTS.minShared));
  assert.equal(DETECT_CLI_DEFAULTS.minClusterSize, String(DETECT_DEFAULTS.cluster.minClusterSize));
  assert.equal(Number(DETECT_CLI_DEFAULTS.window) * 1000, DETECT_DEFAULTS.window);
});
