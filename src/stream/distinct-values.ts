/**
 * A float column's distinct values, for the partial codec's Σ ln n_k table.
 */

/** Most distinct values a column's table may hold (its index is 2 bytes a row). */
export const MAX_DISTINCT = 65_536;

/**
 * A float column as its distinct values (by bit pattern, in order of first use) and each row's
 * index into them, or null if it has more than MAX_DISTINCT. Open addressing on the two 32-bit
 * halves of each value: a Map keyed by numbers cost more than the bytes it saved.
 */
export function distinctValues(column: Float64Array): { values: Float64Array; index: Uint16Array } | null {
  const n = column.length;
  const words = new Uint32Array(column.buffer, column.byteOffset, 2 * n);
  const slotCount = 1 << Math.max(4, Math.ceil(Math.log2(2 * Math.min(n, MAX_DISTINCT) + 1)));
  const mask = slotCount - 1;
  const slots = new Int32Array(slotCount);
  const firstRow = new Int32Array(Math.min(n, MAX_DISTINCT));
  const index = new Uint16Array(n);
  let size = 0;
  for (let row = 0; row < n; row++) {
    const lo = words[2 * row]!, hi = words[2 * row + 1]!;
    // A partial's rows come by first account, one key's pairs together: 9 rows in 10 of the
    // bench's repeat the row before's value, which then needs no probe.
    if (row > 0 && lo === words[2 * row - 2] && hi === words[2 * row - 1]) {
      index[row] = index[row - 1]!;
      continue;
    }
    let slot = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca77) >>> 7) & mask;
    for (;;) {
      const stored = slots[slot]!;
      if (stored === 0) {
        if (size === MAX_DISTINCT) return null;
        firstRow[size] = row;
        slots[slot] = ++size;
        index[row] = size - 1;
        break;
      }
      const at = firstRow[stored - 1]!;
      if (words[2 * at] === lo && words[2 * at + 1] === hi) {
        index[row] = stored - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const values = new Float64Array(size);
  for (let e = 0; e < size; e++) values[e] = column[firstRow[e]!]!;
  return { values, index };
}

