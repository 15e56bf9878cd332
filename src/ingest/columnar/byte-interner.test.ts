import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteInterner } from './byte-interner.js';
import { NumericIds } from './numeric-ids.js';
import type { NumericIdsOptions } from './numeric-ids.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Ids like real exports: a few prefixes, numbers small or huge, zero-padded or not, some not numeric at all. */
const idText = fc.oneof(
  fc.tuple(fc.constantFrom('', 'share_', 'object_', 'a', 'x9_'), fc.nat({ max: 3000 }), fc.nat({ max: 3 }))
    .map(([prefix, n, pad]) => `${prefix}${String(n).padStart(pad + 1, '0')}`),
  fc.bigInt({ min: 0n, max: 10n ** 24n - 1n }).map((n) => `${n}`),
  fc.bigInt({ min: 10n ** 24n, max: 10n ** 30n }).map((n) => `tw${n}`),
  fc.string({ maxLength: 5 }),
  fc.constantFrom('0', '00', '000', 'share_', '1e5', '12a'),
);

describe('byte interner, numeric ids', () => {
  it('gives the same ids, texts, order and look-ups as the byte path alone, whatever the ids look like', () => {
    fc.assert(fc.property(
      fc.array(idText, { maxLength: 400 }), fc.array(idText, { maxLength: 30 }),
      fc.record({ denseFloor: fc.constantFrom(0, 16, 1 << 20), maxShapes: fc.constantFrom(1, 3, 16), expectedValues: fc.constantFrom(0, 4, 5_000) }),
      (values, probes, options) => {
        const fast = new ByteInterner(4, 8, options);
        const slow = new ByteInterner(4, 8, false);
        for (const value of values) {
          const b = encode(value);
          assert.equal(fast.intern(b, 0, b.length), slow.intern(b, 0, b.length), value);
        }
        assert.equal(fast.size, new Set(values).size);
        assert.deepEqual(fast.texts(), slow.texts());
        for (const probe of [...probes, ...values]) {
          const b = encode(probe);
          assert.equal(fast.find(b, 0, b.length), slow.find(b, 0, b.length), probe);
        }
        for (let x = 0; x + 1 < fast.size; x++) assert.equal(Math.sign(fast.compare(x, x + 1)), Math.sign(slow.compare(x, x + 1)));
      },
    ), { numRuns: 300 });
  });

  it('interns values whose digits the caller read (bytes written later) as intern does: ids, texts before and after, order, values, look-ups, seal', () => {
    /** As the CooRTweet fast path calls it: the trailing digit run's start and value. */
    const parsed = (into: ByteInterner, b: Uint8Array): number => {
      let digitsAt = b.length, lo = 0;
      while (digitsAt > 0 && b[digitsAt - 1]! >= 0x30 && b[digitsAt - 1]! <= 0x39) digitsAt--;
      for (let i = digitsAt; i < b.length; i++) lo = lo * 10 + b[i]! - 0x30;
      return into.internParsed(b, 0, digitsAt, b.length, lo);
    };
    fc.assert(fc.property(fc.array(fc.tuple(idText, fc.boolean()), { maxLength: 300 }), fc.array(idText, { maxLength: 20 }), fc.constantFrom('texts', 'text', 'seal', 'values', 'sort', 'findIn', 'merge'), fc.constantFrom(1, 16),
      (values, probes, firstRead, maxShapes) => {
        const fast = new ByteInterner(4, 8);
        const slow = new ByteInterner(4, 8, false);
        const other = new ByteInterner(4, 8);
        for (const [value, viaDigits] of values) {
          const b = encode(value);
          assert.equal(viaDigits ? parsed(fast, b) : fast.intern(b, 0, b.length), slow.intern(b, 0, b.length), value);
          other.intern(b, 0, b.length);
        }
        // Whichever reads the bytes first, every later read agrees with the byte path.
        if (firstRead === 'text') for (let id = 0; id < fast.size; id++) assert.equal(fast.text(id), slow.text(id));
        if (firstRead === 'seal') fast.seal();
        if (firstRead === 'values') {
          const { arena, meta } = fast.values();
          for (let id = 0; id < fast.size; id++) assert.equal(new TextDecoder().decode(arena.subarray(meta[2 * id]!, meta[2 * id]! + meta[2 * id + 1]!)), slow.text(id));
        }
        if (firstRead === 'sort') assert.deepEqual(fast.sortByBytes(Int32Array.from({ length: fast.size }, (_, i) => i)), slow.sortByBytes(Int32Array.from({ length: slow.size }, (_, i) => i)));
        if (firstRead === 'merge') {
          // Handed over with numbers unwritten, into an interner that has seen some values (and may
          // have no room for the shapes: then by bytes), as the byte path's values merge.
          const into = (): ByteInterner => {
            const target = new ByteInterner(4, 8, { maxShapes });
            for (const probe of probes) target.intern(encode(probe), 0, encode(probe).length);
            return target;
          };
          const a = into(), b = into();
          assert.deepEqual(a.merge(fast.handOver()), b.merge(slow.values()));
          assert.deepEqual(a.texts(), b.texts());
        }
        if (firstRead === 'findIn') {
          // Into interners with every value, with the probes only (shapes missing, values by bytes or
          // not), with room for one shape, and by bytes alone.
          const probed = (options: Partial<NumericIdsOptions> | false): ByteInterner => {
            const target = new ByteInterner(4, 8, options);
            for (const probe of probes) target.intern(encode(probe), 0, encode(probe).length);
            return target;
          };
          for (const target of [other, probed({}), probed({ maxShapes: 1 }), probed(false)]) {
            for (let id = 0; id < fast.size; id++) assert.equal(fast.findIn(target, id), target.find(encode(slow.text(id)), 0, encode(slow.text(id)).length), slow.text(id));
          }
        }
        assert.deepEqual(fast.texts(), slow.texts());
        for (let x = 0; x + 1 < fast.size; x++) assert.equal(Math.sign(fast.compare(x, x + 1)), Math.sign(slow.compare(x, x + 1)));
        if (firstRead !== 'seal') {
          for (const probe of [...probes, ...values.map(([value]) => value)]) {
            const b = encode(probe);
            assert.equal(fast.find(b, 0, b.length), slow.find(b, 0, b.length), probe);
          }
        }
      },
    ), { numRuns: 300 });
  });

  it('tells apart ids that differ only in leading zeros or digit count, and finds values across interners', () => {
    const a = new ByteInterner();
    const b = new ByteInterner();
    const id = (interner: ByteInterner, text: string): number => { const bytes = encode(text); return interner.intern(bytes, 0, bytes.length); };
    assert.deepEqual(['share_1', 'share_01', 'share_001', 'share_1', '1', '01', '1234567890123456789', '1234567890123456789'].map((text) => id(a, text)), [0, 1, 2, 0, 3, 4, 5, 5]);
    id(b, 'share_01');
    id(b, '1234567890123456789');
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((x) => a.findIn(b, x)), [-1, 0, -1, -1, -1, 1]);
  });

  it('says two interners share no value only when none of one is found in the other (objects against contents)', () => {
    const runs = Number(process.env.LOCKSTEP_SWEEP ?? 1) * 200;
    // maxShapes 1: values of further shapes take the byte path on one side and not on the other.
    fc.assert(fc.property(fc.array(idText, { maxLength: 40 }), fc.array(idText, { maxLength: 40 }), fc.boolean(), fc.constantFrom(1, 16), fc.constantFrom(1, 16), (left, right, readParsed, maxShapes, otherMaxShapes) => {
      const a = new ByteInterner(4, 8, { maxShapes });
      const b = new ByteInterner(4, 8, { maxShapes: otherMaxShapes });
      for (const value of left) {
        const bytes = encode(value);
        let digitsAt = bytes.length, lo = 0;
        while (digitsAt > 0 && bytes[digitsAt - 1]! >= 0x30 && bytes[digitsAt - 1]! <= 0x39) digitsAt--;
        for (let i = digitsAt; i < bytes.length; i++) lo = lo * 10 + bytes[i]! - 0x30;
        if (readParsed) a.internParsed(bytes, 0, digitsAt, bytes.length, lo); else a.intern(bytes, 0, bytes.length);
      }
      for (const value of right) b.intern(encode(value), 0, encode(value).length);
      const found = Array.from({ length: a.size }, (_, id) => a.findIn(b, id));
      if (!a.mayShareWith(b)) assert.ok(found.every((id) => id === -1), `${left.join(' ')} | ${right.join(' ')}`);
    }), { numRuns: runs });
    const objects = new ByteInterner();
    const contents = new ByteInterner();
    for (let n = 0; n < 1000; n++) {
      objects.intern(encode(`object_${n}`), 0, encode(`object_${n}`).length);
      contents.intern(encode(`share_${n}`), 0, encode(`share_${n}`).length);
    }
    assert.equal(objects.mayShareWith(contents), false, 'CooRTweet\'s shapes: no look-up needed');
    contents.intern(encode('object_999'), 0, 10);
    assert.equal(objects.mayShareWith(contents), true);
    assert.equal(objects.findIn(contents, 999), 1000);
  });

  it('finds non-numeric values (hex hashes) in a table sized for many, and nothing in an interner without them', () => {
    const interner = new ByteInterner(100_000);
    const hex = (n: number): string => `${(n * 2654435761 >>> 0).toString(16)}ab${n.toString(16)}`;
    const probe = encode(hex(7));
    assert.equal(interner.find(probe, 0, probe.length), -1);
    for (let n = 0; n < 5_000; n++) {
      const bytes = encode(hex(n));
      assert.equal(interner.intern(bytes, 0, bytes.length), n);
    }
    assert.equal(interner.find(probe, 0, probe.length), 7);
    assert.equal(interner.text(4_999), hex(4_999));
  });

  it('keeps numbers below a large first one in the direct array when that many values are expected (a 10M-row CooRTweet file opens with object_2000000)', () => {
    const intern = (ids: NumericIds, text: string, next: number): number => {
      const bytes = encode(text);
      const id = ids.lookup(bytes, 0, bytes.length, true);
      if (id !== -1) return id;
      ids.add(next);
      return next;
    };
    for (const [expectedValues, hashed] of [[2_500_000, false], [0, true]] as const) {
      const ids = new NumericIds({ expectedValues });
      assert.equal(intern(ids, 'object_2000000', 0), 0);
      for (let n = 0; n < 20_000; n++) assert.equal(intern(ids, `object_${n * 97}`, 1 + n), 1 + n);
      for (let n = 19_999; n >= 0; n -= 7) assert.equal(intern(ids, `object_${n * 97}`, -1), 1 + n);
      assert.equal(intern(ids, 'object_2000000', -1), 0);
      // Without the hint the direct array starts at the first number and everything below is hashed.
      assert.equal(ids.hashedValues() > 0, hashed);
    }
  });

  it('gives the same ids when the direct array of a shape is sized to the values expected past 65,536 numbers, in and out of order', () => {
    const byBytes = new ByteInterner(16, 256, false);
    const presized = new ByteInterner(100_000);
    // Numbers up to 300,000: past the values expected too, so the presized array still grows.
    for (let i = 0; i < 400_000; i++) {
      const n = i < 200_000 ? i : (i * 7919) % 300_000;
      const bytes = encode(`share_${n}`);
      assert.equal(presized.intern(bytes, 0, bytes.length), byBytes.intern(bytes, 0, bytes.length));
    }
    assert.equal(presized.size, byBytes.size);
    assert.deepEqual(presized.texts(), byBytes.texts());
  });

  it('handles a million sequential and a hundred thousand sparse numeric ids', () => {
    const interner = new ByteInterner(16);
    for (let n = 0; n < 1_000_000; n++) {
      const bytes = encode(`share_${n}`);
      assert.equal(interner.intern(bytes, 0, bytes.length), n);
    }
    for (let n = 0; n < 100_000; n++) {
      const bytes = encode(`share_${1_000_000_000_000 + n * 7919}`);
      assert.equal(interner.intern(bytes, 0, bytes.length), 1_000_000 + n);
    }
    const probe = encode('share_999999');
    assert.equal(interner.find(probe, 0, probe.length), 999_999);
    assert.equal(interner.text(1_000_001), `share_${1_000_000_000_000 + 7919}`);
  });

  it('gives every value as text in id order, by one decode when all are ASCII and value by value once one is not', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('中文', 'é', '😀x', 'account_1', 'share_02')), { maxLength: 40 }), (values) => {
      const interner = new ByteInterner(4, 8);
      for (const value of values) { const bytes = encode(value); interner.intern(bytes, 0, bytes.length); }
      const texts = interner.texts();
      assert.deepEqual(texts, Array.from({ length: interner.size }, (_, id) => interner.text(id)));
      assert.deepEqual(texts, [...new Set(values)]);
    }), { numRuns: 300 });
  });

  it('sorts ids into byte order of their values, prefixes, NUL bytes and long shared prefixes included', () => {
    const value = fc.tuple(fc.constantFrom('', 'account_', 'account_account_1', 'a\u0000', '\u00E9', '\u{1F600}'), fc.string({ maxLength: 9 })).map(([prefix, rest]) => prefix + rest);
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), fc.nat(), (values, skip) => {
      const interner = new ByteInterner(4, 8);
      for (const text of values) { const bytes = encode(text); interner.intern(bytes, 0, bytes.length); }
      const ids = Int32Array.from({ length: interner.size }, (_, id) => id).filter((id) => (id + skip) % 5 !== 0);
      const sorted = Array.from(interner.sortByBytes(ids.slice()), (id) => interner.text(id));
      const want = Array.from(ids, (id) => interner.text(id)).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(sorted, want);
    }), { numRuns: 300 });
  });
});

