/**
 * The Jetstream scanner a chunk at a time (ByteFront's path): the chunk is written once into the
 * checker's WebAssembly memory and one call (scanLines) finds, checks and reads the top fields of up
 * to 64 of its lines there; each line's record is then read as scanJetstreamBytes reads a line
 * (jetstream-scan.ts). With a share (stream-publish --threads), lines of other shares are found
 * and counted but not checked.
 */
import { LINE_RECORD_INTS as RECORD, OTHER_SHARE } from './json-check.js';
import { CHECK, readRecordOf, SCAN_GIVE_UP, SCAN_NONE, takeTop, TOP_ACTION, TOP_NONE } from './jetstream-scan.js';

/** chunkLine's code for a line of another share: counted, not read. */
export const SCAN_OTHER_SHARE = 3;

/**
 * Where to write a chunk of `length` bytes for scanChunk (the module's memory, no copy a line;
 * the view is replaced when the memory grows, and overwritten by any other scan).
 */
export function chunkBytes(length: number): Uint8Array {
  return CHECK.chunk(length);
}

/**
 * The line chunkLine last read: its start and end (before a CR and the line feed) in chunkBytes;
 * for an action that is a repost, where the module found its subject uri (-1: it did not), the
 * uri's hashBytes and its id in `dids` under KEY_TAG (-1: not there).
 */
export const chunkLineAt = { start: 0, end: 0, targetStart: -1, targetHash: 0, targetId: -1 };

/**
 * Checks and reads the top fields of the chunk's lines (the first `length` bytes of chunkBytes)
 * from `from` that end in a line feed, up to 64 in one call into the module: how many, 0 when
 * no line break is left. Read each with chunkLine(0 … count − 1) before the next call, which
 * starts at scanChunkResume(). With `share`, only that share's lines are checked.
 */
export function scanChunk(from: number, length: number, share?: { index: number; of: number }): number {
  return CHECK.scanLines(from, length, share);
}

export function scanChunkResume(): number {
  return CHECK.resume();
}

/**
 * Line `k` of the last scanChunk, as scanJetstreamBytes reads it: SCAN_ACTION with the parts in
 * `scanned`, SCAN_NONE, SCAN_GIVE_UP or SCAN_OTHER_SHARE; its place in `chunkLineAt`.
 */
export function chunkLine(k: number): number {
  const record = CHECK.lineRecords, at = RECORD * k;
  chunkLineAt.start = record[at]!;
  chunkLineAt.end = record[at + 1]!;
  const code = record[at + 2]!;
  if (code === OTHER_SHARE) return SCAN_OTHER_SHARE;
  if (code !== TOP_ACTION) return code === TOP_NONE ? SCAN_NONE : SCAN_GIVE_UP;
  chunkLineAt.targetStart = record[at + 16]!;
  chunkLineAt.targetHash = record[at + 17]!;
  chunkLineAt.targetId = record[at + 18]!;
  // readTop's record, 16 bytes into the line's (as scanTop reads it at READ_TOP).
  takeTop(record, at + 4, CHECK.lineTimes[(RECORD / 2) * k + 3]!, true);
  return readRecordOf(CHECK.chunk(0), CHECK.base);
}
