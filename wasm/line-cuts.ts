// AssemblyScript, part of the module wasm/json-check.ts builds: how scanLines cuts a chunk into
// lines (the next line feed, 16 bytes at a time) and, for stream-publish --threads, which share a
// line is before it is checked.

/**
 * The offset of the first byte `byte` at or after offset j of the `len` bytes at b, or len if none
 * (reads up to 15 bytes past them, as stringStop).
 */
export function byteStop(b: usize, j: i32, len: i32, byte: i32): i32 {
  const wanted = i8x16.splat(<i8>byte);
  while (j < len) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(b + <usize>j), wanted));
    if (bits != 0) {
      j += ctz(bits);
      return j < len ? j : len;
    }
    j += 16;
  }
  return len;
}

/** A line's code in scanLines' records when it is another share's (counted only, not checked). */
export const OTHER_SHARE: i32 = 3;

/**
 * Which of `shares` shares the line [start, end) at b is (byte-front.ts's lineShare): the FNV-1a of the
 * did it opens with (after spaces or tabs, `{"did":"` first), unsigned, mod `shares`; 0 when it does
 * not open so or the did holds a backslash or control character or does not end in the line.
 */
export function lineShare(b: usize, start: i32, end: i32, shares: i32): i32 {
  let at = start, c: i32 = 0;
  while (at < end && ((c = load<u8>(b + <usize>at)) == 32 || c == 9)) at++;
  // `{"did":"` as a little-endian word.
  if (end - at <= 8 || load<u64>(b + <usize>at) != 0x223a22646964227b) return 0;
  let h: i32 = <i32>0x811c9dc5;
  for (at += 8; at < end; at++) {
    c = load<u8>(b + <usize>at);
    if (c == 34) return <i32>(<u32>h % <u32>shares);
    if (c == 92 || c < 32) return 0;
    h = (h ^ c) * 0x01000193;
  }
  return 0;
}

