/**
 * A partition's pairs as a filter other partitions can ask "might this pair be here too?" (a
 * split-block Bloom filter: no false negatives, a false positive only keeps a row that could have
 * been left out). Pairs are keyed by a hash of the two accounts' labels, not their ids: each
 * partition numbers its accounts its own way, the labels are the same everywhere.
 */

/** Odd constants (Parquet's split-block filter): each picks one bit of its block's word from the key's second half. */
const SALT = Uint32Array.of(0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31);
const WORDS_PER_BLOCK = 8;

/** MurmurHash3's finaliser: every input bit moves about half the output bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Two independent 32-bit hashes of each label (FNV-1a and a multiply-rotate), finalised. */
export function labelHashes(labels: readonly string[]): { first: Int32Array; second: Int32Array } {
  const first = new Int32Array(labels.length), second = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    let x = 0x811c9dc5, y = 0x9747b28c ^ label.length;
    for (let c = 0; c < label.length; c++) {
      const unit = label.charCodeAt(c);
      x = Math.imul(x ^ unit, 0x01000193);
      y = Math.imul(y ^ unit, 0x5bd1e995);
      y = (y << 13) | (y >>> 19);
    }
    first[i] = mix32(x);
    second[i] = mix32(y);
  }
  return { first, second };
}

/**
 * Each pair's key from its two accounts' label hashes, the same whichever account comes first:
 * `block` picks a filter's block, `bits` the bit in each of its words. Written to columns in one
 * loop: kept in an object's fields, 32-bit keys were boxed numbers (~85 ns a key against ~11).
 */
export function pairKeys(hashes: { first: Int32Array; second: Int32Array }, a: Int32Array, b: Int32Array, size: number): { block: Int32Array; bits: Int32Array } {
  const { first, second } = hashes;
  const block = new Int32Array(size), bits = new Int32Array(size);
  for (let row = 0; row < size; row++) {
    const x = a[row]!, y = b[row]!;
    const xFirst = first[x]!, yFirst = first[y]!, xSecond = second[x]!, ySecond = second[y]!;
    const xLow = xFirst < yFirst || (xFirst === yFirst && xSecond <= ySecond);
    const lowFirst = xLow ? xFirst : yFirst, lowSecond = xLow ? xSecond : ySecond, highFirst = xLow ? yFirst : xFirst, highSecond = xLow ? ySecond : xSecond;
    block[row] = mix32((Math.imul(lowFirst, 0xcc9e2d51) + highSecond) | 0);
    bits[row] = mix32(Math.imul(lowSecond, 0x1b873593) ^ highFirst ^ 0x6a09e667);
  }
  return { block, bits };
}

/**
 * A split-block Bloom filter over pair keys: 8 words of 32 bits a block, one bit set in each. Its
 * blocks are a power of two, picked by the key's low bits, so a filter folds onto fewer blocks
 * exactly (block i of the half holds blocks i and i + half): filters of partitions of different
 * sizes fold to one size and interleave (`FilterSet`).
 */
export class PairFilter {
  readonly words: Uint32Array;
  readonly blocks: number;

  /** Sized for `keys` keys at `bitsPerKey` bits each or up to twice that (a power of two); or over `words` as stored. */
  constructor(keys: number, bitsPerKey: number, words?: Uint32Array) {
    this.blocks = words === undefined ? 2 ** Math.ceil(Math.log2(Math.max(1, (keys * bitsPerKey) / (32 * WORDS_PER_BLOCK)))) : words.length / WORDS_PER_BLOCK;
    if (!Number.isInteger(Math.log2(this.blocks)) || this.blocks > 2 ** 24) throw new RangeError(`a pair filter is a power of two blocks of ${WORDS_PER_BLOCK} words, at most 2^24`);
    this.words = words ?? new Uint32Array(this.blocks * WORDS_PER_BLOCK);
  }

