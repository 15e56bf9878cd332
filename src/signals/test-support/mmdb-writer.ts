/**
 * A minimal MaxMind DB (format 2.0) writer for test fixtures, written from the spec
 * (https://maxmind.github.io/MaxMind-DB/): an IPv4 search tree with 24-bit records, a data
 * section of maps, strings, unsigned ints and booleans, and the metadata section. No npm package
 * writes .mmdb, so the reader is tested against files built here by hand.
 */
import { parseCidr4 } from '../ipv4.js';

export type MmdbValue = string | number | boolean | { [key: string]: MmdbValue };

function control(type: number, size: number): number[] {
  if (size > 284) throw new Error('fixture writer: sizes above 284 are not needed');
  const [low, extra] = size < 29 ? [size, []] : [29, [size - 29]];
  return type <= 7 ? [(type << 5) | low, ...extra] : [low, type - 7, ...extra];
}

function uintBytes(value: number): number[] {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return bytes;
}

/** Encodes one value of the data section (unsigned ints pick uint16, uint32 or uint64 by size). */
export function encodeValue(value: MmdbValue): number[] {
  if (typeof value === 'string') {
    const bytes = [...Buffer.from(value, 'utf8')];
    return [...control(2, bytes.length), ...bytes];
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    const bytes = uintBytes(value);
    const type = value < 65536 ? 5 : value < 2 ** 32 ? 6 : 9;
    return [...control(type, bytes.length), ...bytes];
  }
  const entries = Object.entries(value);
  return [...control(7, entries.length), ...entries.flatMap(([key, item]) => [...encodeValue(key), ...encodeValue(item)])];
}

type Slot = { node: number } | { data: number } | null;

/** Builds an IPv4 .mmdb holding each CIDR's record (nested CIDRs: the narrower wins). */
export function writeMmdb(networks: readonly { cidr: string; record: MmdbValue }[], databaseType = 'lockstep-test'): Buffer {
  const data: number[] = [];
  const nodes: [Slot, Slot][] = [[null, null]];
  const sorted = networks.map((entry) => {
    const range = parseCidr4(entry.cidr);
    if (range === null) throw new Error(`fixture writer: ${entry.cidr} is not an IPv4 CIDR`);
    return { ...range, record: entry.record };
  }).sort((x, y) => x.prefix - y.prefix);
  for (const network of sorted) {
    const offset = data.length;
    data.push(...encodeValue(network.record));
    let node = 0;
    for (let depth = 0; depth < network.prefix; depth++) {
      const bit = Math.floor(network.start / 2 ** (31 - depth)) % 2;
      const pair = nodes[node] as [Slot, Slot];
      if (depth === network.prefix - 1) { pair[bit] = { data: offset }; break; }
      const slot = pair[bit] ?? null;
      if (slot !== null && 'node' in slot) { node = slot.node; continue; }
      // Empty, or a wider network's data: a new node whose two halves inherit it.
      nodes.push([slot, slot]);
      pair[bit] = { node: nodes.length - 1 };
      node = nodes.length - 1;
    }
  }
  const nodeCount = nodes.length;
  const tree: number[] = [];
  const record = (slot: Slot): number => (slot === null ? nodeCount : 'node' in slot ? slot.node : nodeCount + 16 + slot.data);
  for (const [left, right] of nodes) {
    for (const value of [record(left), record(right)]) tree.push((value >>> 16) & 255, (value >>> 8) & 255, value & 255);
  }
  const metadata = encodeValue({
    node_count: nodeCount, record_size: 24, ip_version: 4, database_type: databaseType,
    binary_format_major_version: 2, binary_format_minor_version: 0, build_epoch: 1_700_000_000,
    description: { en: 'lockstep test fixture' },
  });
  // languages: an empty array (type 11, extended).
  const languages = [...encodeValue('languages'), 0, 4];
  metadata[0] = (7 << 5) | (((metadata[0] as number) & 31) + 1);
  return Buffer.from([
    ...tree, ...new Array<number>(16).fill(0), ...data,
    0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii'), ...metadata, ...languages,
  ]);
}
