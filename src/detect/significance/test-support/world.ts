/** Event lists for the significance tests, built by hand and turned into one trace's columns. */
import type { TraceData } from '../../traces/trace-names.js';

/** Events as parallel lists; `keyCount` is the next unused object id. */
export interface World {
  actor: number[];
  key: number[];
  time: number[];
  keyCount: number;
}

export function addEvent(world: World, actor: number, key: number, time: number): void {
  world.actor.push(actor);
  world.key.push(key);
  world.time.push(time);
}

/** The world's events as a trace (one action per event). */
export function traceOf(world: World, actorCount: number): TraceData {
  const n = world.actor.length;
  return {
    actor: Int32Array.from(world.actor), key: Int32Array.from(world.key), time: Float64Array.from(world.time),
    action: Int32Array.from({ length: n }, (_, i) => i), actorCount, keyCount: world.keyCount,
  };
}
