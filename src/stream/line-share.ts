/**
 * Line-level helpers of the byte front end (byte-front.ts) with a share (stream-publish --threads):
 * which share a line is, by the did it opens with, and whether a chunk holds a lone CR (a line
 * break for readline, so such a chunk is read a line at a time).
 */
import { hashBytes } from './byte-ids.js';

/** `{"did":"`, as a Jetstream line opens. */
const DID_HEAD = Uint8Array.from('{"did":"', (ch) => ch.charCodeAt(0));

/**
 * Which of `of` shares the line `bytes[start, end)` is: FNV-1a of the did it opens with (after
 * spaces or tabs), mod `of`; 0 when it does not open with a plain did.
 */
export function lineShare(bytes: Uint8Array, start: number, end: number, of: number): number {
  let at = start;
  while (at < end && (bytes[at] === 32 || bytes[at] === 9)) at++;
  if (end - at <= DID_HEAD.length) return 0;
  for (let k = 0; k < DID_HEAD.length; k++) if (bytes[at + k] !== DID_HEAD[k]) return 0;
  const did = at + DID_HEAD.length;
  for (at = did; at < end; at++) {
    const c = bytes[at]!;
    if (c === 34) return (hashBytes(bytes, did, at) >>> 0) % of;
    if (c === 92 || c < 32) return 0;
  }
  return 0;
}

/**
 * Whether `bytes` from `from` hold a CR before a line's end that is not the one before its line
 * feed (a CR in the part after the last line feed is carried, and read with the carried line).
 */
export function loneCr(bytes: Buffer, from: number): boolean {
  for (let cr = bytes.indexOf(13, from); cr >= 0; cr = bytes.indexOf(13, cr + 1)) {
    if (cr + 1 < bytes.length && bytes[cr + 1] !== 10) return true;
  }
  return false;
}
