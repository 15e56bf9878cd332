import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { FingerprintTable } from './fingerprint-table.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

test('fingerprints found, marked, and the unmarked ones given back as written', () => {
  const all = Array.from({ length: 500 }, (_, i) => md5(`row ${i}`));
  const table = new FingerprintTable(all.length);
  all.forEach((fingerprint, i) => assert.ok(table.add(fingerprint, i % 7)));
  assert.equal(table.add('not a fingerprint', 1), false);
  assert.equal(table.get(md5('absent')), undefined);
  all.forEach((fingerprint, i) => { if (i % 3 === 0) assert.equal(table.get(fingerprint, true), i % 7); });
  const unmarked = new Map(table.unmarked());
  assert.deepEqual([...unmarked.keys()].sort(), all.filter((_, i) => i % 3 !== 0).sort());
  all.forEach((fingerprint, i) => { if (i % 3 !== 0) assert.equal(unmarked.get(fingerprint), i % 7); });
});
