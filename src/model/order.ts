/** Code point order of two strings (the byte order of their UTF-8, as DuckDB sorts text). */
export function compareCodePoints(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    let a = x.charCodeAt(i), b = y.charCodeAt(i);
    if (a === b) continue;
    // Surrogates (astral code points) sort after every other BMP unit in code point order.
    if (a >= 0xd800) a += a < 0xe000 ? 0x2000 : -0x800;
    if (b >= 0xd800) b += b < 0xe000 ? 0x2000 : -0x800;
    return a - b;
  }
  return x.length - y.length;
}