describe('byte interner, byte order of many values', () => {
  it('sorts values of any bytes (so many distinct bytes that keys and positions do not fit one double) and of few', () => {
    // Values alike in their first six bytes (told apart only by the rest), random bytes, account ids.
    const head = Uint8Array.of(0, 255, 7, 128, 34, 44);
    const bytesOf = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 9 }), fc.nat(99_999).map((n) => encode(`account_${n}`)),
      fc.uint8Array({ minLength: 0, maxLength: 3 }).map((tail) => Uint8Array.from([...head, ...tail])),
    );
    // Every byte value among the keys (base 257: the comparator sort), or not (the packed sort).
    const everyByte = Array.from({ length: 43 }, (_, v) => Uint8Array.from({ length: 6 }, (_, j) => (6 * v + j) % 256));
    fc.assert(fc.property(fc.array(bytesOf, { minLength: 32, maxLength: 400 }), fc.boolean(), (values, allBytes) => {
      const interner = new ByteInterner(4, 8);
      for (const bytes of allBytes ? [...everyByte, ...values] : values) interner.intern(bytes, 0, bytes.length);
      const ids = Int32Array.from({ length: interner.size }, (_, id) => id).reverse();
      const bytes = (id: number): Buffer => { const v = interner.values(); return Buffer.from(v.arena.subarray(v.meta[2 * id]!, v.meta[2 * id]! + v.meta[2 * id + 1]!)); };
      const want = Array.from(ids).sort((x, y) => Buffer.compare(bytes(x), bytes(y)));
      assert.deepEqual(Array.from(interner.sortByBytes(ids)), want);
    }), { numRuns: 150 });
  });
});

describe('byte interner, sealed', () => {
  it('keeps every value, its text and its order after seal(), trims its arena and refuses new values and look-ups', () => {
    fc.assert(fc.property(fc.array(idText, { minLength: 1, maxLength: 200 }), (texts) => {
      const open = new ByteInterner(4096);
      const sealed = new ByteInterner(4096);
      for (const text of texts) { const bytes = encode(text); open.intern(bytes, 0, bytes.length); sealed.intern(bytes, 0, bytes.length); }
      sealed.seal();
      assert.deepEqual(sealed.texts(), open.texts());
      const ids = Int32Array.from({ length: open.size }, (_, i) => i);
      assert.deepEqual(sealed.sortByBytes(ids.slice()), open.sortByBytes(ids.slice()));
      const values = sealed.values();
      assert.equal(values.arena.buffer.byteLength, values.arena.length);
      const first = encode(texts[0]!);
      assert.throws(() => sealed.intern(first, 0, first.length), /after seal/);
      assert.throws(() => sealed.find(first, 0, first.length), /after seal/);
    }), { numRuns: 200 });
  });
});
