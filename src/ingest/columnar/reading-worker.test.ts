import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Reject } from '../../model/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { readCoortweetColumns } from './coortweet-columns.js';
import { readCoortweetColumnsSplit } from './coortweet-split.js';
import { readingWorkers, startReadingWorker } from './reading-worker.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

function shares(name: string, rows: number, bad: number): string {
  const lines = Array.from({ length: rows }, (_, i) => (i === bad ? `object_1,,share_${i},1600000000` : `object_${i % 13},account_${i % 7},share_${i},${1_600_000_000 + i}`));
  const file = join(dir, name);
  writeFileSync(file, `object_id,account_id,content_id,timestamp_share\n${lines.join('\n')}\n`);
  return file;
}

describe('a reading worker started ahead of the read', () => {
  it('reads the second half when the file is split: same rows, ids and rejects (true line) as one thread', async () => {
    const file = shares('split.csv', 400, 350);
    const before = readingWorkers().started;
    startReadingWorker();
    assert.deepEqual(readingWorkers(), { waiting: true, started: before + 1 });
    const rejects: Reject[] = [];
    const columns = await readCoortweetColumnsSplit([file], (reject) => rejects.push(reject), { minSplitBytes: 0, threads: 2 });
    assert.deepEqual(readingWorkers(), { waiting: false, started: before + 1 }, 'the read took it, starting none of its own');
    assert.equal(columns.files[0]!.threads, 2);
    const single: Reject[] = [];
    const expected = readCoortweetColumns([file], (reject) => single.push(reject));
    assert.deepEqual([...columns.object, ...columns.content, ...columns.account], [...expected.object, ...expected.content, ...expected.account]);
    assert.deepEqual(columns.contents.texts(), expected.contents.texts());
    assert.deepEqual(rejects.map(({ line, reason }) => ({ line, reason })), [{ line: 352, reason: 'account_id is empty' }]);
  });

  it('is stopped when no file is split, and a later split read starts its own', async () => {
    const file = shares('small.csv', 300, -1);
    startReadingWorker();
    const alone = await readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 1 << 30 });
    assert.equal(alone.files[0]!.threads, 1);
    assert.equal(readingWorkers().waiting, false, 'stopped, not left waiting');
    const split = await readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 0, threads: 2 });
    assert.equal(split.files[0]!.threads, 2);
    assert.deepEqual([...split.account], [...alone.account]);
  });
});
