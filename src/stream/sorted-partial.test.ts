import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LabelUnits } from './label-units.js';
import { inLabelOrder, LabelOrder, labelOrder } from './sorted-partial.js';

describe('labelOrder (a partition\'s accounts in the coordinator\'s order)', () => {
  it('orders labels as comparing them does: shared prefixes, prefixes of each other, units of 127 and above, repeats', () => {
    const unit = fc.constantFrom('a', 'b', 'z', '0', '\u0000', '\u007e', '\u007f', '\u0080', 'é', '\uffff');
    const label = fc.tuple(fc.constantFrom('', 'bluesky\u0000did:plc:', 'bluesky\u0000did:plc:organic'), fc.array(unit, { maxLength: 12 })).map(([prefix, units]) => prefix + units.join(''));
    fc.assert(fc.property(fc.array(label, { maxLength: 300 }), (labels) => {
      const sorted = labels.slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      const order = labelOrder(labels);
      assert.deepEqual([...order].sort((x, y) => x - y), labels.map((_, i) => i));
      assert.deepEqual(Array.from(order, (i) => labels[i]), sorted);
    }), { numRuns: 300 });
  });

  it('sorts 20,000 bench-like labels (a long common prefix, then numbers) and renumbers the events to match', () => {
    const actors = Array.from({ length: 20_000 }, (_, i) => `bluesky\u0000did:plc:organic${(i * 7_919) % 20_000}`);
    const events = { actor: Int32Array.from({ length: 1_000 }, (_, i) => (i * 31) % 20_000), key: new Int32Array(1_000), time: new Float64Array(1_000), actorCount: 20_000, keyCount: 1 };
    const { actors: sorted, traces } = inLabelOrder(actors, [{ trace: 'x', events }]);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]! < sorted[i]!);
    for (let i = 0; i < 1_000; i++) assert.equal(sorted[traces[0]!.events.actor[i]!], actors[events.actor[i]!]);
  });

  it('LabelOrder, kept batch by batch, gives labelOrder of all the labels (prefixes shared then broken, units of 127 and above, repeats)', () => {
    const unit = fc.constantFrom('a', 'b', 'z', '0', '9', '\u0000', '\u007e', '\u007f', '\u0080', 'é', '\uffff');
    const label = fc.tuple(fc.constantFrom('', 'b', 'bluesky\u0000did:plc:', 'bluesky\u0000did:plc:organic', 'bluesky\u0000did:plc:organic1'), fc.array(unit, { maxLength: 16 })).map(([prefix, units]) => prefix + units.join(''));
    const runs = Number(process.env.LABEL_ORDER_RUNS ?? 200);
    fc.assert(fc.property(fc.array(fc.array(label, { maxLength: 60 }), { maxLength: 12 }), fc.boolean(), (batches, lookBetween) => {
      const all: string[] = [], units = new LabelUnits(), kept = new LabelOrder();
      for (const batch of batches) {
        const from = all.length;
        all.push(...batch);
        for (const label of batch) units.push(label);
        kept.add(units, from);
        // Reading the order places every label taken so far: later batches go on from there.
        if (lookBetween) assert.deepEqual([...kept.order], [...labelOrder(all)]);
      }
      assert.deepEqual([...kept.order], [...labelOrder(all)]);
    }), { numRuns: runs });
  });
});
