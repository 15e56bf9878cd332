import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { columnStrings, LabelUnits } from './label-units.js';
import { encodePartial, unitsPartial } from './partial-codec.js';
import { decodePartial } from './partial-decode.js';
import type { PartitionPartial } from './partial-codec.js';
import { unitsAscending } from './sorted-partial.js';

/** Labels of every kind a partial's JSON header must carry exactly: NUL, quotes, backslashes, non-ASCII, surrogate pairs, lone surrogates, long ones. */
const unit = fc.constantFrom('a', 'b', '0', '\u0000', '"', '\\', '\u001f', '\u007f', 'é', '\u2028', '\ud83d\ude00', '\ud800', '\udc00', '\uffff');
const label = fc.tuple(fc.constantFrom('', 'bluesky\u0000did:plc:', 'bluesky\u0000did:plc:abcdefghijklmnop'), fc.array(unit, { maxLength: 24 })).map(([prefix, units]) => prefix + units.join(''));
const inCodeUnitOrder = (labels: string[]): string[] => labels.slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

describe('LabelUnits (a worker\'s labels as code units)', () => {
  it('gives back every label as it was pushed, and any order of them as a column', () => {
    fc.assert(fc.property(fc.array(label, { maxLength: 80 }), (labels) => {
      const units = new LabelUnits();
      for (const one of labels) units.push(one);
      assert.equal(units.count, labels.length);
      assert.deepEqual(labels.map((_, i) => units.label(i)), labels);
      const order = labels.map((_, i) => labels.length - 1 - i);
      assert.deepEqual(columnStrings(units.column(order)), order.map((i) => labels[i]));
      // Not every label once: read in the order asked.
      const some = labels.map((_, i) => (i * 7) % 3).filter((i) => i < labels.length);
      assert.deepEqual(columnStrings(units.column(some)), some.map((i) => labels[i]));
      assert.equal(unitsAscending(units.column(labels.map((_, i) => i))), labels.every((one, i) => i === 0 || labels[i - 1]! <= one));
    }), { numRuns: 300 });
  });

  it('a partial encoded from its labels\' code units is the same bytes as from the strings, and reads back the strings', () => {
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 60 }), (unsorted) => {
      const actors = inCodeUnitOrder(unsorted);
      const units = new LabelUnits();
      for (const one of actors) units.push(one);
      const fields = { partition: 1, events: 3, duplicates: 0, traces: [] };
      const strings: PartitionPartial = { ...fields, actors };
      const fromUnits = unitsPartial({ ...fields, actorUnits: units.column(actors.map((_, i) => i)) });
      const bytes = encodePartial(fromUnits);
      assert.deepEqual(bytes, encodePartial(strings));
      assert.deepEqual(decodePartial(bytes, 'units').actors, actors);
      assert.deepEqual(fromUnits.actors, actors);
    }), { numRuns: 300 });
  });
});
