import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { REJECT_PAGE_ROWS } from '../store/duckdb/csv-reject-pages.js';
import { openHarness } from './test-support/ingest-harness.js';

/**
 * A file where most rows are bad must be reported row by row like any other: every bad row in the
 * rejects file with its line, in file order. The store hands the rejects over in pages (an earlier
 * version held them all and spread them into one call, which died on 200,000 of them); this file
 * spans several pages, and its torn rows, which DuckDB logs once per surplus column, count once.
 */
test('50,000 bad rows among good and torn ones: each rejected once, with its own line, in file order', { timeout: 120_000 }, async () => {
  const h = await openHarness();
  try {
    const rows = 60_000;
    const lines = ['object_id,account_id,content_id,timestamp_share'];
    const expected: [number, string][] = [];
    for (let i = 0; i < rows; i++) {
      const line = lines.length + 1;
      if (i % 10_000 === 7) {
        lines.push(`o${i},a${i % 97},c${i},1623881091,extra,fields`);
        expected.push([line, 'structure']);
      } else if (i % 6 === 0) {
        lines.push(`o${i},a${i % 97},c${i},1623881091`);
      } else {
        // Two identical bad rows share a fingerprint: both must still be reported, each at its line.
        lines.push(i === 4 || i === 5 ? 'o4x,a1,c4x,soon' : `o${i},a${i % 97},c${i},not a time ${i}`);
        expected.push([line, 'value']);
      }
    }
    const file = join(h.dir, 'mostly-bad.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const summary = await h.ingest(file);
    const structural = expected.filter(([, kind]) => kind === 'structure').length;
    assert.equal(summary.read, rows);
    assert.equal(summary.rejected, expected.length);
    assert.equal(summary.ingested + summary.duplicates + summary.rejected, rows);
    const rejects = await h.rejectRows();
    assert.equal(rejects.length, expected.length);
    assert.deepEqual(rejects.map((reject) => Number(reject.line)), expected.map(([line]) => line), 'every bad row at its own line, in file order');
    for (const [index, reject] of rejects.entries()) {
      assert.equal(reject.raw, lines[Number(reject.line) - 1], `line ${reject.line} kept as written`);
      assert.ok(reject.reason.length > 0);
      if (expected[index]?.[1] === 'structure') assert.match(reject.reason, /column/i);
    }
    assert.equal(structural, 6);
    assert.ok(expected.length > 2 * REJECT_PAGE_ROWS, 'the rejects span several pages');
  } finally {
    await h.close();
  }
});
