/**
 * The co-action kernel's spill target on disk: each chunk a partition hands over is written to its
 * own temp file (six binary columns, native byte order, read back only by this process) and read
 * back, then deleted, when the kernel merges that partition. The kernel is synchronous, so the
 * writes are too. The directory is removed by `close()`, also after a failure. A process killed
 * outright (the OOM killer, SIGKILL) cannot remove it, so the directory carries the process id and
 * the next sink made in the same parent removes those whose process is gone.
 *
 * With `keepPartitions` it is a PairStore: the kernel leaves every partition in it and the
 * significance test reads them back one at a time (merged tables kept under handles, as files).
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PairTable } from '../../detect/kernel/index.js';
import type { PairStore } from '../../detect/kernel/partitioned-pairs.js';

/** Bytes per pair row: a, b, shared, coActions (Int32) and idf, sumDelta (Float64). */
const ROW_BYTES = 4 * 4 + 2 * 8;

export interface DiskPairSinkOptions {
  /** Keep partitions for a partition-by-partition significance test (see PairStore); default false. */
  keepPartitions: boolean;
}

export const DISK_PAIR_SINK_DEFAULTS: Readonly<DiskPairSinkOptions> = Object.freeze({ keepPartitions: false });

const PREFIX = 'lockstep-pairs-';

/** Spill directories in `parent` left by a process that no longer runs (named PREFIX + pid + '-'). */
function removeOrphans(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^lockstep-pairs-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskPairSink implements PairStore {
  /** Chunks and bytes written so far (merged partitions kept by `keep` included). */
  chunks = 0;
  bytes = 0;
  /** Largest bytes on disk at once. */
  peakBytes = 0;
  readonly dir: string;
  readonly keepsPartitions: boolean;
  private readonly files = new Map<number, string[]>();
  private readonly kept = new Map<number, { path: string; bytes: number }>();
  private onDisk = 0;
  private handles = 0;

  /** Makes a fresh directory under `parent` (e.g. the OS temp dir, or the output directory). */
  constructor(parent: string, options?: Partial<DiskPairSinkOptions>) {
    removeOrphans(parent);
    this.dir = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
    this.keepsPartitions = { ...DISK_PAIR_SINK_DEFAULTS, ...options }.keepPartitions;
  }

  spill(partition: number, chunk: PairTable): void {
    const path = join(this.dir, `p${partition}-${this.chunks}.bin`);
    this.write(path, chunk);
    const list = this.files.get(partition);
    if (list === undefined) this.files.set(partition, [path]);
    else list.push(path);
  }

  held(): number[] {
    return [...this.files.keys()].sort((x, y) => x - y);
  }

  keep(table: PairTable): number {
    const handle = this.handles++;
    const path = join(this.dir, `m${handle}.bin`);
    this.kept.set(handle, { path, bytes: this.write(path, table) });
    return handle;
  }

  load(handle: number): PairTable {
    const entry = this.kept.get(handle);
    if (entry === undefined) throw new Error(`pair store: no table under handle ${handle}`);
    return readChunk(entry.path);
  }

  drop(handle: number): void {
    const entry = this.kept.get(handle);
    if (entry === undefined) return;
    this.kept.delete(handle);
    unlinkSync(entry.path);
    this.onDisk -= entry.bytes;
  }

  /** Writes `chunk` to `path`; returns the bytes written. */
  private write(path: string, chunk: PairTable): number {
    const n = chunk.size;
    this.chunks++;
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
    const bytes = 4 + n * ROW_BYTES;
    this.bytes += bytes;
    this.onDisk += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.onDisk);
    return bytes;
  }

  *take(partition: number): Iterable<PairTable> {
    const paths = this.files.get(partition) ?? [];
    this.files.delete(partition);
    for (const path of paths) {
      const chunk = readChunk(path);
      unlinkSync(path);
      this.onDisk -= 4 + chunk.size * ROW_BYTES;
      yield chunk;
    }
  }

  /** Removes the directory and whatever is still in it. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.files.clear();
    this.kept.clear();
    this.onDisk = 0;
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
