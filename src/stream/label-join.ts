/**
 * The coordinator's label join (assemble.ts partitionLabels and splitLabels) done as each
 * partition's partial arrives, so that after the last one only its own labels are left to merge.
 * At a firehose's cardinality (1.16M accounts over 2.55M partition-local labels) the k-way merge,
 * the split into platforms and ids and the garbage they made were ~0.4 CPU-s of the 2 s between
 * the last partial and the result.
 *
 * Partials arrive in any order; the join does not depend on it: the union of strictly ascending
 * lists is one list, each label's rank in it is its job id, and each label is split once, the
 * same way whichever partition brought it first.
 */
import type { PartitionPartial } from './partial-codec.js';

/** What assemblePartials takes from a join: the labels ranked, each partition's ids mapped onto them, and the labels split. */
export interface JoinedLabels {
  labels: string[];
  globals: Int32Array[];
  actorIds: string[];
  actorPlatforms: string[];
}

export class LabelJoin {
  /** The union so far, ascending; per label, where its split is kept: `#split`'s list (high bits) and place in it. */
  #labels: string[] = [];
  #from: Int32Array = new Int32Array(0);
  /** Per partition added, in the order added: the platforms and ids of the labels it brought first. */
  readonly #split: { ids: string[]; platforms: string[] }[] = [];
  /** Per partition added: its account list (to check it is the one merged) and its ids in the union, kept current. */
  readonly #partitions = new Map<number, { actors: readonly string[]; global: Int32Array }>();
  /** False once a list was not strictly ascending or a partition came twice: `joined` then answers null. */
  #usable = true;

  /** Merges one partition's account labels (ascending, as workers write them) into the union. */
  add(partition: number, actors: readonly string[]): void {
    if (!this.#usable) return;
    if (this.#partitions.has(partition) || !strictlyAscending(actors) || actors.length >= 1 << SPLIT_BITS || this.#split.length >= 1 << (32 - SPLIT_BITS)) {
      this.#usable = false;
      return;
    }
    const old = this.#labels, oldFrom = this.#from, list = this.#split.length;
    // Sized for the most it can hold and cut after: pushes grew it by copying, ~1.2M entries each time.
    const size = old.length + actors.length;
    const labels = new Array<string>(size), from = new Int32Array(size), moved = new Int32Array(old.length), global = new Int32Array(actors.length);
    const ids: string[] = [], platforms: string[] = [];
    let i = 0, j = 0, rank = 0;
    for (; i < old.length && j < actors.length; rank++) {
      const here = old[i]!, incoming = actors[j]!;
      if (here < incoming) {
        labels[rank] = here;
        from[rank] = oldFrom[i]!;
        moved[i++] = rank;
      } else if (incoming < here) {
        labels[rank] = incoming;
        from[rank] = (list << SPLIT_BITS) | ids.length;
        splitInto(incoming, ids, platforms);
        global[j++] = rank;
      } else {
        labels[rank] = here;
        from[rank] = oldFrom[i]!;
        moved[i++] = rank;
        global[j++] = rank;
      }
    }
    for (; i < old.length; rank++) {
      labels[rank] = old[i]!;
      from[rank] = oldFrom[i]!;
      moved[i++] = rank;
    }
    for (; j < actors.length; rank++) {
      labels[rank] = actors[j]!;
      from[rank] = (list << SPLIT_BITS) | ids.length;
      splitInto(actors[j]!, ids, platforms);
      global[j++] = rank;
    }
    labels.length = rank;
    for (const entry of this.#partitions.values()) {
      const ranks = entry.global;
      for (let x = 0; x < ranks.length; x++) ranks[x] = moved[ranks[x]!]!;
    }
    this.#partitions.set(partition, { actors, global });
    this.#split.push({ ids, platforms });
    this.#labels = labels;
    this.#from = from.subarray(0, rank);
  }

  /**
   * The join of exactly `partitions` (their account lists the ones added), with each one's ids in
   * their order; null if they differ from what was added, or the join could not be kept (then
   * assemblePartials joins them itself).
   */
  joined(partitions: readonly PartitionPartial[]): JoinedLabels | null {
    if (!this.#usable || partitions.length !== this.#partitions.size) return null;
    const globals: Int32Array[] = [];
    for (const partial of partitions) {
      const entry = this.#partitions.get(partial.partition);
      if (entry === undefined || entry.actors !== partial.actors) return null;
      globals.push(entry.global);
    }
    const n = this.#labels.length, actorIds = new Array<string>(n), actorPlatforms = new Array<string>(n);
    for (let rank = 0; rank < n; rank++) {
      const from = this.#from[rank]!, split = this.#split[from >>> SPLIT_BITS]!, at = from & ((1 << SPLIT_BITS) - 1);
      actorIds[rank] = split.ids[at]!;
      actorPlatforms[rank] = split.platforms[at]!;
    }
    return { labels: this.#labels, globals, actorIds, actorPlatforms };
  }
}

/** A partition's labels are numbered within 2^SPLIT_BITS; the other 9 bits of a uint32 number the partitions added (up to 512). */
const SPLIT_BITS = 23;

/** `platform NUL id` appended as assemble.ts splitLabels splits it (a label without NUL: its platform, and no id). */
function splitInto(label: string, ids: string[], platforms: string[]): void {
  const cut = label.indexOf('\u0000');
  if (cut < 0) {
    platforms.push(label);
    ids.push(undefined as unknown as string);
    return;
  }
  const end = label.indexOf('\u0000', cut + 1);
  platforms.push(label.slice(0, cut));
  ids.push(end < 0 ? label.slice(cut + 1) : label.slice(cut + 1, end));
}

function strictlyAscending(labels: readonly string[]): boolean {
  for (let i = 1; i < labels.length; i++) if (!(labels[i - 1]! < labels[i]!)) return false;
  return true;
}
