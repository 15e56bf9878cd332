/**
 * CooRTweet 4-column files read on two threads: a large file is cut at a line break near its
 * middle, a worker thread reads the second half into typed columns of its own while this thread
 * reads the first, and the second half's interned ids are then interned here in their order of
 * first appearance, so the columns, ids and rejects equal `readCoortweetColumns`'s exactly.
 *
 * The cut: a line break with an even count of `"` bytes before it is outside any quoted field
 * (RFC 4180 writes a quote inside a quoted field as two). That is only a guess on a file with a
 * stray quote in an unquoted field, so it is also checked: this thread reads up to the cut and
 * must find a record starting exactly there; if not, it reads on to the end itself and the
 * worker's half is dropped. Rejects of the second half get their true line numbers (the worker
 * counts lines from the cut; this thread knows the cut's line when it gets there).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Reject } from '../../model/index.js';
import { unknownFormat } from '../../model/index.js';
import { CoortweetRows, coortweetHeader } from './coortweet-columns.js';
import type { CoortweetColumns, CoortweetFileCounts, CoortweetHeader, CoortweetPartRows, SplitReason } from './coortweet-columns.js';
import { scanCsvFile } from './csv-scan.js';
import type { CsvScanEnd } from './csv-scan.js';
import { freeCores, sampleCpu, shouldSplit } from './idle-cores.js';
import type { CpuSample } from './idle-cores.js';
import { newReadingWorker, stopReadingWorker, takeReadingWorker } from './reading-worker.js';

export interface SplitReadOptions {
  /** Files smaller than this are read on this thread alone. */
  minSplitBytes: number;
  /** Quotes counted before the cut after which no cut is tried (a heavily quoted file). */
  maxQuotes: number;
  /** How far past the middle a line break outside quotes is looked for. */
  searchBytes: number;
  /**
   * `auto`: a second thread when a core is idle now (see `probeBytes`); 1 or 2: always that many
   * (tests, benches). A second thread only pays when a core is idle: the merge and the worker's
   * start cost CPU, and on the shared 2-core machine the split read was slower whenever the other
   * core was busy (2.2M rows: 3.1-3.2 s against 2.2-2.8 s at load 2.7; 5.5-6.2 s against 4.8-5.2 s
   * at load 10).
   */
  threads: 'auto' | 1 | 2;
  /**
   * With `auto`, the first this many bytes of a large file are read on this thread while the
   * CPU counters are sampled (`idleCores`): the idle cores seen while this thread was busy decide
   * (at least `minIdleCores`); the rest of the file is then cut in two.
   */
  probeBytes: number;
  /** Idle cores, measured during the probe, from which a second thread is started. */
  minIdleCores: number;
  /**
   * Fallback where no CPU counters can be read (or the probe was too short to count): the
   * one-minute load average at or above which one thread is used (null: cores - 1.5, 0.5 on 2).
   */
  busyLoad: number | null;
  /** The CPU counters (injected by tests); null when none can be read. */
  sampleCpu: () => CpuSample | null;
  /** Cores this process may use (null: `os.availableParallelism()`). */
  cores: number | null;
}

export const SPLIT_READ_DEFAULTS: Readonly<SplitReadOptions> = Object.freeze({
  minSplitBytes: 16 << 20, maxQuotes: 50_000_000, searchBytes: 1 << 20, threads: 'auto', probeBytes: 4 << 20, minIdleCores: 0.75, busyLoad: null, sampleCpu, cores: null,
});

/** What a worker is asked to read: `file` from byte `from` to its end, with this header. */
export interface PartRequest {
  file: string;
  from: number;
  header: CoortweetHeader;
}

/** What it hands back: rows, rejects with lines counted from 1 at `from`, records read. */
export interface PartResult {
  rows: CoortweetPartRows;
  rejects: Reject[];
  read: number;
}

const QUOTE = 0x22, LF = 0x0a;

/**
 * Where to cut `file` (a byte offset just after a line break, outside quotes by the count of
 * quotes before it), searching from the middle of `[from, size)`; -1 when no cut was found.
 */
