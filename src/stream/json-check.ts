/**
 * A JSON checker over bytes for the Jetstream scanner's first pass (jetstream-scan.ts): it refuses
 * what JSON.parse refuses (bad strings, escapes, control characters, numbers, literals, nesting)
 * and, beyond that, keys with escapes and white space other than spaces and tabs (a line's CR),
 * which the scanner leaves to JSON.parse.
 *
 * The walk is WebAssembly (wasm/json-check.ts, built into json-check-wasm.ts): string contents,
 * most of a Jetstream line, are read 16 bytes at a time, where a JavaScript byte loop cost ~2 ns
 * a byte. A line is copied into the module's memory (check), or a whole chunk is written there once
 * (chunk, scanLines: one call finds, checks and reads the top fields of up to 64 lines, where a
 * copy and two calls a line cost ~7% of the front end); what the walk records is read there
 * through views (`ends`, `nodeAt`, `pos`) that are replaced when the memory grows. The same walk
 * in JavaScript is kept as the tests' reference (test-support/json-check-js.ts).
 */
import { JSON_CHECK_WASM } from './json-check-wasm.js';
import { ModuleIds } from './module-ids.js';

/**
 * Set in a string value's recorded end when the string holds an escape, so a reader knows it
 * without walking the string again (ends stay below 2^30: longer lines are refused).
 */
export const ESCAPED = 1 << 30;

/** The parts of the WebAssembly API used here (TypeScript's lib without the DOM does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
interface CheckExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  setNames(count: number, multiplier: number): void;
  check(line: number, length: number, ends: number, nodeAt: number, pos: number, maxNodes: number, delta: number): number;
  readTop(line: number, delta: number, ends: number, nodeAt: number, pos: number, top: number): number;
  scanLines(chunk: number, from: number, length: number, ends: number, nodeAt: number, pos: number, maxNodes: number, records: number, maxRecords: number, shareIndex: number, shareOf: number): number;
  resume(): number;
  stopped(): number;
  setIdTable(slots: number, mask: number, arena: number): void;
  idOf(at: number, length: number, h: number, tag: number): number;
}
/** The module's fixed regions the host writes or reads (wasm/json-check.ts exports their addresses). */
export type WasmRegion = 'TABLE' | 'NAME_START' | 'NAME_BYTES' | 'NAME_BYTES_END' | 'SEEDS' | 'TOP' | 'WORDS_START' | 'WORDS';
type RegionExports = Record<WasmRegion, { value: number }>;

const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const MODULE = new WASM.Module(Buffer.from(JSON_CHECK_WASM, 'base64'));
/** Where the host's regions start: past the module's own (its static data sits at 64 KB). */
const HOST_BASE = 1 << 17;
/** Room after a line for the walk's 16-byte loads. */
const SLACK = 16;
/** A line's code in scanLines' records when it is another share's (wasm/line-cuts.ts). */
export const OTHER_SHARE = 3;
/**
 * Lines scanLines records per call, LINE_RECORD bytes each (wasm/json-check.ts), and why it stops
 * for lack of objects' room. A call's records (ends and nodeAt: 4 bytes per byte of its lines; pos:
 * ~90 bytes per object) are read by the host right after it: 64 lines (~17 KB) keep them in the
 * core's cache, where 1024 (~1.1 MB of ends alone) were written out and read back from memory.
 */
const MAX_RECORDS = 64, LINE_RECORD = 80, OBJECTS_FULL = 2;
/** Int32s of a line's record in lineRecords. */
export const LINE_RECORD_INTS = LINE_RECORD / 4;
const PAGE = 1 << 16;
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const align = (n: number): number => (n + 15) & ~15;

/** A key's slot in the names' table: its length and first and last bytes, hashed (as the module hashes it). */
function keyHash(bytes: Uint8Array, multiplier: number): number {
  const length = bytes.length;
  return Math.imul((length << 16) | (length > 0 ? (bytes[0]! << 8) | bytes[length - 1]! : 0), multiplier) >>> 22;
}

/**
 * Checks lines and records, by the offset of each value from the line's start, where it ends
 * (`ends`, with ESCAPED added for a string holding an escape; keys' ends too), and where the
 * values of the named keys sit in each object (`nodeAt` → node, `pos[node × names + name]`, -1
 * when absent; of a key given twice, the last, as JSON.parse keeps it), so a reader finds a field
 * without walking an object's keys again. Recorded offsets are positions in the checked bytes.
 * The views hold the last checked line only.
 * @example
 * const checker = new JsonChecker(['did']);
 * if (checker.check(bytes, 0, bytes.length)) console.log(checker.get(0, 0)); // where did's value starts
 */
