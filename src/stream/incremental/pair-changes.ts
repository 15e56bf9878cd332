/**
 * One slice's changes to pairs' co-actions and Σ |Δt| in one trace, summed per pair as they come,
 * in a PairIndex (detect/kernel/pair-index.ts) that is cleared, not remade, at each slice: a Map
 * keyed by a · 2^26 + b hashed boxed doubles and was most of a worker's slice.
 */
import { PairIndex } from '../../detect/kernel/index.js';
import { grownF64, grownI32 } from '../int-table.js';

export class PairChanges {
  readonly #index = new PairIndex(1024);
  #coActions = new Int32Array(1024);
  #delay = new Float64Array(1024);
  /** The slice the changes are for (counts up at each `take`): KeyEvents marks what it touched with it. */
  epoch = 0;

  add(a: number, b: number, coActions: number, delay: number): void {
    const known = this.#index.size;
    const e = this.#index.entryOf(a, b);
    if (this.#index.size > known) {
      if (e >= this.#coActions.length) {
        this.#coActions = grownI32(this.#coActions, e + 1);
        this.#delay = grownF64(this.#delay, e + 1);
      }
      this.#coActions[e] = coActions;
      this.#delay[e] = delay;
      return;
    }
    this.#coActions[e]! += coActions;
    this.#delay[e]! += delay;
  }

  /** The pairs whose sums moved (a pair whose changes cancelled is left out), as columns; then empty. */
  take(): { a: Int32Array; b: Int32Array; coActions: Int32Array; delay: Float64Array } {
    const size = this.#index.size, keys = this.#index.keys;
    let kept = 0;
    for (let e = 0; e < size; e++) if (this.#coActions[e] !== 0 || this.#delay[e] !== 0) kept++;
    const out = { a: new Int32Array(kept), b: new Int32Array(kept), coActions: new Int32Array(kept), delay: new Float64Array(kept) };
    for (let e = 0, at = 0; e < size; e++) {
      if (this.#coActions[e] === 0 && this.#delay[e] === 0) continue;
      out.a[at] = keys[2 * e]!;
      out.b[at] = keys[2 * e + 1]!;
      out.coActions[at] = this.#coActions[e]!;
      out.delay[at++] = this.#delay[e]!;
    }
    this.#index.clear();
    this.epoch++;
    return out;
  }
}
