/**
 * The byte layout of incremental checkpoints (IncrementalPartition's and HorizonState's): a 16-byte
 * header (magic, version, body length, FNV-1a of the body), then a body of fields written in
 * order: u32s, f64s, strings (u32 length and UTF-8) and typed columns (u32 element count, 8-byte
 * aligned little-endian elements). A reader checks magic, version, length and checksum before it
 * reads a field, and every read checks it stays inside the body, so a snapshot cut short, from
 * another version or of the other kind is refused with a clear reason, never half-restored.
 */
import { LockstepError } from '../../model/index.js';

const HEADER = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

const align8 = (n: number): number => (n + 7) & ~7;

export class SnapshotWriter {
  #bytes = new Uint8Array(4096);
  #view = new DataView(this.#bytes.buffer);
  #at = HEADER;

  constructor(readonly magic: number, readonly version: number) {}

  #room(n: number): void {
    if (this.#at + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#at + n, 2 * this.#bytes.length));
    grown.set(this.#bytes);
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  u32(value: number): void {
    this.#room(4);
    this.#view.setUint32(this.#at, value, true);
    this.#at += 4;
  }

  /** Any number (ints below 0 or above 2^32, times, sums) exactly. */
  f64(value: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#at, value, true);
    this.#at += 8;
  }

  string(value: string): void {
    const bytes = encoder.encode(value);
    this.u32(bytes.length);
    this.#room(bytes.length);
    this.#bytes.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  column(values: Int32Array | Float64Array | Uint8Array): void {
    this.u32(values.length);
    this.#at = align8(this.#at);
    const size = align8(values.byteLength);
    this.#room(size);
    this.#bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.#at);
    this.#at += size;
  }

  finish(): Uint8Array {
    const out = this.#bytes.slice(0, this.#at);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.magic, true);
    view.setUint32(4, this.version, true);
    view.setUint32(8, this.#at - HEADER, true);
    view.setUint32(12, fnv1a(out.subarray(HEADER)), true);
    return out;
  }
}

export class SnapshotReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = HEADER;

  constructor(bytes: Uint8Array, magic: number, version: number, readonly where: string) {
    if (bytes.length < HEADER) throw this.bad(`${bytes.length} bytes, cut short`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== magic) throw this.bad('wrong magic: not this kind of checkpoint');
    const theirs = view.getUint32(4, true);
    if (theirs !== version) throw this.bad(`version ${theirs}, this build reads version ${version}`);
    const length = view.getUint32(8, true);
    if (HEADER + length !== bytes.length) throw this.bad(`${bytes.length - HEADER} body bytes, the header says ${length} (cut short or padded)`);
    if (fnv1a(bytes.subarray(HEADER)) !== view.getUint32(12, true)) throw this.bad('checksum does not match');
    this.#bytes = bytes;
    this.#view = view;
  }

  bad(reason: string): LockstepError {
    return new LockstepError('detect/bad-input', `${this.where}: checkpoint refused (${reason})`);
  }

  #need(n: number): void {
    if (this.#at + n > this.#bytes.length) throw this.bad(`a field runs past the end at byte ${this.#at}`);
  }

  u32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.#at, true);
    this.#at += 4;
    return value;
  }

  f64(): number {
    this.#need(8);
    const value = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    return value;
  }

  string(): string {
    const length = this.u32();
    this.#need(length);
    const value = decoder.decode(this.#bytes.subarray(this.#at, this.#at + length));
    this.#at += length;
    return value;
  }

  #column(width: number): ArrayBuffer {
    const length = this.u32();
    this.#at = align8(this.#at);
    this.#need(length * width);
    const copy = this.#bytes.slice(this.#at, this.#at + length * width);
    this.#at += align8(length * width);
    return copy.buffer;
  }

  i32s(): Int32Array<ArrayBuffer> {
    return new Int32Array(this.#column(4));
  }

  f64s(): Float64Array<ArrayBuffer> {
    return new Float64Array(this.#column(8));
  }

  u8s(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#column(1));
  }

  /** Throws unless every byte was read (a writer and reader out of step). */
  end(): void {
    if (this.#at !== this.#bytes.length) throw this.bad(`${this.#bytes.length - this.#at} bytes left unread`);
  }
}
