import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { lineShare } from './byte-front.js';
import { ESCAPED, JsonChecker, LINE_RECORD_INTS, OTHER_SHARE } from './json-check.js';
import { checkJsonObject, JsonFields } from './test-support/json-check-js.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

const encoder = new TextEncoder();
const checker = new JsonChecker();
function check(text: string): boolean {
  const bytes = encoder.encode(text);
  return checker.check(bytes, 0, bytes.length);
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
    // Inside a larger buffer: ends are positions in it.
    const text = '{"a": [1, {"b": "x"}], "c": null}', pad = 5;
    const bytes = encoder.encode(`${' '.repeat(pad)}${text}\n`);
    assert.equal(checker.check(bytes, pad, pad + text.length), true);
    for (const value of ['[1, {"b": "x"}]', '{"b": "x"}', '"x"', 'null', '"c"']) {
      const start = text.indexOf(value);
      assert.equal(text.slice(start, checker.end(pad + start) - pad), value);
    }
    // A string value holding an escape says so in its end.
    const escaped = '{"a": "x\\ny", "b": "xy"}', escapedBytes = encoder.encode(escaped);
    assert.equal(checker.check(escapedBytes, 0, escapedBytes.length), true);
    assert.equal(checker.end(escaped.indexOf('"x')), ESCAPED + escaped.indexOf('y"') + 2);
    assert.equal(checker.end(escaped.indexOf('"xy')), escaped.length - 1);
  });

  it('records where named keys\' values sit, object by object, the last of a repeated key', () => {
    const names = ['did', 'kind', 'uri', 'tags', '$type', 'a'];
    const fields = new JsonChecker(names);
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
      assert.equal(fields.check(bytes, 0, bytes.length), true, text);
      for (const { at, values } of want) names.forEach((name, n) => assert.equal(fields.get(at, n), values.get(name) ?? -1, `${name} at ${at} in ${text}`));
    }), { numRuns: 600 });
    // A repeated key: the last; a key like a name but not it: nothing.
    const text = '{"kind":1,"did":{"uri":"x","uri":"y"},"kind":"z","kinda":0}', bytes = encoder.encode(text);
    assert.equal(fields.check(bytes, 0, bytes.length), true);
    assert.equal(text.slice(fields.get(0, 1), fields.get(0, 1) + 3), '"z"');
    const inner = fields.get(0, 0);
    assert.equal(text.slice(fields.get(inner, 2), fields.get(inner, 2) + 3), '"y"');
    assert.equal(fields.get(inner, 1), -1);
  });
});

/** Runs of the equivalence property (swept ×50 once before committing). */
const EQUIVALENCE_RUNS = 3000;
/** Runs of the chunk property (swept ×50 once before committing). */
const CHUNK_RUNS = 100;

