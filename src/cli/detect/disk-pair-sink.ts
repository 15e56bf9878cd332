/**
 * The co-action kernel's spill target on disk: each chunk a partition hands over is written to its
 * own temp file (six binary columns, native byte order, read back only by this process) and read
 * back, then deleted, when the kernel merges that partition. The kernel is synchronous, so the
 * writes are too. The directory is removed by `close()`, also after a failure.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PairSink, PairTable } from '../../detect/kernel/index.js';

/** Bytes per pair row: a, b, shared, coActions (Int32) and idf, sumDelta (Float64). */
const ROW_BYTES = 4 * 4 + 2 * 8;

export class DiskPairSink implements PairSink {
  /** Chunks and bytes written so far. */
  chunks = 0;
  bytes = 0;
  readonly dir: string;
  private readonly files = new Map<number, string[]>();

  /** Makes a fresh directory under `parent` (e.g. the OS temp dir). */
  constructor(parent: string) {
    this.dir = mkdtempSync(join(parent, 'lockstep-pairs-'));
  }

  spill(partition: number, chunk: PairTable): void {
    const n = chunk.size;
    const path = join(this.dir, `p${partition}-${this.chunks++}.bin`);
    const fd = openSync(path, 'w');
    try {
      const header = Int32Array.of(n);
      writeSync(fd, header);
      for (const column of [chunk.a, chunk.b, chunk.shared, chunk.coActions, chunk.idf, chunk.sumDelta]) {
        writeSync(fd, new Uint8Array(column.buffer, column.byteOffset, n * column.BYTES_PER_ELEMENT));
      }
    } finally {
      closeSync(fd);
    }
    this.bytes += 4 + n * ROW_BYTES;
    const list = this.files.get(partition);
    if (list === undefined) this.files.set(partition, [path]);
    else list.push(path);
  }

  *take(partition: number): Iterable<PairTable> {
    const paths = this.files.get(partition) ?? [];
    this.files.delete(partition);
    for (const path of paths) {
      const chunk = readChunk(path);
      unlinkSync(path);
      yield chunk;
    }
  }

  /** Removes the directory and whatever is still in it. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.files.clear();
  }
}

function readChunk(path: string): PairTable {
  const fd = openSync(path, 'r');
  try {
    const read = (bytes: number): ArrayBuffer => {
      const buffer = new ArrayBuffer(bytes);
      const view = new Uint8Array(buffer);
      for (let offset = 0; offset < bytes;) {
        const got = readSync(fd, view, offset, bytes - offset, null);
        if (got === 0) throw new Error(`spill file ${path} ends early`);
        offset += got;
      }
      return buffer;
    };
    const n = new Int32Array(read(4))[0]!;
    return {
      a: new Int32Array(read(4 * n)), b: new Int32Array(read(4 * n)), shared: new Int32Array(read(4 * n)),
      coActions: new Int32Array(read(4 * n)), idf: new Float64Array(read(8 * n)), sumDelta: new Float64Array(read(8 * n)), size: n,
    };
  } finally {
    closeSync(fd);
  }
}
