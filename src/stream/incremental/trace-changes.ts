/**
 * One trace's changes within a slice on the worker (incremental-partition.ts), and how they
 * become the slice's trace delta: the dirty keys' new n_k and the memberships they began or
 * ended, the accounts' activity changes, the pairs' co-action sums.
 */
import type { StreamTrace } from '../extract.js';
import type { KeyEvents } from './key-events.js';
import type { PairChanges } from './pair-changes.js';
import type { TraceDelta } from './slice-delta.js';

/** One trace's state between slices and its changes within one. */
export interface TraceState {
  trace: StreamTrace;
  changes: PairChanges;
  activity: Map<number, number>;
  dirtyKeys: Set<KeyEvents>;
}

/** The trace's changes since the previous slice as a delta; forgets them, and the keys left with no event. */
export function takeTraceDelta(state: TraceState, keys: Map<number, KeyEvents>): TraceDelta {
  const keyId: number[] = [], keyActors: number[] = [];
  const memberA: number[] = [], memberB: number[] = [], memberKey: number[] = [], memberSign: number[] = [];
  for (const keyEvents of state.dirtyKeys) {
    keyId.push(keyEvents.key);
    keyActors.push(keyEvents.perActor.size);
    keyEvents.takeMemberships((a, b, sign) => {
      memberA.push(a);
      memberB.push(b);
      memberKey.push(keyEvents.key);
      memberSign.push(sign);
    });
    if (keyEvents.size === 0) keys.delete(keyEvents.key);
  }
  state.dirtyKeys.clear();
  const activityActor: number[] = [], activityChange: number[] = [];
  for (const [actor, change] of state.activity) {
    if (change === 0) continue;
    activityActor.push(actor);
    activityChange.push(change);
  }
  state.activity.clear();
  const pairs = state.changes.take();
  return {
    trace: state.trace, keyId: Int32Array.from(keyId), keyActors: Int32Array.from(keyActors),
    activityActor: Int32Array.from(activityActor), activityChange: Int32Array.from(activityChange),
    memberA: Int32Array.from(memberA), memberB: Int32Array.from(memberB), memberKey: Int32Array.from(memberKey), memberSign: Int8Array.from(memberSign),
    pairA: pairs.a, pairB: pairs.b, pairCoActions: pairs.coActions, pairDelay: pairs.delay,
  };
}
