/**
 * The coordinator's incremental state fed as a store delivers: at least once and in any order.
 * Each partition's deltas form a chain (a delta names its slice and the slice it follows,
 * slice-delta.ts); a delta is applied to the HorizonState only on top of the one it follows, so
 * a redelivered delta changes nothing, an early one is held until the ones before it come, and
 * one that contradicts the chain (it follows a slice already passed, or a second delta follows
 * the same slice) is refused.
 *
 * Slices are applied in step over the partitions: a slice's deltas go in only once every
 * partition's next delta is in, so the state between two `next()` calls is one slice's, and
 * `result()` then is that slice's result. A slice a partition skipped (its delta follows an
 * earlier slice) is applied but not complete: no exact result exists for it.
 */
import { LockstepError } from '../../model/index.js';
import type { AssembleOptions } from '../assemble.js';
import { HorizonState } from './horizon-state.js';
import type { SliceResult } from './horizon-state.js';
import type { SliceDelta } from './slice-delta.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';

// "OHCK", version 1: the applied slices, then HorizonState's own checkpoint as one field.
const MAGIC = 0x4b43_484f;
const VERSION = 1;

export type Offered = 'held' | 'repeat';

export class OrderedHorizon {
  readonly state: HorizonState;
  /** Per partition, the slice of the last delta applied (−1: none). */
  readonly #applied: Int32Array;
  /** Per partition, the deltas not applied yet, by the slice they follow. */
  readonly #held: Map<number, SliceDelta>[];

  constructor(readonly partitions: number, state: HorizonState | Partial<AssembleOptions>) {
    if (!(Number.isInteger(partitions) && partitions > 0)) throw new LockstepError('detect/bad-input', `partitions ${partitions}`);
    this.state = state instanceof HorizonState ? state : new HorizonState(state);
    this.#applied = new Int32Array(partitions).fill(-1);
    this.#held = Array.from({ length: partitions }, () => new Map());
  }

  /** The slice of each partition's last delta applied (−1: none yet). */
  get applied(): readonly number[] {
    return [...this.#applied];
  }

  /** Deltas held, waiting for the ones before them or for the other partitions. */
  get held(): number {
    return this.#held.reduce((sum, held) => sum + held.size, 0);
  }

  /** Takes one delivered delta: 'repeat' if it was applied or is held already (it changes nothing), else 'held' until `next()`. */
  offer(delta: SliceDelta): Offered {
    const p = delta.partition;
    if (!(p < this.partitions)) throw new LockstepError('detect/bad-input', `a delta from partition ${p}, the job has ${this.partitions}`);
    const where = `partition ${p}, slice ${delta.slice} after ${delta.follows}`;
    if (!(delta.follows < delta.slice)) throw new LockstepError('detect/bad-input', `${where}: a delta must follow an earlier slice`);
    const applied = this.#applied[p]!;
    if (delta.slice <= applied) return 'repeat';
    if (delta.follows < applied) throw new LockstepError('detect/bad-input', `${where}: slice ${applied} is applied already (a worker restarted from an older checkpoint?)`);
    const held = this.#held[p]!;
    const other = held.get(delta.follows);
    if (other !== undefined) {
      if (other.slice === delta.slice) return 'repeat';
      throw new LockstepError('detect/bad-input', `${where}: slice ${other.slice} follows ${delta.follows} too`);
    }
    held.set(delta.follows, delta);
    return 'held';
  }

  /**
   * Applies the next slice if every partition's next delta is in: its number, and whether every
   * partition closed it (only then is `result()` that slice's). undefined: waiting for a delta.
   */
  next(): { slice: number; complete: boolean } | undefined {
    let slice = Infinity;
    const heads: SliceDelta[] = [];
    for (let p = 0; p < this.partitions; p++) {
      const head = this.#held[p]!.get(this.#applied[p]!);
      if (head === undefined) return undefined;
      heads.push(head);
      if (head.slice < slice) slice = head.slice;
    }
    let complete = true;
    for (const head of heads) {
      if (head.slice !== slice) {
        complete = false;
        continue;
      }
      this.#held[head.partition]!.delete(head.follows);
      this.state.apply(head);
      this.#applied[head.partition] = slice;
    }
    return { slice, complete };
  }

  result(): SliceResult {
    return this.state.result();
  }

  /**
   * A checkpoint between slices: the slices applied and the state. Held deltas are not in it: they
   * are of later slices, which a restarted coordinator reads again (every partition's deltas after
   * the snapshot's `applied`).
   */
  snapshot(): Uint8Array {
    const out = new SnapshotWriter(MAGIC, VERSION);
    out.column(this.#applied);
    const state = this.state.snapshot();
    out.column(state);
    return out.finish();
  }

  static restore(bytes: Uint8Array, options?: Partial<AssembleOptions>, store?: { minDead: number }, where = 'coordinator'): OrderedHorizon {
    const input = new SnapshotReader(bytes, MAGIC, VERSION, where);
    const applied = input.i32s();
    const state = HorizonState.restore(input.u8s(), options, store, where);
    input.end();
    if (applied.length === 0) throw input.bad('no partitions');
    const ordered = new OrderedHorizon(applied.length, state);
    ordered.#applied.set(applied);
    return ordered;
  }
}