export class JsonChecker {
  readonly names: readonly string[];
  /** The value's end by offset from the last line's start (see above). */
  ends = new Int32Array(0);
  /** The object's node by its offset from the last line's start. */
  nodeAt = new Int32Array(0);
  /** Per node × names.length + name: the value's position (-1: absent). */
  pos = new Int32Array(0);
  /** The last checked line's start in its bytes. */
  base = 0;
  /**
   * Per line of the last scanLines, LINE_RECORD bytes: i32 start, end, code, then readTop's record
   * (f64 time at byte 24), then a repost's subject uri: start (-1: none), FNV-1a, id in `dids`
   * under KEY_TAG (-1: not there), end.
   */
  lineRecords = new Int32Array(0);
  lineTimes = new Float64Array(0);
  /** The accounts' table in this memory, which readTop looks dids up in (module-ids.ts). */
  readonly dids: ModuleIds;
  readonly #wasm: CheckExports & RegionExports;
  #line = new Uint8Array(0);
  /** Longest line and most objects the regions hold now. */
  #capacity = 0;
  #maxNodes = 0;
  /** Where the regions start: line, ends, nodeAt, pos, records. */
  #at = [0, 0, 0, 0, 0];
  /** scanLines stopped for want of objects' room: the next call makes more. */
  #moreNodes = false;

