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

/**
 * A partial as stored. Gzip at level 1 shrinks the columns about 2× (52.4 → 25.6 MB on the
 * bench's 878k events) and the NATS servers' CPU goes with the bytes they replicate. `none` skips
 * gzip (1.5-2 µs/event of a worker's CPU), but on one machine storing the larger partial gave the
 * worker most of it back and cost the servers 1-2 µs/event more (docs/streaming.md, Sizing,
 * session 11), so gzip is the default. Its strategy is run-length only (Z_RLE): the columns' ids
 * and sums are nearly random, so deflate's match search found little beyond runs and cost half of
 * the worker's gzip time (1.13-1.47 → 0.59-0.74 µs/event for 30.2 MB instead of 25.6; level 6
 * gave 24.9 MB for 1.5-1.7). A compact varint encoding of sorted rows was tried and not kept: its
 * encoding cost more than the bytes it saved.
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
    bytes = gunzipSync(blob);
  } catch (error) {
    throw new LockstepError('detect/bad-input', `${where}: not a partial (${error instanceof Error ? error.message : String(error)})`);
  }
  return decodePartial(bytes, where);
}