  add(block: number, bits: number): void {
    const base = (block & (this.blocks - 1)) * WORDS_PER_BLOCK, words = this.words;
    for (let i = 0; i < WORDS_PER_BLOCK; i++) words[base + i]! |= 1 << (Math.imul(bits, SALT[i]!) >>> 27);
  }

  /** The filter on `blocks` blocks (fewer, a power of two): every key it may hold, the folded one may too. */
  folded(blocks: number): Uint32Array {
    if (blocks === this.blocks) return this.words;
    const out = new Uint32Array(blocks * WORDS_PER_BLOCK);
    for (let at = 0; at < this.words.length; at += out.length) for (let i = 0; i < out.length; i++) out[i]! |= this.words[at + i]!;
    return out;
  }
}

/**
 * A job's filters of one trace asked at once, each partition's own left out. Filters of one size
 * are interleaved, so a key's block in each is in one run of memory; a filter folds onto a smaller
 * one only down to half its blocks (a partition with few pairs has a small filter, which would fill
 * the others), else it starts a group of its own. Keys asked in ascending `block & mask` order read
 * the filters front to back: in row order each key's blocks were a cache and TLB miss (~300 ns a
 * row for 7 filters of 1 MB).
 */
export class FilterSet {
  private readonly groups: { words: Uint32Array; mask: number; owners: Int32Array }[] = [];
  /** The largest group's blocks less one. */
  readonly mask: number;

  constructor(filters: readonly { owner: number; filter: PairFilter }[]) {
    const bySize = [...filters].sort((x, y) => x.filter.blocks - y.filter.blocks);
    while (bySize.length > 0) {
      const blocks = bySize[0]!.filter.blocks;
      const members = bySize.filter(({ filter }) => filter.blocks <= 2 * blocks);
      bySize.splice(0, members.length);
      const stride = members.length * WORDS_PER_BLOCK, words = new Uint32Array(blocks * stride);
      members.forEach(({ filter }, f) => {
        const folded = filter.folded(blocks);
        for (let block = 0, to = f * WORDS_PER_BLOCK, from = 0; block < blocks; block++, to += stride - WORDS_PER_BLOCK) {
          for (let i = 0; i < WORDS_PER_BLOCK; i++) words[to++] = folded[from++]!;
        }
      });
      this.groups.push({ words, mask: blocks - 1, owners: Int32Array.from(members, ({ owner }) => owner) });
    }
    this.mask = this.groups.length === 0 ? 0 : this.groups[this.groups.length - 1]!.mask;
  }

  /** Whether a filter other than `skip`'s may hold the key (block, bits) (never false for a key one was given). */
  mayHold(block: number, bits: number, skip: number): boolean {
    // The key's bit in each word of a block, the same in every filter; tested without a branch a
    // word (which word stops a key is a coin toss: ~40% of bits are set).
    const b0 = Math.imul(bits, SALT[0]!) >>> 27, b1 = Math.imul(bits, SALT[1]!) >>> 27, b2 = Math.imul(bits, SALT[2]!) >>> 27, b3 = Math.imul(bits, SALT[3]!) >>> 27;
    const b4 = Math.imul(bits, SALT[4]!) >>> 27, b5 = Math.imul(bits, SALT[5]!) >>> 27, b6 = Math.imul(bits, SALT[6]!) >>> 27, b7 = Math.imul(bits, SALT[7]!) >>> 27;
    const groups = this.groups;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!, words = group.words, owners = group.owners, count = owners.length;
      for (let f = 0, at = (block & group.mask) * count * WORDS_PER_BLOCK; f < count; f++, at += WORDS_PER_BLOCK) {
        const all = (words[at]! >>> b0) & (words[at + 1]! >>> b1) & (words[at + 2]! >>> b2) & (words[at + 3]! >>> b3) & (words[at + 4]! >>> b4) & (words[at + 5]! >>> b5) & (words[at + 6]! >>> b6) & (words[at + 7]! >>> b7) & 1;
        if (all !== 0 && owners[f] !== skip) return true;
      }
    }
    return false;
  }
}
