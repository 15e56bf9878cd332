import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { scratchDir } from '../../test-support/fixtures.js';
import { ByteInterner } from './byte-interner.js';
import { fieldText, scanCsvFile } from './csv-scan.js';
import { parseDecimal } from './parse-number.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

function scan(text: string | Uint8Array, blockBytes: number): { fields: string[]; line: number; error: string | null }[] {
  const file = join(dir, `scan-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const records: { fields: string[]; line: number; error: string | null }[] = [];
  scanCsvFile(file, (record) => {
    records.push({ fields: Array.from({ length: record.count }, (_, f) => fieldText(record.buf, record.start[f]!, record.end[f]!)), line: record.line, error: record.error });
  }, { blockBytes });
  return records;
}

const quote = (field: string): string => (/[",\r\n]/.test(field) || field === '' ? `"${field.replaceAll('"', '""')}"` : field);
const field = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'crlf\r\nin', '', '中文', '"'));

describe('byte-level CSV scanner', () => {
  it('reads what csv-parse reads, whatever the block size (records cut across blocks)', () => {
    fc.assert(fc.property(
      fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 4, max: 64 }),
      (rows, newline, blockBytes) => {
        const text = rows.map((row) => row.map(quote).join(',')).join(newline) + newline;
        const want = parse(text, { relax_column_count: true }) as string[][];
        const got = scan(text, blockBytes);
        assert.deepEqual(got.map((record) => record.fields), want);
        assert.ok(got.every((record) => record.error === null));
      }), { numRuns: 150 });
  });

  it('numbers records by the physical line they start on, skips a BOM and blank lines', () => {
    const text = '\uFEFFa,b\n1,"x\ny"\n\n2,z\r\n3,"q""r"';
    const got = scan(text, 8);
    assert.deepEqual(got.map((record) => [record.line, ...record.fields]), [[1, 'a', 'b'], [2, '1', 'x\ny'], [5, '2', 'z'], [6, '3', 'q"r']]);
  });

  it('reports an unclosed quote and text after a closing quote on the record, with its raw text kept', () => {
    const got = scan('a,b\n"x"y,2\n3,"open\n', 1024);
    assert.equal(got[1]?.error, 'unexpected text after a closing quote');
    assert.equal(got[1]?.line, 2);
    assert.equal(got[2]?.error, 'a quoted field is not closed before the end of the file');
    assert.equal(got[2]?.line, 3);
  });
});

describe('byte interner', () => {
  it('numbers distinct byte strings in order of first appearance, and gives them back', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), (values) => {
      const interner = new ByteInterner(4, 8);
      const bytes = values.map((value) => new TextEncoder().encode(value));
      const ids = bytes.map((b) => interner.intern(b, 0, b.length));
      const firsts = [...new Set(values)];
      assert.equal(interner.size, firsts.length);
      assert.deepEqual(ids, values.map((value) => firsts.indexOf(value)));
      assert.deepEqual(interner.texts(), firsts);
      assert.equal(interner.find(new TextEncoder().encode('\u0000never'), 0, 6), -1);
    }), { numRuns: 200 });
  });

  it('compares values byte-wise', () => {
    const interner = new ByteInterner();
    const id = (text: string): number => { const b = new TextEncoder().encode(text); return interner.intern(b, 0, b.length); };
    const [a, ab, b] = [id('a'), id('ab'), id('b')];
    assert.ok(interner.compare(a, ab) < 0 && interner.compare(ab, b) < 0 && interner.compare(b, a) > 0 && interner.compare(a, a) === 0);
  });
});

describe('decimal numbers from bytes', () => {
  const parseText = (text: string): number => { const b = new TextEncoder().encode(text); return parseDecimal(b, 0, b.length); };
  it('reads integers, decimals and exponents like a SQL cast; anything else is NaN', () => {
    assert.equal(parseText(' 1276062878 '), 1276062878);
    assert.equal(parseText('1276062878123'), 1276062878123);
    assert.equal(parseText('12.5'), 12.5);
    assert.equal(parseText('-3e2'), -300);
    for (const bad of ['', '  ', 'abc', '12x', '0x10', '1,5']) assert.ok(Number.isNaN(parseText(bad)), bad);
  });
});
