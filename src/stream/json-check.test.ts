import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkJsonObject, ESCAPED, JsonFields } from './json-check.js';

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

  it('records where named keys\' values sit, object by object, the last of a repeated key', () => {
    const names = ['did', 'kind', 'uri', 'tags', '$type', 'a'];
    const fields = new JsonFields(names);
    const key = fc.constantFrom(...names, 'b', 'di', 'didd', 'Did', '', 'uri ', 'kinds', '香港');
    const tree = fc.letrec((tie) => ({
      object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((members) => ({ members })),
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constantFrom(true, false, null, 1.5e-7), fc.array(fc.string(), { maxLength: 2 }), tie('object'), fc.array(tie('object'), { maxLength: 2 })),
    }));
    interface Tree { members: [string, unknown][] }
    const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && 'members' in value;
    fc.assert(fc.property(tree.object, fc.constantFrom('', ' ', '\t'), (root, space) => {
      // The text, and for each object its byte offset and each name's last value's byte offset.
      let text = '';
      const want: { at: number; values: Map<string, number> }[] = [];
      const write = (value: unknown): void => {
        if (isTree(value)) {
          const entry = { at: Buffer.byteLength(text), values: new Map<string, number>() };
          want.push(entry);
          text += '{';
          value.members.forEach(([k, v], index) => {
            text += `${index > 0 ? ',' : ''}${space}"${k}"${space}:${space}`;
            entry.values.set(k, Buffer.byteLength(text));
            write(v);
          });
          text += `${space}}`;
        } else if (Array.isArray(value)) {
          text += '[';
          value.forEach((v, index) => {
            text += index > 0 ? ',' : '';
            write(v);
          });
          text += ']';
        } else text += JSON.stringify(value);
      };
      write(root);
      const bytes = encoder.encode(text);
      assert.equal(checkJsonObject(bytes, 0, bytes.length, new Int32Array(bytes.length + 1), fields), true, text);
      for (const { at, values } of want) names.forEach((name, n) => assert.equal(fields.get(at, n), values.get(name) ?? -1, `${name} at ${at} in ${text}`));
    }), { numRuns: 600 });
    // A repeated key: the last; a key like a name but not it: nothing.
    const text = '{"kind":1,"did":{"uri":"x","uri":"y"},"kind":"z","kinda":0}', bytes = encoder.encode(text);
    assert.equal(checkJsonObject(bytes, 0, bytes.length, new Int32Array(bytes.length + 1), fields), true);
    assert.equal(text.slice(fields.get(0, 1), fields.get(0, 1) + 3), '"z"');
    const inner = fields.get(0, 0);
    assert.equal(text.slice(fields.get(inner, 2), fields.get(inner, 2) + 3), '"y"');
    assert.equal(fields.get(inner, 1), -1);
  });
});