  constructor(names: readonly string[] = []) {
    this.names = names;
    const wasm = (this.#wasm = new WASM.Instance(MODULE).exports as unknown as CheckExports & RegionExports);
    this.dids = new ModuleIds({ memory: wasm.memory, setIdTable: wasm.setIdTable, idOf: wasm.idOf, renewed: () => this.#views() });
    const TABLE = this.region('TABLE'), NAME_START = this.region('NAME_START'), NAME_BYTES = this.region('NAME_BYTES'), NAME_BYTES_END = this.region('NAME_BYTES_END');
    const bytes = names.map(bytesOf);
    const memory = new Uint8Array(this.#wasm.memory.buffer);
    const table = new Int32Array(this.#wasm.memory.buffer, TABLE, 1024);
    const starts = new Int32Array(this.#wasm.memory.buffer, NAME_START, names.length + 1);
    if (NAME_START + 4 * (names.length + 1) > NAME_BYTES || bytes.reduce((sum, name) => sum + name.length, NAME_BYTES) > NAME_BYTES_END) throw new Error(`JsonChecker: too many or too long names (${names.length})`);
    bytes.forEach((name, n) => {
      starts[n + 1] = starts[n]! + name.length;
      memory.set(name, NAME_BYTES + starts[n]!);
    });
    // A multiplier under which the names' slots are all different (a key is then compared with one name).
    for (let m = 0x9e3779b1 | 0; ; m = (m + 0x6d2b79f6) | 0) {
      table.fill(0);
      if (bytes.every((name, n) => table[keyHash(name, m)] === 0 && (table[keyHash(name, m)] = n + 1) > 0)) {
        this.#wasm.setNames(names.length, m);
        break;
      }
    }
    this.#layout(4096, 64);
  }

  /** Regions for lines of up to `capacity` bytes with up to `maxNodes` objects: line, ends, nodeAt, pos. */
  #layout(capacity: number, maxNodes: number): void {
    const lineAt = HOST_BASE, endsAt = lineAt + align(capacity + SLACK), nodeAtAt = endsAt + align(4 * (capacity + 1));
    const posAt = nodeAtAt + align(4 * (capacity + 1)), recordsAt = align(posAt + 4 * maxNodes * Math.max(1, this.names.length));
    const top = recordsAt + MAX_RECORDS * LINE_RECORD;
    const memory = this.#wasm.memory;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / PAGE));
    this.dids.above(top);
    this.#at = [lineAt, endsAt, nodeAtAt, posAt, recordsAt];
    this.#capacity = capacity;
    this.#maxNodes = maxNodes;
    this.#views();
  }

  /** Views over the regions, in the memory as it is now (renewed whenever it grows). */
  #views(): void {
    const buffer = this.#wasm.memory.buffer, capacity = this.#capacity, [lineAt, endsAt, nodeAtAt, posAt, recordsAt] = this.#at as [number, number, number, number, number];
    this.#line = new Uint8Array(buffer, lineAt, capacity);
    this.ends = new Int32Array(buffer, endsAt, capacity + 1);
    this.nodeAt = new Int32Array(buffer, nodeAtAt, capacity + 1);
    this.pos = new Int32Array(buffer, posAt, this.#maxNodes * Math.max(1, this.names.length));
    this.lineRecords = new Int32Array(buffer, recordsAt, (MAX_RECORDS * LINE_RECORD) / 4);
    this.lineTimes = new Float64Array(buffer, recordsAt, (MAX_RECORDS * LINE_RECORD) / 8);
  }

  /** Whether `bytes[start, end)` is one JSON object (RFC 8259) between spaces or tabs, its keys without escapes; records as above. */
  check(bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length >= ESCAPED) return false;
    if (length > this.#capacity) this.#layout(Math.max(length, 2 * this.#capacity), this.#maxNodes);
    this.#line.set(length === bytes.length ? bytes : bytes.subarray(start, end));
    this.base = start;
    const line = this.#line.byteOffset, ends = this.ends.byteOffset, nodeAt = this.nodeAt.byteOffset;
    for (;;) {
      const result = this.#wasm.check(line, length, ends, nodeAt, this.pos.byteOffset, this.#maxNodes, start);
      if (result >= 0) return result === 1;
      this.#layout(this.#capacity, 2 * this.#maxNodes);
    }
  }

  /**
   * The module's line region, holding at least `length` bytes (grown when it holds fewer): a chunk
   * written at its start is read by scanLines, where it is, with no copy a line. Replaced when the
   * memory grows; every check() overwrites it.
   */
  chunk(length: number): Uint8Array {
    if (length > this.#capacity) this.#layout(Math.max(length, 2 * this.#capacity), this.#maxNodes);
    return this.#line;
  }

  /**
   * The module's scanLines over the chunk's first `length` bytes (see chunk()) from offset `from`:
   * the lines ending in a line feed found, checked and their top fields read, one call for up to
   * MAX_RECORDS lines. Returns how many were recorded (lineRecords); 0: no line break is left
   * after `from`. The records, ends, nodeAt and pos hold until the next call; resume() is where to
   * call again. Positions are offsets in the chunk; ends and nodeAt are by offset from `from` (base),
   * so every call writes the regions' start, which stays in cache: the module, which stores at
   * `ends + 4 × offset`, is given the regions' addresses less 4 × from. With `share` (stream-publish
   * --threads), a line of another share (byte-front.ts's lineShare) is recorded with code
   * OTHER_SHARE and not checked.
   */
  scanLines(from: number, length: number, share?: { index: number; of: number }): number {
    if (this.#moreNodes) this.#layout(this.#capacity, 2 * this.#maxNodes);
    this.#moreNodes = false;
    this.base = from;
    // Each line recorded may add its did and a repost's subject to the table: room now, so no view dies while they are read.
    this.dids.reserve(2 * MAX_RECORDS, length - from);
    for (;;) {
      const wasm = this.#wasm, records = this.lineRecords.byteOffset, shift = 4 * from;
      const count = wasm.scanLines(this.#line.byteOffset, from, length, this.ends.byteOffset - shift, this.nodeAt.byteOffset - shift, this.pos.byteOffset, this.#maxNodes, records, MAX_RECORDS, share?.index ?? 0, share?.of ?? 1);
      if (count >= 0) {
        this.#moreNodes = wasm.stopped() === OBJECTS_FULL && count < MAX_RECORDS / 4;
        return count;
      }
      this.#layout(this.#capacity, 2 * this.#maxNodes);
    }
  }

  /** Where the last scanLines stopped: the start of the next line to scan. */
  resume(): number {
    return this.#wasm.resume();
  }

  /** The address of one of the module's fixed regions in `memory`. */
  region(name: WasmRegion): number {
    return this.#wasm[name].value;
  }

  /** The module's memory (replaced when it grows): jetstream-scan.ts writes readTop's words and reads its record there. */
  get memory(): ArrayBuffer {
    return this.#wasm.memory.buffer;
  }

  /**
   * The Jetstream scanner's top fields of the last checked line, its object at `top` (the module's
   * readTop, for jetstream-scan.ts, whose FIELD_NAMES these names must be): 0 give up, 1 no action,
   * 2 an action; the record is in the module's memory (READ_TOP in jetstream-scan.ts).
   */
  readTop(top: number): number {
    return this.#wasm.readTop(this.#line.byteOffset, this.base, this.ends.byteOffset, this.nodeAt.byteOffset, this.pos.byteOffset, top);
  }

  /** Where the value (or key) at `at` in the last checked line ends, ESCAPED added for an escaped string. */
  end(at: number): number {
    return this.ends[at - this.base]!;
  }

  /** The position of the value of name `n` in the object at `at` of the last checked line (-1: absent). */
  get(at: number, n: number): number {
    return this.pos[this.nodeAt[at - this.base]! * this.names.length + n]!;
  }
}