export function chooseCut(file: string, from: number, size: number, options?: Partial<SplitReadOptions>): number {
  const opts = { ...SPLIT_READ_DEFAULTS, ...options };
  const middle = from + Math.floor((size - from) / 2);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 23);
    let quotes = 0;
    for (let at = from; at < middle;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, middle - at), at);
      if (n === 0) return -1;
      // Native search: nearly free when quotes are rare.
      for (let q = buf.indexOf(QUOTE, 0); q >= 0 && q < n; q = buf.indexOf(QUOTE, q + 1)) quotes++;
      if (quotes > opts.maxQuotes) return -1;
      at += n;
    }
    const n = readSync(fd, buf, 0, Math.min(buf.length, opts.searchBytes, size - middle), middle);
    for (let p = 0; p < n; p++) {
      if (buf[p] === QUOTE) quotes++;
      else if (buf[p] === LF && quotes % 2 === 0) return middle + p + 1 < size ? middle + p + 1 : -1;
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** Reads `request.file` from `request.from` to its end into rows of their own (the worker's job). */
export function readPart(request: PartRequest): PartResult {
  const { file, from, header } = request;
  const rows = new CoortweetRows(Math.max(0, statSync(file).size - from));
  const rejects: Reject[] = [];
  let read = 0;
  const fast = rows.fastPath(header);
  scanCsvFile(file, (record) => {
    read++;
    rows.add(record, header, file, (reject) => rejects.push(reject));
  }, { from, fast });
  return { rows: rows.part(), rejects, read: read + fast.rows };
}

/** Starts a worker on `request`; the promise rejects when it fails (the caller reads the half itself). */
function startPart(request: PartRequest): { result: Promise<PartResult>; stop: () => void } {
  const worker = takeReadingWorker(request) ?? newReadingWorker(request);
  const result = new Promise<PartResult>((resolve, reject) => {
    worker.once('message', (message: PartResult) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the reading worker stopped (exit code ${code})`)));
  });
  return { result, stop: () => void worker.terminate() };
}

/**
 * Reads CooRTweet 4-column files as `readCoortweetColumns` does (same columns, ids, counts and
 * rejects, in the same order), each file of at least `minSplitBytes` on two threads when a core is
 * idle now (`threads: 'auto'`: measured while this thread reads the file's first `probeBytes`).
 *
 * @example
 * const rows = await readCoortweetColumnsSplit(['shares.csv'], (reject) => rejects.push(reject));
 */
export async function readCoortweetColumnsSplit(files: readonly string[], onReject: (reject: Reject) => void, options?: Partial<SplitReadOptions>): Promise<CoortweetColumns> {
  try {
    return await readSplit(files, onReject, options);
  } finally {
    // A worker started ahead (reading-worker.ts) that no file took.
    stopReadingWorker();
  }
}

async function readSplit(files: readonly string[], onReject: (reject: Reject) => void, options?: Partial<SplitReadOptions>): Promise<CoortweetColumns> {
  const opts = { ...SPLIT_READ_DEFAULTS, ...options };
  const sizes = files.map((file) => statSync(file).size);
  const rows = new CoortweetRows(sizes.reduce((sum, size) => sum + size, 0));
  const counts: CoortweetFileCounts[] = [];
  for (const [index, file] of files.entries()) {
    const started = performance.now();
    const size = sizes[index]!;
    let header: CoortweetHeader | null = null;
    const afterHeader = scanCsvFile(file, (record) => {
      header = coortweetHeader(file, record);
      return false;
    }, { blockBytes: 1 << 16 });
    if (header === null) throw unknownFormat(file, 'the file is empty (no header)');
    let read = 0, rejected = 0;
    const add = (record: Parameters<typeof rows.add>[0]): void => {
      read++;
      if (!rows.add(record, header!, file, onReject)) rejected++;
    };
    const fast = rows.fastPath(header);
    let end: CsvScanEnd = { bytes: 0, offset: afterHeader.offset, line: afterHeader.line };
    let reason: SplitReason;
    if (size < opts.minSplitBytes) {
      reason = 'small';
    } else if (opts.threads !== 'auto') {
      reason = 'forced';
    } else {
      // The probe: this thread reads the first bytes while the counters run.
      const before = opts.sampleCpu();
      const wallFrom = performance.now(), ownFrom = process.cpuUsage();
      end = scanCsvFile(file, add, { from: end.offset, firstLine: end.line, stopAt: end.offset + opts.probeBytes, fast });
      const after = before === null ? null : opts.sampleCpu();
      const own = process.cpuUsage(ownFrom);
      const idle = before === null || after === null ? null : freeCores(before, after, (own.user + own.system) / 1e6, (performance.now() - wallFrom) / 1000);
      const split = shouldSplit({ idle, loadAverage: loadavg()[0]!, cores: opts.cores ?? availableParallelism() }, { minIdleCores: opts.minIdleCores, busyLoad: opts.busyLoad });
      reason = !split ? 'busy' : idle === null ? 'load-average' : 'idle';
    }
    const wanted = reason === 'idle' || reason === 'load-average' || (reason === 'forced' && opts.threads === 2);
    const cut = wanted && end.offset < size ? chooseCut(file, end.offset, size, opts) : -1;
    if (wanted && cut < 0) reason = 'no-cut';
    const part = cut < 0 ? null : startPart({ file, from: cut, header });
    // Without a worker's answer the rest of the file is read here.
    part?.result.catch(() => undefined);
    if (end.offset < size) end = scanCsvFile(file, add, { from: end.offset, firstLine: end.line, stopAt: cut < 0 ? Infinity : cut, fast });
    const half = part === null || end.offset !== cut ? null : await part.result.catch(() => null);
    if (half === null) {
      part?.stop();
      if (end.offset < size) end = scanCsvFile(file, add, { from: end.offset, firstLine: end.line, fast });
    } else {
      rows.append(half.rows);
      read += half.read;
      for (const reject of half.rejects) {
        rejected++;
        onReject({ ...reject, line: reject.line + end.line - 1 });
      }
    }
    read += fast.rows;
    counts.push({ file, read, rejected, seconds: (performance.now() - started) / 1000, threads: half === null ? 1 : 2, split: reason });
  }
  return rows.columns(counts);
}
