/**
 * Bytes written and read in sequence: LEB128 varints (7 bits a byte, low first), fixed-width
 * little-endian integers and raw float blocks, with no alignment. The partial codec's columns
 * (partial-codec.ts) go through these; a row's value of 0-127 is one byte written and one read.
 */

/** An append-only byte buffer that grows by doubling. */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 1_024) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** Room for `more` bytes past `length`. */
  reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + more));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** An unsigned 32-bit value (a negative int32 goes as its two's complement: 5 bytes). */
  varint(value: number): void {
    this.reserve(5);
    const bytes = this.bytes;
    let v = value >>> 0, at = this.length;
    while (v >= 0x80) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at++] = v;
    this.length = at;
  }

  /** `count` values of `column` from `from`, each `width` bytes little-endian (the low bytes of an int32). */
  fixed(column: Int32Array, from: number, count: number, width: 1 | 2 | 4): void {
    // The typed arrays' own conversion: a loop writing byte by byte cost about 3× as much.
    const values = column.subarray(from, from + count);
    this.raw(width === 4 ? values : width === 2 ? new Uint16Array(values) : new Uint8Array(values));
  }

  /** A view's bytes as they are (platform order: little-endian on every platform Node runs on). */
  raw(view: ArrayBufferView): void {
    this.reserve(view.byteLength);
    this.bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), this.length);
    this.length += view.byteLength;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Reads a ByteWriter's bytes in order; `fail` makes the error thrown on running past the end. */
export class ByteReader {
  at: number;

  constructor(readonly bytes: Uint8Array, at: number, private readonly fail: (what: string) => Error) {
    this.at = at;
  }

  varint(): number {
    const bytes = this.bytes;
    let at = this.at, byte = bytes[at++];
    if (byte === undefined) throw this.fail('truncated');
    let v = byte & 0x7f;
    for (let shift = 7; byte >= 0x80; shift += 7) {
      byte = bytes[at++];
      if (byte === undefined || shift > 28) throw this.fail(byte === undefined ? 'truncated' : 'a number past 32 bits');
      v |= (byte & 0x7f) << shift;
    }
    this.at = at;
    return v >>> 0;
  }

  /** `count` varints into `out` from `from`, as int32 (a varint past 2^31 comes back negative, as written). */
  varints(out: Int32Array, from: number, count: number): void {
    const bytes = this.bytes;
    let at = this.at;
    const end = from + count;
    // One-byte values (nearly all) without a call; a longer one, or the last bytes, the careful way.
    for (let i = from; i < end; i++) {
      const byte = bytes[at];
      if (byte !== undefined && byte < 0x80) {
        out[i] = byte;
        at++;
      } else {
        this.at = at;
        out[i] = this.varint();
        at = this.at;
      }
    }
    this.at = at;
  }

  /** `count` fixed-width little-endian unsigned values (as written by ByteWriter.fixed; width 4 as int32). */
  fixed(out: Int32Array, count: number, width: 1 | 2 | 4): void {
    const bytes = this.need(count * width);
    // Copied to a buffer of its own (aligned; `bytes` may be a Node Buffer, whose slice is a view of
    // a pool), then widened by the typed arrays' own conversion.
    const copy = new Uint8Array(bytes.subarray(this.at, this.at + count * width)).buffer;
    out.set(width === 1 ? new Uint8Array(copy) : width === 2 ? new Uint16Array(copy) : new Int32Array(copy));
    this.at += count * width;
  }

  /** `count` 8-byte floats, copied (the bytes may sit at any offset). */
  floats(count: number): Float64Array {
    const bytes = this.need(8 * count);
    const out = new Float64Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(this.at, this.at + 8 * count));
    this.at += 8 * count;
    return out;
  }

  private need(byteCount: number): Uint8Array {
    if (this.at + byteCount > this.bytes.length) throw this.fail('truncated');
    return this.bytes;
  }
}
