/**
 * A continuous worker's gate in front of its partition state (WindowedPartition, the incremental
 * IncrementalPartition): an event batch numbered at or past the next slice's marker is held,
 * unread, until that marker has come and the slice before it is closed. So a slice's partial holds
 * exactly the batches its marker names, whatever order NATS delivers in (a redelivery or a replay
 * may bring a later batch first): a late action sent after a marker, older than its `upTo`, would
 * otherwise count in that slice when it came early and not when it came in order. With a
 * publisher's horizon it also keeps the account ids a marker frees exactly between its batches and
 * the next. Held batches stay bytes (a copy: a message's buffer may be reused once handled).
 */
import { batchHeader } from '../wire-batch.js';

/** What to do with a message: take it now, it was held, or it repeats a held batch (its events). */
export type GateVerdict = { kind: 'take' } | { kind: 'held' } | { kind: 'repeat'; events: number };

const TAKE: GateVerdict = { kind: 'take' };
const HELD: GateVerdict = { kind: 'held' };

export class SliceGate {
  /** Batches below this number pass; the rest are held until it rises. Before the first marker: 0, all held. */
  #limit: number;
  readonly #held = new Map<number, Uint8Array>();

  /** `limit`: the batches a restored state has taken already (those after it are held). */
  constructor(limit = 0) {
    this.#limit = limit;
  }

  /** Batches held now. */
  get held(): number {
    return this.#held.size;
  }

  /** Takes a message's bytes: end markers, batches below the limit and non-batches pass (`take`). */
  hold(bytes: Uint8Array): GateVerdict {
    const header = batchHeader(bytes);
    if (header === null || header.end || header.b < this.#limit) return TAKE;
    if (this.#held.has(header.b)) return { kind: 'repeat', events: header.count };
    this.#held.set(header.b, bytes.slice());
    return HELD;
  }

  /** Lets batches below `batches` pass (a marker's, asked about once the slice before is closed); returns the held ones, in number order. */
  release(batches: number): Uint8Array[] {
    if (batches <= this.#limit) return [];
    this.#limit = batches;
    if (this.#held.size === 0) return [];
    const due = [...this.#held.keys()].filter((b) => b < batches).sort((x, y) => x - y);
    return due.map((b) => {
      const bytes = this.#held.get(b)!;
      this.#held.delete(b);
      return bytes;
    });
  }
}
