import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanned, scanTop, TOP_ACTION, TOP_GIVE_UP, TOP_NONE, TOP_NOT_JSON } from './jetstream-scan.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';
import { topFieldsJs } from './test-support/jetstream-top-js.js';

/** Runs of the equivalence property (swept ×50 once before committing). */
const RUNS = Number(process.env.TOP_FIELDS_RUNS ?? 3000);
const encoder = new TextEncoder();

describe('the top fields read in WebAssembly (readTop) against the JavaScript reading they replaced', () => {
  const sample = readFileSync(new URL('../ingest/test-support/jetstream-sample.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const lines = [...sample, ...jetstreamStream({ durationMs: 120_000, organicPerSecond: 2 }).lines.slice(0, 80)];
  /** Values the top fields' checks tell apart: dids, words, collections, times, escapes, other types. */
  const value = fc.constantFrom<unknown>(
    'did:plc:abc', 'did:web:a.b%20c-d_e:f', 'did:', 'did:plc:', 'did::x', 'did:PLC:x', 'did:plc:a/b', 'did:plc:é', 'dId:plc:x', 'did', 'did:plc:a"b', 'did:plc:a\\b',
    'commit', 'commits', 'identity', 'create', 'update', 'delete', 'Create', 'creat', 'c\u0072eate', 'cre\\ate',
    'app.bsky.feed.post', 'app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow', 'app.bsky.feed.likes', 'app.bsky.feed.pos', 'app.bsky.graph.block', '',
    'r3k', 'rké', '3l\u00e9x', 'a"b', 'a\nb',
    0, 1, 1720000000000000, 1.5, -1, 9007199254740991, 9007199254740992, 1e16, '1720000000000000', true, null, [], {}, { uri: 'x' },
  );
  const top = fc.constantFrom('did', 'time_us', 'kind', 'commit', 'commit.operation', 'commit.collection', 'commit.rkey', 'commit.record', 'commit.record.subject');
  const edited = fc.tuple(fc.constantFrom(...lines), fc.array(fc.tuple(top, fc.option(value, { nil: undefined }), fc.boolean()), { maxLength: 3 })).map(([text, edits]) => {
    const record = JSON.parse(text) as Record<string, unknown>;
    for (const [path, replacement, drop] of edits) {
      let parent = record as Record<string, unknown>;
      const keys = path.split('.');
      for (const key of keys.slice(0, -1)) parent = (typeof parent[key] === 'object' && parent[key] !== null ? parent[key] : (parent[key] = {})) as Record<string, unknown>;
      if (drop && replacement === undefined) delete parent[keys[keys.length - 1]!];
      // A copy: the constants' objects would otherwise be shared, and nest in themselves.
      else if (replacement !== undefined) parent[keys[keys.length - 1]!] = structuredClone(replacement);
    }
    return JSON.stringify(record);
  });
  /** Byte edits: escapes, quotes, digits and non-ASCII where the checks look. */
  const piece = fc.constantFrom('"', '\\', '\\u0064', '\\"', '0', '9', '.', 'e', '-', ':', 'é', '\u0001', '{', '}', ' ', '\t', 'a', 'Z', '/', '%');
  /** time_us at and past the safe integers' end, and other numbers. */
  const time = fc.oneof(fc.constantFrom(0, 1, 9007199254740991, 9007199254740992, 2 ** 53 + 2, 1e16, -1), fc.maxSafeNat(), fc.double());
  const timed = fc.tuple(fc.constantFrom(...lines), time).map(([text, timeUs]) => JSON.stringify({ ...(JSON.parse(text) as object), time_us: timeUs }));
  const line = fc.oneof(
    fc.constantFrom(...lines),
    edited,
    timed,
    fc.tuple(edited, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), piece), { minLength: 1, maxLength: 3 })).map(([text, edits]) => edits.reduce((t, [at, cut, insert]) => t.slice(0, at % (t.length + 1)) + insert + t.slice(at % (t.length + 1) + cut), text)),
  );

  it('gives the same verdict, offsets, time and hashes on Jetstream lines with their top fields changed, inside a larger buffer', () => {
    const seen = new Set<number>();
    fc.assert(fc.property(line, fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (text, before, after) => {
      const head = encoder.encode(before), all = encoder.encode(before + text + after);
      const start = head.length, stop = start + encoder.encode(text).length;
      const want = topFieldsJs(all, start, stop), got = scanTop(all, start, stop);
      seen.add(got);
      if (want === null) return assert.equal(got, TOP_NOT_JSON, text);
      assert.equal(got, want.code, text);
      if (got === TOP_GIVE_UP) return;
      const s = scanned;
      assert.deepEqual([s.didStart, s.didEnd, s.timeUs, s.rkeyStart, s.rkeyEnd], [want.didStart, want.didEnd, want.timeUs, want.rkeyStart, want.rkeyEnd], text);
      if (got === TOP_ACTION) assert.deepEqual([s.collection, s.didHash, s.idHash1, s.idHash2], [want.collection, want.didHash, want.idHash1, want.idHash2], text);
    }), { numRuns: RUNS });
    // Every verdict was met (the property is not vacuous).
    assert.deepEqual([...seen].sort(), [TOP_NOT_JSON, TOP_GIVE_UP, TOP_NONE, TOP_ACTION].sort());
  });
});
