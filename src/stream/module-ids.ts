/**
 * ByteIds (byte-ids.ts) kept in the JSON check's WebAssembly memory, for accounts: the module's
 * readTop looks a line's did up there (wasm/byte-ids.ts idOf) with the hash it has just computed,
 * and writes the id into the line's record, so a known account costs the host no hash-table walk
 * or byte compare; the host inserts what the module did not know (first sightings), here.
 *
 * The table sits in the module's memory above the host's regions (JsonChecker's layout): slots of
 * 16 bytes (FNV-1a hash, arena offset + 1 (0: empty), length, value), at most half full, then an
 * arena of the entries' bytes. It grows (memory.grow) and moves up when the layout below it
 * grows, and never drops an entry except by clear(). Per entry: 32–64 bytes of slots plus its bytes
 * (a did: ~32), and up to twice that while the arena's doubling is not yet used.
 */
import { placeSlot } from './byte-ids.js';

/** What the table needs of the module (JsonChecker gives it). */
export interface IdTableHost {
  readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  setIdTable(slots: number, mask: number, arena: number): void;
  idOf(at: number, length: number, h: number, tag: number): number;
  /** The memory grew: the host renews its views over it. */
  renewed(): void;
}

const SLOT = 16, PAGE = 1 << 16;
/**
 * Added to an entry's length in its slot for a repost's subject uri (ByteFront keeps those here
 * too, so the module looks them up where the line is): a did and a uri of the same bytes are two
 * entries. Accounts' entries have tag 0.
 */
export const KEY_TAG = 1 << 30;
const align = (n: number): number => (n + 15) & ~15;

export class ModuleIds {
  readonly #host: IdTableHost;
  /** The table's start (above `#floor`, the host's regions' end), its slots' count, its arena's size. */
  #at = 0;
  #floor = 0;
  #slotCount = 0;
  #arenaSize = 0;
  #used = 0;
  #size = 0;
  #owner: object | null = null;

  constructor(host: IdTableHost) {
    this.#host = host;
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the module's memory the table holds (slots and arena). */
  get bytes(): number {
    return this.#slotCount * SLOT + this.#arenaSize;
  }

  /**
   * The value stored for `bytes[start, end)` (FNV-1a `h`) under `tag` (0 or KEY_TAG), or -1: the module's own lookup, on the
   * bytes where they are when they are in its memory, else on a copy past the arena's last entry.
   */
  get(bytes: Uint8Array, start: number, end: number, h: number, tag = 0): number {
    if (this.#slotCount === 0) return -1;
    const length = end - start;
    if (bytes.buffer === this.#host.memory.buffer) return this.#host.idOf(bytes.byteOffset + start, length, h, tag);
    this.reserve(1, length);
    const at = this.#at + this.#slotCount * SLOT + this.#used;
    new Uint8Array(this.#host.memory.buffer, at, length).set(bytes.subarray(start, end));
    return this.#host.idOf(at, length, h, tag);
  }

  /**
   * The table is `owner`'s from now: when it was another's (one ByteFront's ids are not another's),
   * every entry is forgotten first.
   */
  claim(owner: object): void {
    if (this.#owner === owner) return;
    this.clear();
    this.#owner = owner;
  }

  /** Forgets every entry (keeps the room). */
  clear(): void {
    if (this.#slotCount > 0) new Int32Array(this.#host.memory.buffer, this.#at, this.#slotCount * 4).fill(0);
    this.#used = this.#size = 0;
  }

  /**
   * The host's regions now end at `floor`: the table moves above it when it sat lower. Called by
   * the host's layout after it grew the memory to `floor`; the host renews its views afterwards.
   */
  above(floor: number): void {
    this.#floor = floor;
    if (this.#slotCount === 0 || this.#at >= floor) return;
    const to = align(floor), size = this.bytes;
    this.#room(to + size);
    new Uint8Array(this.#host.memory.buffer).copyWithin(to, this.#at, this.#at + size);
    this.#at = to;
    this.#tell();
  }

  /**
   * Makes room for `entries` more entries of `bytes` bytes in all without growing the memory, so
   * views over the memory stay valid while they are inserted. Returns whether the memory grew
   * (the host's views were renewed).
   */
  reserve(entries: number, bytes: number): boolean {
    const slotsNeeded = 2 * (this.#size + entries), arenaNeeded = this.#used + bytes;
    if (slotsNeeded <= this.#slotCount && arenaNeeded <= this.#arenaSize) return false;
    let slotCount = Math.max(this.#slotCount, 4096);
    while (slotCount < slotsNeeded) slotCount *= 2;
    const arenaSize = arenaNeeded <= this.#arenaSize ? this.#arenaSize : Math.max(2 * this.#arenaSize, arenaNeeded, PAGE);
    if (this.#slotCount === 0) this.#at = align(this.#floor);
    const grew = this.#room(this.#at + slotCount * SLOT + arenaSize);
    const memory = this.#host.memory.buffer;
    // The arena moves up past the larger slots (memmove), then the slots are placed again.
    new Uint8Array(memory).copyWithin(this.#at + slotCount * SLOT, this.#at + this.#slotCount * SLOT, this.#at + this.#slotCount * SLOT + this.#used);
    if (slotCount !== this.#slotCount) {
      const old = new Int32Array(memory, this.#at, this.#slotCount * 4).slice();
      const slots = new Int32Array(memory, this.#at, slotCount * 4);
      slots.fill(0);
      for (let s = 0; s < old.length; s += 4) if (old[s + 1] !== 0) placeSlot(slots, slotCount - 1, old[s]!, old[s + 1]!, old[s + 2]!, old[s + 3]!);
    }
    this.#slotCount = slotCount;
    this.#arenaSize = arenaSize;
    this.#tell();
    if (grew) this.#host.renewed();
    return grew;
  }

  /**
   * Stores `value` for `bytes[start, end)` (FNV-1a `h`) under `tag`, which the table does not hold. `bytes`
   * may be a view of the module's memory: it is read after any growth.
   */
  set(bytes: Uint8Array, start: number, end: number, value: number, h: number, tag = 0): void {
    const length = end - start;
    const inModule = bytes.buffer === this.#host.memory.buffer ? bytes.byteOffset + start : -1;
    this.reserve(1, length);
    const memory = this.#host.memory.buffer, arena = this.#at + this.#slotCount * SLOT;
    if (inModule >= 0) new Uint8Array(memory).copyWithin(arena + this.#used, inModule, inModule + length);
    else new Uint8Array(memory, arena + this.#used, length).set(bytes.subarray(start, end));
    placeSlot(new Int32Array(memory, this.#at, this.#slotCount * 4), this.#slotCount - 1, h, this.#used + 1, length | tag, value);
    this.#used += length;
    this.#size++;
  }

  /** Grows the memory to hold `end` bytes: whether it grew. */
  #room(end: number): boolean {
    const memory = this.#host.memory;
    if (end <= memory.buffer.byteLength) return false;
    memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    return true;
  }

  #tell(): void {
    this.#host.setIdTable(this.#at, this.#slotCount - 1, this.#at + this.#slotCount * SLOT);
  }
}
