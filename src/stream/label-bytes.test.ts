import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LabelBytes } from './label-bytes.js';
import { decodeBatch, encodeBatch, encodeByteLabelled } from './wire-batch.js';
import type { EventBatch } from './wire-batch.js';

/** Labels that share prefixes, parting inside multi-byte characters (é C3 A9 / è C3 A8, 香 / 馬), or holding surrogates. */
const bmp = ['bluesky\u0000did:plc:', 'a', 'ab', 'é', 'è', 'e', '香', '馬', 'ß', '\u07ff', '\u0800', '\uffff', ''];
const piece = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...bmp, '\u0000') }, { weight: 1, arbitrary: fc.constantFrom('😀', '😁', '\ud83d', '\ude00') });
const label = fc.oneof({ weight: 8, arbitrary: fc.array(piece, { maxLength: 5 }).map((parts) => parts.join('')) }, { weight: 2, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) });
const labels = fc.array(label, { maxLength: 12 });

function batchOf(newActors: string[], newKeys: string[]): EventBatch {
  return { b: 3, end: false, newActors, newKeys, newKeyTraces: newKeys.map(() => 'co-hashtag'), count: 2, actor: Int32Array.of(0, 1), key: Int32Array.of(-1, 0), time: Float64Array.of(5, 9) };
}

/** The list's labels into `into`; one holding a NUL as its scope, NUL and the rest (addJoined, as the partitioner adds accounts). */
function bytesOf(list: readonly string[], into: LabelBytes): LabelBytes {
  into.clear();
  for (const text of list) {
    const nul = text.indexOf('\u0000');
    if (nul > 0) into.addJoined(text.slice(0, nul), '\u0000', text.slice(nul + 1));
    else into.add(text);
  }
  return into;
}

/** The batch encoded from its labels' bytes; `asked` counts the times its strings were asked for. */
function byBytes(batch: EventBatch, actors: LabelBytes, keys: LabelBytes, asked = { count: 0 }): Uint8Array {
  const { newActors, newKeys, ...rest } = batch;
  return encodeByteLabelled({ ...rest, actorBytes: bytesOf(newActors, actors), keyBytes: bytesOf(newKeys, keys), labels: () => (asked.count++, { newActors, newKeys }) });
}

const hasSurrogate = (text: string): boolean => /[\ud800-\udfff]/.test(text);

describe('batch labels front-coded from their bytes', () => {
  it('give the bytes front coding of the strings gives, labels parting inside a character, non-ASCII and ASCII side by side, a batch with a surrogate from its strings', () => {
    const actors = new LabelBytes(), keys = new LabelBytes();
    let fromBytes = 0;
    fc.assert(fc.property(labels, labels, (newActors, newKeys) => {
      const batch = batchOf(newActors, newKeys);
      const asked = { count: 0 };
      const bytes = byBytes(batch, actors, keys, asked);
      assert.deepEqual(bytes, encodeBatch(batch));
      const surrogates = [...newActors, ...newKeys].some(hasSurrogate);
      assert.equal(asked.count, surrogates ? 1 : 0);
      if (!surrogates) {
        fromBytes++;
        const decoded = decodeBatch(bytes, 'm');
        assert.deepEqual([decoded.newActors, decoded.newKeys], [newActors, newKeys]);
      }
    }), { numRuns: 2000 });
    assert.ok(fromBytes > 400, `only ${fromBytes} batches went the bytes' way`);
  });

  it('hold a batch at a time: cleared, the next batch reuses the buffers, which grow for long labels', () => {
    const actors = new LabelBytes(), keys = new LabelBytes();
    const long = `https://example.com/${'é'.repeat(5_000)}`;
    const first = batchOf(['bluesky\u0000did:plc:aaa', 'bluesky\u0000did:plc:aab'], [long, `${long}x`]);
    assert.deepEqual(byBytes(first, actors, keys), encodeBatch(first));
    const manyActors = Array.from({ length: 600 }, (_, i) => `bluesky\u0000did:plc:${i.toString(36)}`);
    const second = batchOf(manyActors, []);
    const bytes = byBytes(second, actors, keys);
    assert.deepEqual(bytes, encodeBatch(second));
    assert.deepEqual(decodeBatch(bytes, 'm').newActors, manyActors);
  });
});
