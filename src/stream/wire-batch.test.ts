import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { LabelUnits } from './label-units.js';
import { decodeBatch, encodeBatch, encodeEnd } from './wire-batch.js';
import type { EventBatch } from './wire-batch.js';

/** Version 1's encoder (session 6), to show its bytes still read. */
function encodeV1(batch: EventBatch): Uint8Array {
  const align8 = (n: number): number => Math.ceil(n / 8) * 8;
  const labels = [...batch.newActors, ...batch.newKeys];
  const text = new TextEncoder().encode(labels.join(''));
  const n = batch.count;
  const tracesAt = 32 + 4 * labels.length;
  const actorAt = align8(tracesAt + batch.newKeys.length);
  const keyAt = actorAt + 4 * n;
  const timeAt = align8(keyAt + 4 * n);
  const textAt = timeAt + 8 * n;
  const out = new Uint8Array(textAt + text.length);
  const u32 = new Uint32Array(out.buffer, 0, 8 + labels.length);
  u32.set([0x3142_534c, batch.end ? 1 : 0, batch.b, n, batch.newActors.length, batch.newKeys.length, text.length, batch.publisher ?? 0]);
  for (let i = 0; i < labels.length; i++) u32[8 + i] = labels[i]!.length;
  for (let i = 0; i < batch.newKeys.length; i++) out[tracesAt + i] = STREAM_TRACES.indexOf(batch.newKeyTraces[i]!);
  new Int32Array(out.buffer, actorAt, n).set(batch.actor.subarray(0, n));
  new Int32Array(out.buffer, keyAt, n).set(batch.key.subarray(0, n));
  new Float64Array(out.buffer, timeAt, n).set(batch.time.subarray(0, n));
  out.set(text, textAt);
  return out;
}

const label = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }).map((rest) => `bluesky\u0000did:plc:${rest}`),
  fc.constantFrom('香港', '😀a', '😁a', '😀', 'a😀', '#HK', ''),
);
const time = fc.oneof(fc.integer({ min: -1e13, max: 2e13 }), fc.constantFrom(1_720_000_000_000, 0, -0.5, 1.25, 2 ** 53 - 1, -(2 ** 53) + 1));
const batch = fc.record({
  b: fc.nat(), publisher: fc.nat({ max: 65_535 }), publishers: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }), end: fc.boolean(),
  newActors: fc.array(label, { maxLength: 20 }),
  keys: fc.array(fc.tuple(label, fc.constantFrom(...STREAM_TRACES)), { maxLength: 20 }),
  events: fc.array(fc.tuple(fc.nat({ max: 70_000 }), fc.integer({ min: -1, max: 70_000 }), time), { maxLength: 60 }),
  sorted: fc.boolean(),
}).map(({ b, publisher, publishers, end, newActors, keys, events, sorted }): EventBatch => {
  const list = sorted ? [...events].sort((x, y) => x[2] - y[2]) : events;
  return {
    b, publisher, ...(publishers === undefined ? {} : { publishers }), end, newActors, newKeys: keys.map(([k]) => k), newKeyTraces: keys.map(([, trace]): StreamTrace => trace), count: list.length,
    actor: Int32Array.from(list, ([a]) => a), key: Int32Array.from(list, ([, k]) => k), time: Float64Array.from(list, ([, , t]) => t),
  };
});
const plain = (decoded: EventBatch): unknown => ({ ...decoded, publisher: decoded.publisher ?? 0, publishers: decoded.publishers, actor: [...decoded.actor], key: [...decoded.key], time: [...decoded.time] });

