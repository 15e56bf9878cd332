/**
 * A bit per actor for "in a cluster": the test most events of a trace fail (few accounts are in
 * clusters), done on an array an eighth of a byte per actor that stays in cache, before the
 * actor's cluster is looked up in an Int32Array four bytes per actor that does not.
 */

/**
 * Bits of the actors with `clusterOf[actor] >= 0`.
 * @example
 * const bits = memberBits(Int32Array.of(-1, 0, -1));
 * isMember(bits, 1) // true
 */
export function memberBits(clusterOf: Int32Array): Int32Array {
  const bits = new Int32Array((clusterOf.length >>> 5) + 1);
  for (let actor = 0; actor < clusterOf.length; actor++) if (clusterOf[actor]! >= 0) bits[actor >>> 5] = bits[actor >>> 5]! | (1 << (actor & 31));
  return bits;
}

/** Whether `actor` (>= 0) has its bit set; false beyond the bits. */
export function isMember(bits: Int32Array, actor: number): boolean {
  return ((bits[actor >>> 5] ?? 0) & (1 << (actor & 31))) !== 0;
}
