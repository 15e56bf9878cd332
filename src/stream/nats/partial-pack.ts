/**
 * A partial's bytes as a worker stores them (gzipped, or raw behind a 4-byte mark) and their
 * reading back. No NATS import: a worker's finish threads (finish-pool.ts) pack partials too.
 */
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { LockstepError } from '../../model/index.js';
import { decodePartial, encodePartial } from '../partial-codec.js';
import type { PartitionPartial } from '../partial-codec.js';

/** How a worker stores its partials: gzipped at level 1, or as encoded behind RAW_PARTIAL's 4 bytes. */
export type PartialCompression = 'gzip' | 'none';
const RAW_PARTIAL = Uint8Array.of(0x4c, 0x53, 0x50, 0x00); // 'LSP\0'; a gzip stream starts 1f 8b
/** Bounds of gunzip's output chunk (`gunzipChunk`): at least zlib's default; past 64 MB, several chunks. */
const MIN_GUNZIP_CHUNK = 16 * 1024, MAX_GUNZIP_CHUNK = 64 * 2 ** 20;

/**
 * A partial as stored. Since format 3 (partial-codec.ts, session 16) the encoded partial is small
 * without a compressor: 24.7 bytes/event on the bench's 878k events, against format 2's 62.5 raw
 * and 33.5 gzipped; gzip at level 1 takes it to 18.5 for 0.2-0.3 µs/event of the worker's CPU
 * and as much again of the coordinator's. In the job the two measured alike (docs/streaming.md,
 * Sizing, session 16), so gzip stays the default until a quiet A/B says otherwise. Its strategy
 * is run-length only (Z_RLE): deflate's match search found little beyond runs in format 2's
 * columns and cost half of the worker's gzip time (session 11).
 */
export function packPartial(partial: PartitionPartial, compression: PartialCompression = 'gzip'): Uint8Array {
  return packEncoded(encodePartial(partial), compression);
}

/** `packPartial` of an already encoded partial. */
export function packEncoded(encoded: Uint8Array, compression: PartialCompression): Uint8Array {
  if (compression === 'gzip') return gzipSync(encoded, { level: 1, strategy: constants.Z_RLE });
  const out = new Uint8Array(RAW_PARTIAL.length + encoded.length);
  out.set(RAW_PARTIAL);
  out.set(encoded, RAW_PARTIAL.length);
  return out;
}

/** Reads `packPartial`'s bytes (either compression); a damaged blob is a LockstepError naming `where`. */
export function unpackPartial(blob: Uint8Array, where: string): PartitionPartial {
  if (RAW_PARTIAL.every((byte, i) => blob[i] === byte)) return decodePartial(blob.subarray(RAW_PARTIAL.length), where);
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(blob, { chunkSize: gunzipChunk(blob) });
  } catch (error) {
    throw new LockstepError('detect/bad-input', `${where}: not a partial (${error instanceof Error ? error.message : String(error)})`);
  }
  return decodePartial(bytes, where);
}

/**
 * Output chunk bytes for gunzipping `blob`: its size as the gzip trailer gives it (ISIZE, the last
 * 4 bytes: the input's length mod 2^32), so the output comes in one buffer; zlib's default of 16 KB
 * made ~170 buffers a partial and a copy of them all into one (the bench's 8 partials: gunzip
 * 55-109 -> 46-78 ms). Only a hint: a damaged or other trailer gives more chunks or a spare tail, never other bytes.
 */
function gunzipChunk(blob: Uint8Array): number {
  const n = blob.length;
  const size = n < 4 ? 0 : (blob[n - 4]! | (blob[n - 3]! << 8) | (blob[n - 2]! << 16) | (blob[n - 1]! << 24)) >>> 0;
  return Math.min(MAX_GUNZIP_CHUNK, Math.max(MIN_GUNZIP_CHUNK, size + 1));
}
