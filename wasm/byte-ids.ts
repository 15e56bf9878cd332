// AssemblyScript, part of the module wasm/json-check.ts builds (it re-exports these): the table of
// byte strings to ids that ByteFront keeps for accounts (src/stream/module-ids.ts places it in this
// memory and inserts; see there), so readTop resolves a known did to its id where the line is,
// and the host decodes and interns only the first sighting. Lookups only: the host inserts.

/** The table's slots (16 bytes: FNV-1a hash, arena offset + 1 (0: empty), length, value), their mask, and its arena (0: no table yet). */
let slotsAt: usize = 0;
let slotMask: i32 = 0;
let arenaAt: usize = 0;

/** Where the host placed the table (after it grew or moved it). */
export function setIdTable(slots: usize, mask: i32, arena: usize): void {
  slotsAt = slots;
  slotMask = mask;
  arenaAt = arena;
}

/** Whether the `length` bytes at a and at b are the same. */
function sameBytes(a: usize, b: usize, length: i32): bool {
  let k: i32 = 0;
  for (; k + 8 <= length; k += 8) if (load<u64>(a + <usize>k) != load<u64>(b + <usize>k)) return false;
  for (; k < length; k++) if (load<u8>(a + <usize>k) != load<u8>(b + <usize>k)) return false;
  return true;
}

/**
 * The value stored for the `length` bytes at b, whose FNV-1a is h (hashBytes), under `tag` (0:
 * an account; module-ids.ts's KEY_TAG: a repost's subject), or -1 when they are not in the table.
 * A slot's length field holds the length with the tag added, so a did and a uri of the same bytes
 * are two entries.
 */
export function idOf(b: usize, length: i32, h: i32, tag: i32): i32 {
  if (slotsAt == 0) return -1;
  let slot = h & slotMask;
  const tagged = length | tag;
  while (true) {
    const s = slotsAt + (<usize>slot << 4);
    const at1 = load<i32>(s, 4);
    if (at1 == 0) break;
    if (load<i32>(s) == h && load<i32>(s, 8) == tagged && sameBytes(arenaAt + <usize>(at1 - 1), b, length)) return load<i32>(s, 12);
    slot = (slot + 1) & slotMask;
  }
  return -1;
}

/** Loads the first slot `h` probes (a touch: its line is in the core's cache afterwards); 0 when there is no table. */
// @ts-ignore: decorator
@inline export function touchSlot(h: i32): i32 {
  return slotsAt == 0 ? 0 : load<i32>(slotsAt + (<usize>(h & slotMask) << 4));
}

/** Loads the first byte of the entry in the first slot `h` probes (a touch, as touchSlot); 0 when the slot is empty. */
// @ts-ignore: decorator
@inline export function touchEntry(h: i32): i32 {
  if (slotsAt == 0) return 0;
  const at1 = load<i32>(slotsAt + (<usize>(h & slotMask) << 4), 4);
  return at1 == 0 ? 0 : <i32>load<u8>(arenaAt + <usize>(at1 - 1));
}
