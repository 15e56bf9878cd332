/** One slice's changes to pairs' co-actions and Σ |Δt| in one trace, summed per pair as they come. */
import { grownF64, grownI32 } from '../int-table.js';

export class PairChanges {
  readonly #row = new Map<number, number>();
  a = new Int32Array(256);
  b = new Int32Array(256);
  coActions = new Int32Array(256);
  delay = new Float64Array(256);
  size = 0;

  add(pair: number, a: number, b: number, coActions: number, delay: number): void {
    let row = this.#row.get(pair);
    if (row === undefined) {
      row = this.size++;
      this.#row.set(pair, row);
      if (row === this.a.length) {
        this.a = grownI32(this.a, row + 1);
        this.b = grownI32(this.b, row + 1);
        this.coActions = grownI32(this.coActions, row + 1);
        this.delay = grownF64(this.delay, row + 1);
      }
      this.a[row] = a;
      this.b[row] = b;
      this.coActions[row] = 0;
      this.delay[row] = 0;
    }
    this.coActions[row]! += coActions;
    this.delay[row]! += delay;
  }

  /** The pairs whose sums moved (a pair whose changes cancelled is left out), as columns; then empty. */
  take(): { a: Int32Array; b: Int32Array; coActions: Int32Array; delay: Float64Array } {
    let kept = 0;
    for (let row = 0; row < this.size; row++) if (this.coActions[row] !== 0 || this.delay[row] !== 0) kept++;
    const out = { a: new Int32Array(kept), b: new Int32Array(kept), coActions: new Int32Array(kept), delay: new Float64Array(kept) };
    for (let row = 0, at = 0; row < this.size; row++) {
      if (this.coActions[row] === 0 && this.delay[row] === 0) continue;
      out.a[at] = this.a[row]!;
      out.b[at] = this.b[row]!;
      out.coActions[at] = this.coActions[row]!;
      out.delay[at++] = this.delay[row]!;
    }
    this.#row.clear();
    this.size = 0;
    return out;
  }
}
