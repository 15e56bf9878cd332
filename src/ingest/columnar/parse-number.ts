/** Numbers parsed straight from a file's bytes (the hot path of the columnar readers). */
import { fieldText } from './csv-scan.js';

const SPACE = 0x20, ZERO = 0x30, NINE = 0x39;
/** What SQL's cast of text to DOUBLE accepts here: a decimal with optional sign, fraction and exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The decimal number in `buf[start, end)` (spaces around it ignored), or NaN when the text is not
 * one. Plain integers of up to 15 digits are read without creating a string.
 *
 * @example
 * parseDecimal(new TextEncoder().encode(' 1276062878 '), 0, 12) // 1276062878
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  if (start === end) return NaN;
  if (end - start <= 15) {
    let value = 0;
    let p = start;
    for (; p < end; p++) {
      const b = buf[p]!;
      if (b < ZERO || b > NINE) break;
      value = value * 10 + (b - ZERO);
    }
    if (p === end) return value;
  }
  const text = fieldText(buf, start, end);
  return DECIMAL.test(text) ? Number(text) : NaN;
}
