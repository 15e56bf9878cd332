import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { groupingTemplate, handlePattern, isSpecificTemplate } from '../handle-pattern.js';
import { handleShapes } from './handle-shape.js';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('handleShapes', () => {
  it('reads the template, pattern and specificity handle-pattern.ts gives, from bytes (property)', () => {
    const shapes = handleShapes();
    // Names, digit runs, punctuation, case switches, random-looking strings and over-long handles.
    const unit = fc.oneof(
      fc.constantFrom('Ruth', 'zhang', 'WEI', 'xK', 'q', '_', '.', '-', '7', '48213902', '123456', 'aB9', 'Zz0'),
      fc.string({ unit: fc.constantFrom(...'abcXYZ0123456789_.~ '.split('')), minLength: 1, maxLength: 4 }),
    );
    fc.assert(fc.property(fc.array(unit, { minLength: 1, maxLength: 12 }), (parts) => {
      const handle = parts.join('');
      const padded = Buffer.concat([bytesOf('xx,'), bytesOf(handle), bytesOf(',yy')]);
      const shape = shapes.read(padded, 3, 3 + handle.length, handle);
      const pattern = handlePattern(handle);
      const template = groupingTemplate(handle, pattern);
      assert.deepEqual({ template: shape.template, pattern: shape.pattern, specific: shape.specific }, { template, pattern, specific: isSpecificTemplate(template) }, handle);
    }), { numRuns: 3000 });
  });

  it('reads random-looking handles and mass-registration handles as the text functions do', () => {
    const shapes = handleShapes();
    for (const handle of ['xK9fQ2mLp0aZr7T', 'Ruth48213902', 'ab_c123456', 'a123456', 'zhang_wei12', 'aaaaaaaaaaaa', 'A1b2C3d4E5f6G7', 'x'.repeat(31), 'a.b.c.d.e.f.g.h']) {
      const shape = shapes.read(bytesOf(handle), 0, handle.length, handle);
      assert.equal(shape.pattern, handlePattern(handle), handle);
      assert.equal(shape.template, groupingTemplate(handle), handle);
    }
  });

  it('gives one shared object per distinct shape', () => {
    const shapes = handleShapes();
    const first = shapes.read(bytesOf('Ruth48213902'), 0, 12, 'Ruth48213902');
    const size = shapes.size;
    assert.equal(shapes.read(bytesOf('Mary77777777'), 0, 12, 'Mary77777777'), first);
    assert.equal(shapes.size, size);
    assert.notEqual(shapes.read(bytesOf('Mary7777777'), 0, 11, 'Mary7777777'), first);
    // Same template, different pattern: 'a' then 6 digits is not name-digits (one letter).
    const long = 'a.b.c.d.e.f.g.h'; // 15 tokens: keyed by text
    assert.equal(shapes.read(bytesOf(long), 0, long.length, long), shapes.read(bytesOf(long), 0, long.length, long));
  });
});
