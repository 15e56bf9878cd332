import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { warmUpWorker } from './warm-up.js';

describe('warmUpWorker (a bounded job\'s worker at start-up)', () => {
  it('runs the kernel of every trace: each trace of its synthetic partition has pairs and active accounts', () => {
    const partial = warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, rounds: 1 });
    assert.equal(partial.events, 20_000);
    assert.equal(partial.traces.length, DEFAULT_STREAM_TRACES.length);
    for (const { trace, pairs, activity } of partial.traces) {
      assert.ok(pairs.size > 100, `${trace}: ${pairs.size} pairs`);
      assert.ok(activity.actor.length > 100, `${trace}: ${activity.actor.length} active accounts`);
    }
  });

  it('works the events given, whatever their count', () => {
    assert.equal(warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, rounds: 2, events: 2_500 }).events, 2_500);
  });
});