describe('JsonChecker (WebAssembly) against the JavaScript check it replaced', () => {
  const names = ['did', 'kind', 'commit', 'record', 'uri', 'subject', 'tags', '$type', 'text', 'a', ''];
  const wasm = new JsonChecker(names), fields = new JsonFields(names);
  const sample = readFileSync(new URL('../ingest/test-support/jetstream-sample.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const lines = [...sample, ...jetstreamStream({ durationMs: 120_000, organicPerSecond: 2 }).lines.slice(0, 60), '{"a":[1,-0.5e+3,true,false,null,{"b":"\\u00e9\\n"}],"":{}}', '{ "a" :\t[ ] , "uri" : "x" }'];
  /** Bytes that make or break JSON, and runs of them. */
  const piece = fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\t', '\r', '0', '-', '.', 'e', 'E', '+', '1', 't', 'n', 'f', 'u', 'a', 'é', '\u0001', '\u007f', '\\u00', '\\"', 'true', 'nul', 'false', '1e5', '"x"', '{}', '[]', '":"', '","');
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.oneof(piece, fc.string({ maxLength: 3 })));
  const line = fc.oneof(
    fc.constantFrom(...lines),
    fc.tuple(fc.constantFrom(...lines), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([text, edits]) => edits.reduce((t, [at, cut, insert]) => t.slice(0, at % (t.length + 1)) + insert + t.slice(at % (t.length + 1) + cut), text)),
    fc.dictionary(fc.constantFrom(...names, 'b', 'didd'), fc.jsonValue()).map((value) => JSON.stringify(value)),
    fc.string(),
  );

  it('accepts and refuses the same lines, recording the same ends and field positions, also inside a larger buffer', () => {
    fc.assert(fc.property(line, fc.string({ maxLength: 8 }), fc.oneof(fc.constant(''), fc.constant('\n'), piece, fc.string({ maxLength: 4 })), (text, before, after) => {
      // Bytes past the line's end (what follows it in a chunk) must not be read as the line's.
      const head = encoder.encode(before), body = encoder.encode(text), all = encoder.encode(before + text + after);
      const start = head.length, end = start + body.length;
      const ends = new Int32Array(all.length + 1).fill(-7), keyless = new Int32Array(all.length + 1).fill(-7);
      const want = checkJsonObject(all, start, end, ends), got = wasm.check(all, start, end);
      assert.equal(got, want, text);
      assert.equal(checkJsonObject(all, start, end, keyless, fields), want);
      if (!want) return;
      for (let k = 0; k < body.length; k++) {
        if (ends[k] === -7) continue;
        assert.equal(wasm.end(start + k), ends[k], `end at ${k} of ${text}`);
        if (all[start + k] === 123) names.forEach((_, n) => assert.equal(wasm.get(start + k, n), fields.get(start + k, n), `${names[n]} at ${k} of ${text}`));
      }
    }), { numRuns: EQUIVALENCE_RUNS });
  });

  it('scans a chunk\'s lines in one call at a time (scanLines): each line\'s verdict, ends and field positions as checked alone, calls resumed where they stopped', () => {
    // Lines repeated (more than a call's 1024 records and its first objects' room), ended by LF, CRLF or a lone CR (not a line end), and a last part without one.
    const wide = fc.nat({ max: 150 }).map((n) => `{"a":[${'{"uri":1},'.repeat(n)}{}]}`);
    const short = fc.tuple(fc.constantFrom('\n', '{}\n', ' x\r\n'), fc.nat({ max: 1500 })).map(([body, times]) => body.repeat(times));
    fc.assert(fc.property(short, fc.array(fc.tuple(fc.oneof(line, wide), fc.constantFrom('\n', '\r\n', '\r'), fc.nat({ max: 40 })), { minLength: 1, maxLength: 30 }), line, (head, parts, tail) => {
      const text = head + parts.map(([body, end, times]) => (body + end).repeat(times + 1)).join('') + tail.replace(/\n/g, ' ');
      const all = encoder.encode(text), chunk = new JsonChecker(names);
      chunk.chunk(all.length).set(all);
      let at = 0, from = 0;
      for (let count = chunk.scanLines(from, all.length); count > 0; count = chunk.scanLines(from, all.length)) {
        for (let k = 0; k < count; k++) {
          const feed = all.indexOf(10, at), end = feed > at && all[feed - 1] === 13 ? feed - 1 : feed;
          const [start, stop, code] = chunk.lineRecords.subarray(LINE_RECORD_INTS * k, LINE_RECORD_INTS * k + 3);
          assert.deepEqual([start, stop], [at, end], text);
          const ends = new Int32Array(end - at + 1).fill(-7), want = checkJsonObject(all, at, end, ends, fields);
          assert.equal(code !== -1, want, text.slice(at, end));
          for (let j = at; want && j < end; j++) {
            if (ends[j - at] === -7) continue;
            assert.equal(chunk.end(j), ends[j - at], `end at ${j} of ${text.slice(at, end)}`);
            if (all[j] === 123) names.forEach((_, n) => assert.equal(chunk.get(j, n), fields.get(j, n), `${names[n]} at ${j}`));
          }
          at = feed + 1;
        }
        from = chunk.resume();
        assert.equal(from, at);
      }
      assert.equal(all.indexOf(10, at), -1, 'a line left unscanned');
    }), { numRuns: CHUNK_RUNS });
  });

  it('with a share (stream-publish --threads), records every line but checks only its own: another share\'s line (byte-front\'s lineShare) has code OTHER_SHARE, its own the code it has without a share', () => {
    // Lines opening with a did (after spaces or tabs), whose bytes may hold quotes, escapes or control characters, and lines that do not.
    const did = fc.array(fc.oneof(fc.constantFrom('did:plc:', 'a', 'Z', '7', ':', '\\', '\u0001', '\u001f', '\t', ' ', 'é', '香', '"'), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));
    const rest = fc.oneof(fc.constant('}'), line.map((text) => `,${text.slice(1)}`));
    const headed = fc.tuple(fc.constantFrom('', ' ', '\t', ' \t '), did, rest).map(([pad, account, after]) => `${pad}{"did":"${account}"${after}`);
    const scan = (all: Uint8Array, share?: { index: number; of: number }): number[][] => {
      const chunk = new JsonChecker(names), records: number[][] = [];
      chunk.chunk(all.length).set(all);
      let from = 0;
      for (let count = chunk.scanLines(from, all.length, share); count > 0; count = chunk.scanLines(from, all.length, share)) {
        for (let k = 0; k < count; k++) records.push([...chunk.lineRecords.subarray(LINE_RECORD_INTS * k, LINE_RECORD_INTS * k + 3)]);
        from = chunk.resume();
      }
      return records;
    };
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(headed, line), fc.constantFrom('\n', '\r\n'), fc.nat({ max: 3 })), { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 5 }), (parts, of) => {
      const text = parts.map(([body, end, times]) => (body.replace(/[\r\n]/g, ' ') + end).repeat(times + 1)).join('');
      const all = encoder.encode(text), whole = scan(all);
      const owners = whole.map(() => 0);
      for (let index = 0; index < of; index++) {
        const shared = scan(all, { index, of });
        assert.deepEqual(shared.map(([start, end]) => [start, end]), whole.map(([start, end]) => [start, end]), text);
        shared.forEach(([start, end, code], k) => {
          const own = lineShare(all, start!, end!, of) === index;
          assert.equal(code, own ? whole[k]![2] : OTHER_SHARE, text.slice(start, end));
          if (own) owners[k]!++;
        });
      }
      assert.ok(owners.every((count) => count === 1), 'every line is one share\'s');
    }), { numRuns: CHUNK_RUNS });
  });

  it('checks lines longer than its first regions, with more objects than they hold', () => {
    const objects = Array.from({ length: 3000 }, (_, index) => `{"uri":"u${index}","a":${index}}`);
    const text = `{"did":"x","record":[${objects.join(',')}],"text":"${'y'.repeat(20_000)}"}`, bytes = encoder.encode(text);
    assert.equal(wasm.check(bytes, 0, bytes.length), true);
    assert.equal(text.slice(wasm.get(0, names.indexOf('text')) + 1, wasm.get(0, names.indexOf('text')) + 4), 'yyy');
    const last = text.lastIndexOf('{"uri"');
    assert.equal(text.slice(wasm.get(last, names.indexOf('uri')), wasm.end(wasm.get(last, names.indexOf('uri')))), '"u2999"');
    assert.equal(wasm.check(bytes, 0, bytes.length - 1), false);
    // And a short line after it.
    assert.equal(check('{"a":1}'), true);
  });

  it('ships the module its source builds to (scripts/build-wasm.mjs --check)', () => {
    const script = fileURLToPath(new URL('../../scripts/build-wasm.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr + run.stdout);
  });
});
