import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Reject } from '../../model/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { CoortweetRows, coortweetHeader, readCoortweetColumns } from './coortweet-columns.js';
import type { CoortweetColumns, CoortweetHeader } from './coortweet-columns.js';
import { scanCsvFile } from './csv-scan.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

function write(text: string): string {
  const file = join(dir, `columns-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  return file;
}

/**
 * The reader with blocks of `blockBytes` (so records are cut across blocks), with its fast path or
 * without it (every record through the general scanner and `add`).
 */
function read(file: string, onReject: (reject: Reject) => void, blockBytes: number, withFast: boolean): { columns: CoortweetColumns; fastRows: number } {
  const rows = new CoortweetRows(statSync(file).size);
  let header: CoortweetHeader | null = null;
  const afterHeader = scanCsvFile(file, (record) => {
    header = coortweetHeader(file, record);
    return false;
  }, { blockBytes });
  let read = 0, rejected = 0;
  const fast = withFast ? rows.fastPath(header!) : null;
  scanCsvFile(file, (record) => {
    read++;
    if (!rows.add(record, header!, file, onReject)) rejected++;
  }, { blockBytes, from: afterHeader.offset, firstLine: afterHeader.line, fast });
  const fastRows = fast?.rows ?? 0;
  return { columns: rows.columns([{ file, read: read + fastRows, rejected, seconds: 0, threads: 1 }]), fastRows };
}

/** Everything a reader gives, ids as text. */
function described(columns: CoortweetColumns, rejects: Reject[]): unknown {
  return {
    rows: Array.from(columns.object, (object, r) => [object, columns.content[r], columns.account[r], columns.timestamp[r]]),
    objects: columns.objects.texts(), contents: columns.contents.texts(), accounts: columns.accounts.texts(),
    files: columns.files.map(({ read, rejected }) => ({ read, rejected })),
    rejects,
  };
}

describe('CooRTweet columns: the fast path for simple lines', () => {
  it('reads what the general scanner reads, whatever the lines: quotes, spaces, CRLF, empty ids, bad times, extra and reordered columns', () => {
    const id = fc.oneof(
      { weight: 30, arbitrary: fc.oneof(fc.nat(40).map((n) => `${n}`), fc.nat(40).map((n) => `x_${n}`), fc.nat(40).map((n) => `0${n}`), fc.constantFrom('中文_3', 'é')) },
      // Shapes alike in length (the fast path's guess), digits around 9 and past 15, a digit inside the prefix.
      { weight: 10, arbitrary: fc.oneof(fc.nat(99).map((n) => `y_${n}`), fc.nat(99).map((n) => `xy${n}`), fc.nat(99).map((n) => `a1_${n}`), fc.constantFrom('x_999999999', 'x_1000000000', 'y_0999999999', '1234567890123456789', '01234567890')) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', ' a_1', 'a_1 ', '"q_1"', '"a,b"', 'two\nlines', 'a"b', 'a\rb') },
    );
    const time = fc.oneof({ weight: 10, arbitrary: fc.nat(2_000_000_000).map(String) }, { weight: 1, arbitrary: fc.constantFrom('', ' 17 ', '1.5e9', 'soon', '1700000000000', '-3', '0017', '17.', '9007199254740993', '123456789012345', '1234567890123456', '+5') });
    const cell = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('"say ""hi"""', '"a\nb"', ''));
    const line = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(id, id, id, time, cell) },
      { weight: 1, arbitrary: fc.constantFrom(['too', 'few'], [''], ['a', 'b', 'c', 'd', 'e', 'f']) },
    );
    const orders = fc.constantFrom(
      ['object_id', 'account_id', 'content_id', 'timestamp_share', 'text'],
      ['timestamp_share', 'Content_ID', 'text', 'account_id', 'object_id'],
    );
    let fastRowsSeen = 0;
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), orders, fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.integer({ min: 16, max: 200 }),
      (lines, header, newline, finalBreak, blockBytes) => {
        // Fields in the header's order: the tuple is (object, account, content, time, text).
        const roles = ['object_id', 'account_id', 'content_id', 'timestamp_share', 'text'];
        const text = [header.join(','), ...lines.map((fields) => (fields.length === 5
          ? header.map((name) => fields[roles.indexOf(name.toLowerCase())]!) : fields).join(','))].join(newline) + (finalBreak ? newline : '');
        const file = write(text);
        const generalRejects: Reject[] = [];
        const general = described(read(file, (reject) => generalRejects.push(reject), blockBytes, false).columns, generalRejects);
        const fastRejects: Reject[] = [];
        const fast = read(file, (reject) => fastRejects.push(reject), blockBytes, true);
        fastRowsSeen += fast.fastRows;
        assert.deepEqual(described(fast.columns, fastRejects), general);
        const readerRejects: Reject[] = [];
        assert.deepEqual(described(readCoortweetColumns([file], (reject) => readerRejects.push(reject)), readerRejects), general);
      }), { numRuns: 300 });
    // The fast path did take lines (else this compared the general scanner with itself).
    assert.ok(fastRowsSeen > 500, `fast rows ${fastRowsSeen}`);
  });

  it('hands the object column over in shared memory, also after it grew (a detect thread orders by it without a copy)', () => {
    const file = write(`object_id,account_id,content_id,timestamp_share\n${Array.from({ length: 3000 }, (_, i) => `o${i % 70},a${i % 13},s${i},${1_600_000_000 + i}`).join('\n')}\n`);
    // Sized for fewer rows than the file has: the columns grow while read.
    const rows = new CoortweetRows(1000);
    let header: CoortweetHeader | null = null;
    const afterHeader = scanCsvFile(file, (record) => { header = coortweetHeader(file, record); return false; });
    scanCsvFile(file, (record) => { rows.add(record, header!, file, () => undefined); }, { from: afterHeader.offset, firstLine: afterHeader.line, fast: rows.fastPath(header!) });
    const grown = rows.columns([]);
    assert.equal(grown.size, 3000);
    assert.ok(grown.object.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(Array.from(grown.object.subarray(0, 4)), [0, 1, 2, 3]);
    assert.ok(readCoortweetColumns([file], () => undefined).object.buffer instanceof SharedArrayBuffer);
  });

  it('keeps rejects with their true lines among fast rows', () => {
    const lines = ['object_id,account_id,content_id,timestamp_share'];
    for (let i = 0; i < 50; i++) lines.push(`object_${i % 3},account_${i % 4},share_${i},${1_600_000_000 + i}`);
    lines[21] = 'object_1,,share_x,1600000000';
    lines[40] = 'object_1,account_1,share_y,yesterday';
    const rejects: Reject[] = [];
    const columns = readCoortweetColumns([write(`${lines.join('\n')}\n`)], (reject) => rejects.push(reject));
    assert.equal(columns.size, 48);
    assert.deepEqual(rejects.map((reject) => [reject.line, reject.reason]), [[22, 'account_id is empty'], [41, 'timestamp_share is not a unix time']]);
    assert.deepEqual(columns.files.map((file) => [file.read, file.rejected]), [[50, 2]]);
    assert.equal(columns.contents.text(columns.content[47]!), 'share_49');
  });
});
