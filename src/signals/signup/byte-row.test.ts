import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 } from '../ipv4.js';
import { parseSignupTime, splitCsvLine } from './batch.js';
import { byteInterner, ipv4At, isoUtcAt, plainCells, rowCells } from './byte-row.js';

const trimmed = (text: string | undefined): string => (text ?? '').trim();

describe('plainCells', () => {
  it('finds the cells splitCsvLine finds on every line it accepts, and refuses only what is not plain (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', ' ', 'é', '1', '\t'), maxLength: 6 });
    let accepted = 0;
    fc.assert(fc.property(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 6 }), (row, count) => {
      const line = row.map(([value, quote]) => (quote || /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)).join(',');
      const bytes = Buffer.from(`x\n${line}\ny`, 'utf8');
      const cells = rowCells(count);
      const ok = plainCells(bytes, 2, bytes.length - 2, count, cells);
      const text = splitCsvLine(line);
      const plain = text.length >= count && row.slice(0, count).every(([value]) => !value.includes('"') && [...value].every((c) => c.charCodeAt(0) < 128) && !(value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)));
      assert.equal(ok, plain, line);
      if (!ok) return;
      accepted += 1;
      for (let i = 0; i < count; i++) assert.equal(bytes.toString('latin1', cells.starts[i], cells.ends[i]), trimmed(text[i]), line);
    }), { numRuns: 3000 });
    assert.ok(accepted > 100, `${accepted} plain lines`);
  });

  it('marks quoted cells and reads a quoted last cell and a trailing empty cell', () => {
    const bytes = Buffer.from('n1,"Mozilla/5.0 (X11, Linux)",', 'latin1');
    const cells = rowCells(3);
    assert.ok(plainCells(bytes, 0, bytes.length, 3, cells));
    assert.deepEqual([...cells.quoted], [0, 1, 0]);
    assert.equal(bytes.toString('latin1', cells.starts[1], cells.ends[1]), 'Mozilla/5.0 (X11, Linux)');
    assert.equal(cells.starts[2], cells.ends[2]);
    assert.equal(plainCells(Buffer.from('a,"b""c",d'), 0, 9, 3, cells), false);
    assert.equal(plainCells(Buffer.from('a,"b"c,d'), 0, 8, 3, cells), false);
    assert.equal(plainCells(Buffer.from('a,b'), 0, 3, 3, cells), false);
  });
});

describe('isoUtcAt and ipv4At', () => {
  it('read times as parseSignupTime does whenever they read one (property)', () => {
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    const iso = fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)), fc.constantFrom('-', ':', 'x'))
      .map(([y, mo, d, h, mi, s, ms, sep]) => `${y}${sep}${mo}-${d}T${h}:${mi}${sep}${s}${ms === null ? '' : `.${ms}`}Z`);
    const time = fc.oneof(iso, fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true }).map((date) => date.toISOString()), fc.string({ maxLength: 24 }));
    let read = 0;
    fc.assert(fc.property(fc.array(time, { minLength: 1, maxLength: 5 }), (texts) => {
      for (const text of texts) { // several in a row: the cached day must not leak into the next
        const bytes = Buffer.from(`,${text},`, 'latin1');
        const value = isoUtcAt(bytes, 1, bytes.length - 1);
        if (Number.isNaN(value)) continue;
        read += 1;
        assert.equal(value, parseSignupTime(text), text);
      }
    }), { numRuns: 2000 });
    assert.ok(read > 500, `${read} times read`);
    assert.ok(Number.isNaN(isoUtcAt(Buffer.from('2019-13-20T10:00:00Z'), 0, 20)));
  });

  it('read addresses as parseIpv4 does (property)', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('01', '', 'a', '00', '255'));
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.constantFrom('.', ':'), (parts, sep) => {
      const text = parts.join(sep);
      const bytes = Buffer.from(`x${text}y`, 'latin1');
      assert.equal(ipv4At(bytes, 1, bytes.length - 1), parseIpv4(text), text);
    }), { numRuns: 3000 });
    assert.equal(ipv4At(Buffer.from('203.0.113.7'), 0, 11), 3405803783);
  });
});

describe('byteInterner', () => {
  it('gives the lower-cased text, the same object for the same bytes, and survives growth and clearing (property)', () => {
    const interner = byteInterner({ lowerCase: true, maxTexts: 300 });
    const seen = new Map<string, string>();
    const domain = fc.string({ unit: fc.constantFrom(...'abcXYZ.-09'.split('')), maxLength: 12 });
    fc.assert(fc.property(fc.array(domain, { maxLength: 50 }), (domains) => {
      for (const text of domains) {
        const bytes = Buffer.from(`,${text},`, 'latin1');
        const got = interner.text(bytes, 1, bytes.length - 1);
        assert.equal(got, text.toLowerCase());
        const before = seen.get(got);
        if (before !== undefined && interner.size > 0) assert.equal(got, before);
        seen.set(got, got);
      }
      assert.ok(interner.size <= 300);
    }), { numRuns: 300 });
    const plain = byteInterner();
    assert.equal(plain.text(Buffer.from('Example.COM'), 0, 11), 'Example.COM');
    const long = 'x'.repeat(10_000);
    assert.equal(plain.text(Buffer.from(long), 0, long.length), long);
  });
});
