import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { WARM_UP_DEFAULTS, warmUpWorker } from './warm-up.js';

describe('warmUpWorker (a bounded job\'s worker at start-up)', () => {
  it('runs the kernel of every trace: each trace of its synthetic partition has pairs and active accounts', () => {
    const partial = warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, rounds: 1 });
    assert.equal(partial.events, WARM_UP_DEFAULTS.events);
    assert.equal(partial.traces.length, DEFAULT_STREAM_TRACES.length);
    for (const { trace, pairs, activity } of partial.traces) {
      assert.ok(pairs.size > 100, `${trace}: ${pairs.size} pairs`);
      assert.ok(activity.actor.length > 100, `${trace}: ${activity.actor.length} active accounts`);
    }
  });

  it('gives pairs that co-acted on more than one key in every trace, as a ring\'s do (the kernel\'s reduction has a path for them that a job must not meet first)', () => {
    const partial = warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, rounds: 1 });
    for (const { trace, pairs } of partial.traces) {
      let onSeveralKeys = 0;
      for (let row = 0; row < pairs.size; row++) if (pairs.shared[row]! > 1) onSeveralKeys++;
      assert.ok(onSeveralKeys > 10, `${trace}: ${onSeveralKeys} pairs on more than one key`);
    }
  });

  it('works the events given, whatever their count', () => {
    assert.equal(warmUpWorker({ traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, rounds: 2, events: 2_500 }).events, 2_500);
  });
});
