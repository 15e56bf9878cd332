import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkJsonObject, ESCAPED } from './json-check.js';

const encoder = new TextEncoder();
function check(text: string): boolean {
  const bytes = encoder.encode(text);
  return checkJsonObject(bytes, 0, bytes.length, new Int32Array(bytes.length + 1));
}
function parses(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
/** Keys with an escape, or white space other than spaces and tabs: left to JSON.parse. */
function escapedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(escapedKey);
  return Object.entries(value).some(([key, inner]) => JSON.stringify(key) !== `"${key}"` || escapedKey(inner));
}
const leftToJsonParse = (text: string): boolean => /[\r\n]/.test(text) || escapedKey(JSON.parse(text));

describe('checkJsonObject (the scanner\'s first pass)', () => {
  it('accepts a JSON object exactly when JSON.parse reads one (keys without escapes, spaces and tabs)', () => {
    const object = fc.dictionary(fc.string(), fc.jsonValue()).map((value) => JSON.stringify(value, null, ['', ' ', '\t'][value === null ? 0 : Object.keys(value).length % 3]));
    fc.assert(fc.property(object, (text) => {
      if (!leftToJsonParse(text)) assert.equal(check(text), true, text);
    }), { numRuns: 1500 });
    // Damaged objects and arbitrary text: never accepted where JSON.parse refuses.
    fc.assert(fc.property(fc.oneof(object, fc.string(), fc.json()), fc.nat(), fc.constantFrom('', '"', '\\', '{', '}', ',', ':', '-', '0', '01', '1.', '.5', 'e', 'tru', 'nul', '\u0001', '\\u12', ']'), (base, at, insert) => {
      const text = base.slice(0, at % (base.length + 1)) + insert + base.slice(at % (base.length + 1));
      if (check(text)) assert.equal(parses(text), true, text);
    }), { numRuns: 4000 });
    for (const text of ['{}', ' {"a":[1,-0.5e+3,true,false,null,{"b":"\\u00e9\\n"}]}\t', '{"":""}']) assert.equal(check(text), true, text);
    for (const text of ['', '[]', '"x"', '{"a":1,}', '{"a":01}', '{"a":1.}', '{"a":"\u0001"}', '{"a":"\\x"}', '{"a" 1}', '{"a":1}}', '{"a":1} x', '{"\\u0061":1}', '{"a":\r1}']) assert.equal(check(text), false, text);
  });

  it('records where each value ends', () => {
    const text = '{"a": [1, {"b": "x"}], "c": null}';
    const bytes = encoder.encode(text), ends = new Int32Array(bytes.length + 1);
    assert.equal(checkJsonObject(bytes, 0, bytes.length, ends), true);
    for (const value of ['[1, {"b": "x"}]', '{"b": "x"}', '"x"', 'null', '"c"']) {
      const start = text.indexOf(value);
      assert.equal(text.slice(start, ends[start]), value);
    }
    // A string value holding an escape says so in its end.
    const escaped = '{"a": "x\\ny", "b": "xy"}', escapedBytes = encoder.encode(escaped), escapedEnds = new Int32Array(escapedBytes.length + 1);
    assert.equal(checkJsonObject(escapedBytes, 0, escapedBytes.length, escapedEnds), true);
    assert.equal(escapedEnds[escaped.indexOf('"x')], ESCAPED + escaped.indexOf('y"') + 2);
    assert.equal(escapedEnds[escaped.indexOf('"xy')], escaped.length - 1);
  });
});