describe('event batches on the wire', () => {
  it('decode(encode(batch)) is the batch, labels with shared prefixes and surrogate pairs, whole and fractional times, version 1 bytes still read', () => {
    fc.assert(fc.property(batch, fc.nat({ max: 7 }), (sent, shift) => {
      const bytes = encodeBatch(sent);
      // At any offset in a larger buffer, as a message may sit in a pooled buffer.
      const moved = new Uint8Array(bytes.length + shift);
      moved.set(bytes, shift);
      assert.deepEqual(plain(decodeBatch(moved.subarray(shift), 'm')), plain(sent));
      // Version 1 has no publisher count.
      assert.deepEqual(plain(decodeBatch(encodeV1(sent), 'm')), plain({ ...sent, publishers: undefined }));
    }), { numRuns: 800 });
    // The count beside the publisher (stream-publish --threads): both read back, and a count left out reads as not said.
    assert.deepEqual([decodeBatch(encodeEnd(4, 65_534, 65_535), 'm').publisher, decodeBatch(encodeEnd(4, 65_534, 65_535), 'm').publishers], [65_534, 65_535]);
    assert.equal(decodeBatch(encodeEnd(4, 2), 'm').publishers, undefined);
    assert.deepEqual(plain(decodeBatch(encodeEnd(4, 2), 'm')), plain({ b: 4, publisher: 2, end: true, newActors: [], newKeys: [], newKeyTraces: [], count: 0, actor: new Int32Array(0), key: new Int32Array(0), time: new Float64Array(0) }));
  });

  it('sends an arrival-ordered batch of Jetstream-like events in fewer than half the bytes of version 1', () => {
    const n = 2_000;
    const sent: EventBatch = {
      b: 0, end: false, newActors: Array.from({ length: 800 }, (_, i) => `bluesky\u0000did:plc:organic${i * 7}`),
      newKeys: Array.from({ length: 300 }, (_, i) => `bluesky:at://did:plc:organic${i}/app.bsky.feed.post/r${i.toString(36)}`), newKeyTraces: Array.from({ length: 300 }, (): StreamTrace => 'co-repost'),
      count: n, actor: Int32Array.from({ length: n }, (_, e) => (e * 37) % 800), key: Int32Array.from({ length: n }, (_, e) => (e % 5 === 0 ? -1 : (e * 13) % 300)),
      time: Float64Array.from({ length: n }, (_, e) => 1_720_000_000_000 + e * 130 + (e % 7) * 40),
    };
    const v2 = encodeBatch(sent).length, v1 = encodeV1(sent).length;
    assert.ok(2 * v2 < v1, `${v2} bytes against ${v1}`);
    assert.deepEqual(plain(decodeBatch(encodeBatch(sent), 'm')), plain(sent));
  });

  it('leaves ASCII account labels in the bytes when asked (asciiActorText), which LabelUnits reads as the same labels; any other text as strings', () => {
    const before = ['bluesky\u0000did:plc:zz', 'x'];
    // Did-like ASCII labels sharing prefixes of every length with the label before (most of `batch`'s are not ASCII).
    const asciiLabel = fc.tuple(fc.constantFrom('', 'b', 'bluesky\u0000did:plc:', 'bluesky\u0000did:plc:ab'), fc.stringMatching(/^[a-c]{0,3}$/)).map(([prefix, tail]) => prefix + tail);
    const asciiBatch = fc.tuple(batch, fc.array(asciiLabel, { maxLength: 30 }), fc.array(asciiLabel, { maxLength: 30 })).map(([sent, newActors, keys]): EventBatch => ({
      ...sent, newActors, newKeys: keys.slice(0, sent.newKeys.length), newKeyTraces: sent.newKeyTraces.slice(0, keys.length),
    }));
    let asciiSeen = 0;
    fc.assert(fc.property(fc.oneof(batch, asciiBatch), fc.nat({ max: 7 }), (sent, shift) => {
      const moved = new Uint8Array(encodeBatch(sent).length + shift);
      moved.set(encodeBatch(sent), shift);
      const decoded = decodeBatch(moved.subarray(shift), 'm', { asciiActorText: true });
      const ascii = [...sent.newActors, ...sent.newKeys].every((one) => Array.from(one).every((c) => c.charCodeAt(0) < 0x80));
      if (!ascii) {
        assert.equal(decoded.actorText, undefined);
        assert.deepEqual(plain(decoded), plain(sent));
        return;
      }
      const { actorText, ...rest } = decoded;
      assert.ok(actorText !== undefined);
      asciiSeen += sent.newActors.length > 1 ? 1 : 0;
      assert.deepEqual(plain(rest), plain({ ...sent, newActors: [], newKeys: [] }));
      // Appended after labels already held, as a worker's next batch is.
      const units = new LabelUnits();
      for (const one of before) units.push(one);
      units.pushFrontCoded(actorText);
      assert.deepEqual(Array.from({ length: units.count }, (_, i) => units.label(i)), [...before, ...sent.newActors]);
    }), { numRuns: 800 });
    assert.ok(asciiSeen > 100, `${asciiSeen} batches of ASCII labels`);
  });

  it('names the message and what is wrong in damaged bytes', () => {
    const bytes = encodeBatch({ b: 0, end: false, newActors: ['bluesky\u0000did:plc:a'], newKeys: ['x'], newKeyTraces: ['co-hashtag'], count: 1, actor: Int32Array.of(0), key: Int32Array.of(0), time: Float64Array.of(5) });
    assert.throws(() => decodeBatch(bytes.subarray(0, 20), 'lockstep.events.j.3 #7'), /lockstep\.events\.j\.3 #7: not an event batch \(too short\)/);
    const wrong = bytes.slice();
    wrong[0] = 0;
    assert.throws(() => decodeBatch(wrong, 'm #1'), /m #1: not an event batch \(wrong magic number\)/);
    assert.throws(() => decodeBatch(bytes.subarray(0, bytes.length - 3), 'm #2'), /m #2: not an event batch/);
    const trace = bytes.slice();
    // The varint section: 2 per label, then the key's trace.
    trace[32 + 8 + 4] = 99;
    assert.throws(() => decodeBatch(trace, 'm #3'), /m #3: not an event batch \(unknown trace 99\)/);
    // Labels left in the bytes are checked as strings are: a label sharing more than the one before has, lengths that do not add up.
    const sharing = bytes.slice();
    sharing[32 + 8] = 1;
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    longer[bytes.length] = 0x61;
    for (const options of [{}, { asciiActorText: true }]) {
      assert.throws(() => decodeBatch(sharing, 'm #4', options), /m #4: not an event batch \(a label shares more than the label before it has\)/);
      assert.throws(() => decodeBatch(longer, 'm #5', options), /m #5: not an event batch \(label lengths do not match the labels\)/);
    }
  });
});
