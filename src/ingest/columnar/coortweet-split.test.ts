import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Reject } from '../../model/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { readCoortweetColumns } from './coortweet-columns.js';
import type { CoortweetColumns } from './coortweet-columns.js';
import { chooseCut, readCoortweetColumnsSplit } from './coortweet-split.js';
import type { SplitReadOptions } from './coortweet-split.js';
import type { CpuSample } from './idle-cores.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

const HEADER = 'object_id,account_id,content_id,timestamp_share,text';

function write(text: string): string {
  const file = join(dir, `split-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  return file;
}

/** Everything a reader gives, with ids as text (so both readers' numbering is compared too). */
function described(columns: CoortweetColumns, rejects: Reject[]): unknown {
  return {
    rows: Array.from(columns.object, (object, r) => [object, columns.content[r], columns.account[r], columns.timestamp[r]]),
    objects: columns.objects.texts(), contents: columns.contents.texts(), accounts: columns.accounts.texts(),
    files: columns.files.map(({ file, read, rejected }) => ({ file, read, rejected })),
    rejects,
  };
}

async function bothReaders(files: string[]): Promise<{ split: unknown; single: unknown; threads: number[] }> {
  const splitRejects: Reject[] = [];
  const split = await readCoortweetColumnsSplit(files, (reject) => splitRejects.push(reject), { minSplitBytes: 0, threads: 2 });
  const singleRejects: Reject[] = [];
  const single = readCoortweetColumns(files, (reject) => singleRejects.push(reject));
  return { split: described(split, splitRejects), single: described(single, singleRejects), threads: split.files.map((file) => file.threads) };
}

/** A good row; `text` goes into the fifth column, quoted. */
const row = (i: number, text = `t${i}`): string => `object_${i % 7},account_${i % 5},share_${i},${1_600_000_000 + i},"${text.replaceAll('"', '""')}"`;

describe('CooRTweet columns read on two threads', () => {
  it('equals the one-thread read on random files: quotes, multi-line fields, bad rows, blank lines, CRLF', async () => {
    const cell = fc.oneof(fc.constantFrom('plain', 'two\nlines', 'say "hi"', 'a,b', '', 'three\r\nline\nfield'), fc.string({ maxLength: 6 }));
    const line = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.nat(1_000), cell).map(([i, text]) => row(i, text)) },
      { weight: 1, arbitrary: fc.constantFrom('object_1,,share_x,1600000000,"no account"', 'object_1,account_1,share_y,yesterday,x', 'too,few', '', 'object_1,account_2,share_z,1600000001,"unclosed') },
      { weight: 1, arbitrary: fc.constantFrom('object_2,acc"ount_9,share_q,1600000002,stray quote', 'object_3,account_3,"share_3"x,1600000003,after quote') },
    );
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 60 }), fc.constantFrom('\n', '\r\n'), async (lines, newline) => {
      const file = write([HEADER, ...lines].join(newline) + newline);
      const { split, single } = await bothReaders([file]);
      assert.deepEqual(split, single);
    }), { numRuns: 25 });
  });

  it('cuts after a quoted multi-line field that spans the middle, and reads it whole', async () => {
    const before = Array.from({ length: 200 }, (_, i) => row(i)).join('\n');
    const long = Array.from({ length: 400 }, (_, i) => `line ${i} of one quoted field`).join('\n');
    const text = `${HEADER}\n${before}\n${row(200, long)}\n${Array.from({ length: 50 }, (_, i) => row(201 + i)).join('\n')}\n`;
    const file = write(text);
    const fieldStart = text.indexOf('"line 0');
    const fieldEnd = text.indexOf('field"', fieldStart) + 6;
    const middle = Math.floor(text.length / 2);
    assert.ok(fieldStart < middle && middle < fieldEnd, 'the middle of the file falls inside the quoted field');
    const cut = chooseCut(file, HEADER.length + 1, text.length);
    assert.equal(cut, text.indexOf('\n', fieldEnd) + 1, 'the cut is the line break ending the row with the long field');
    const { split, single, threads } = await bothReaders([file]);
    assert.deepEqual(split, single);
    assert.deepEqual(threads, [2], 'a worker read the second half');
    const columns = await readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 0, threads: 2 });
    assert.equal(columns.size, 251);
    assert.equal(columns.contents.text(columns.content[200]!), 'share_200');
  });

  it('reports a bad row in the second half with its true line number', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => (i === 100 ? row(i, 'multi\nline\nfirst half') : row(i)));
    lines[400] = 'object_1,account_1,share_bad,not a time,"x"';
    lines[450] = 'object_1,,share_bad2,1600000000,"y"';
    const text = `${HEADER}\n${lines.join('\n')}\n`;
    const file = write(text);
    assert.ok(chooseCut(file, HEADER.length + 1, text.length) < text.indexOf('share_bad,'), 'both bad rows are after the cut');
    const rejects: Reject[] = [];
    const columns = await readCoortweetColumnsSplit([file], (reject) => rejects.push(reject), { minSplitBytes: 0, threads: 2 });
    const lineOf = (needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;
    assert.deepEqual(rejects.map(({ line, reason }) => ({ line, reason })), [
      { line: lineOf('share_bad,'), reason: 'timestamp_share is not a unix time' },
      { line: lineOf('share_bad2,'), reason: 'account_id is empty' },
    ]);
    assert.equal(rejects[0]!.line, 404, 'header, 400 rows and the two extra lines of row 100 before it');
    assert.equal(columns.size, 498);
    assert.deepEqual(columns.files.map(({ read, rejected, threads }) => ({ read, rejected, threads })), [{ read: 500, rejected: 2, threads: 2 }]);
  });

  it('reads on alone when a stray quote makes the cut land inside a record', async () => {
    // One stray quote in an unquoted field before the middle: the even-quote rule then picks a
    // line break inside the quoted field that follows, which the first half's read detects.
    const lines = Array.from({ length: 300 }, (_, i) => row(i, i === 200 ? 'a\nb\nc' : `t${i}`));
    lines[10] = 'object_1,acc"ount_1,share_s,1600000000,plain';
    lines[150] = row(150, Array.from({ length: 200 }, (_, i) => `inner ${i}`).join('\n'));
    const file = write(`${HEADER}\n${lines.join('\n')}\n`);
    const { split, single, threads } = await bothReaders([file]);
    assert.deepEqual(split, single);
    assert.deepEqual(threads, [1], 'the worker\'s half was dropped');
  });

  it('reads several files in order, each split, ids numbered across them by first appearance', async () => {
    const a = write(`${HEADER}\n${Array.from({ length: 300 }, (_, i) => row(i)).join('\n')}\n`);
    const b = write(`${HEADER.split(',').reverse().join(',')}\n${Array.from({ length: 300 }, (_, i) => row(i + 250).split(',').reverse().join(',')).join('\n')}\n`);
    const { split, single, threads } = await bothReaders([a, b, a]);
    assert.deepEqual(split, single);
    assert.deepEqual(threads, [2, 2, 2]);
  });

  it('reads on one thread when told to, with the same result as on two', async () => {
    const file = write(`${HEADER}\n${Array.from({ length: 300 }, (_, i) => row(i)).join('\n')}\n`);
    const one = await readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 0, threads: 1 });
    const two = await readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 0, threads: 2 });
    assert.deepEqual([one.files[0]!.threads, two.files[0]!.threads], [1, 2]);
    assert.deepEqual(described(one, []), described(two, []));
  });

  /** CPU counters that advance by `idlePerCall` idle and 200 total units (2 CPUs) per call. */
  const counters = (idlePerCall: number): (() => CpuSample) => {
    let calls = 0;
    return () => { calls++; return { idle: calls * idlePerCall, total: calls * 200, cpus: 2, source: 'proc-stat' }; };
  };

  it('decides by the cores idle during the probe, not the load average, with the same rows whichever way', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => (i === 3 ? 'object_1,,share_e,1600000000,"probe reject"' : i === 350 ? 'object_1,account_1,share_f,later,"tail reject"' : row(i)));
    const file = write(`${HEADER}\n${lines.join('\n')}\n`);
    const single: Reject[] = [];
    const expected = described(readCoortweetColumns([file], (reject) => single.push(reject)), single);
    const run = async (options: Partial<SplitReadOptions>): Promise<{ split: string | undefined; threads: number }> => {
      const rejects: Reject[] = [];
      // A probe of 2,000 bytes: about 50 rows read before the decision, the rest cut in two.
      const columns = await readCoortweetColumnsSplit([file], (reject) => rejects.push(reject), { minSplitBytes: 0, probeBytes: 2_000, cores: 2, ...options });
      assert.deepEqual(described(columns, rejects), expected);
      return { split: columns.files[0]!.split, threads: columns.files[0]!.threads };
    };
    // One of two cores idle while this thread read (idle 100 of 200 units): split, even at load 50.
    assert.deepEqual(await run({ sampleCpu: counters(100), busyLoad: 0 }), { split: 'idle', threads: 2 });
    // Both cores busy (idle 20 of 200: 0.2 cores): one thread, even with a load average of 0.
    assert.deepEqual(await run({ sampleCpu: counters(20), busyLoad: Infinity }), { split: 'busy', threads: 1 });
    // No counters: the load average decides.
    assert.deepEqual(await run({ sampleCpu: () => null, busyLoad: Infinity }), { split: 'load-average', threads: 2 });
    assert.deepEqual(await run({ sampleCpu: () => null, busyLoad: 0 }), { split: 'busy', threads: 1 });
    // One core: never.
    assert.deepEqual(await run({ sampleCpu: counters(100), cores: 1 }), { split: 'busy', threads: 1 });
    // A file below minSplitBytes is not probed.
    assert.deepEqual(await run({ sampleCpu: counters(100), minSplitBytes: 1 << 30 }), { split: 'small', threads: 1 });
  });

  it('throws the one-thread reader\'s error for a file without the columns', async () => {
    const file = write('a,b\n1,2\n'.repeat(2));
    await assert.rejects(readCoortweetColumnsSplit([file], () => undefined, { minSplitBytes: 0, threads: 2 }), /object_id/);
  });
});
