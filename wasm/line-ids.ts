// AssemblyScript, part of the module wasm/json-check.ts builds: after scanLines has read a call's
// lines, their accounts' dids and their reposts' subjects are looked up in the ids' table
// (byte-ids.ts), the lookups' misses taken together.

import { idOf, touchEntry, touchSlot } from './byte-ids';
import { LINE_RECORD } from './json-check';

/** module-ids.ts's KEY_TAG: a repost subject's entry in the ids' table. */
const KEY_TAG: i32 = 1 << 30;

/** The did's id (byte-ids.ts idOf) into the record at `out`, after readTopInto found an action in the line at b. */
// @ts-ignore: decorator
@inline export function lookUpDid(out: usize, b: usize, delta: i32): void {
  const did = load<i32>(out);
  store<i32>(out + 44, idOf(b + <usize>(did - delta), load<i32>(out, 4) - did, load<i32>(out, 32), 0));
}

/** What the touches read: kept (and exported), so the optimiser cannot drop their loads. */
let touched: i32 = 0;
export function touchedSum(): i32 {
  return touched;
}

/**
 * The ids of a call's actions' dids and reposts' subjects (json-check.ts's repostTarget), looked up
 * after every line is read: the table (~5 MB for 20k accounts and 44k reposted posts) is mostly
 * not in the core's cache, and one lookup's misses, taken after each line's check, waited one
 * after another. The first two loops load every entry's slot and bytes (touchSlot, touchEntry):
 * independent loads, so the core waits for them together.
 */
export function lookUpDids(b: usize, records: usize, count: i32): void {
  let sum: i32 = 0;
  for (let k = 0; k < count; k++) {
    const out = records + <usize>(k * LINE_RECORD);
    if (load<i32>(out, 8) != 2) continue;
    sum += touchSlot(load<i32>(out, 16 + 32));
    if (load<i32>(out, 64) >= 0) sum += touchSlot(load<i32>(out, 68));
  }
  for (let k = 0; k < count; k++) {
    const out = records + <usize>(k * LINE_RECORD);
    if (load<i32>(out, 8) != 2) continue;
    sum += touchEntry(load<i32>(out, 16 + 32));
    if (load<i32>(out, 64) >= 0) sum += touchEntry(load<i32>(out, 68));
  }
  touched = sum;
  for (let k = 0; k < count; k++) {
    const out = records + <usize>(k * LINE_RECORD);
    if (load<i32>(out, 8) != 2) continue;
    lookUpDid(out + 16, b, 0);
    const target = load<i32>(out, 64);
    if (target >= 0) store<i32>(out + 72, idOf(b + <usize>target, load<i32>(out, 76) - target, load<i32>(out, 68), KEY_TAG));
  }
}
