/**
 * A worker's partitions take turns to finish (kernel, encode, gzip) and store their partials
 * (jobs.ts says why turns). When the turn passes and several partitions wait for it, the one
 * holding the most events goes first, the smallest last: the coordinator reads, unpacks and joins
 * each partial while the worker finishes the next, so only the last partial's unpacking is left
 * after the worker's last store, and a small one's is short (0.14 s against 0.5-0.8 s for a 33 MB
 * viral partition's on the firehose feed). Partitions complete within about a second of each other
 * at a job's end, so several usually wait once the first turn is over.
 */

interface Waiting {
  size: number;
  /** Arrival order: ties go to the one that came first. */
  order: number;
  grant: (release: () => void) => void;
}

export class FinishTurns {
  #busy = false;
  #arrivals = 0;
  readonly #waiting: Waiting[] = [];

  /**
   * Resolves when it is this partition's turn (`size`: events it holds) with the function that
   * passes the turn on; calling that again (a timer's early pass, then the finish's) does nothing.
   */
  take(size: number): Promise<() => void> {
    return new Promise((grant) => {
      this.#waiting.push({ size, order: this.#arrivals++, grant });
      if (!this.#busy) this.#next();
    });
  }

  /** Partitions waiting for the turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #next(): void {
    const waiting = this.#waiting;
    if (waiting.length === 0) {
      this.#busy = false;
      return;
    }
    let best = 0;
    for (let i = 1; i < waiting.length; i++) {
      const one = waiting[i]!, top = waiting[best]!;
      if (one.size > top.size || (one.size === top.size && one.order < top.order)) best = i;
    }
    const [chosen] = waiting.splice(best, 1);
    this.#busy = true;
    let passed = false;
    chosen!.grant(() => {
      if (passed) return;
      passed = true;
      this.#next();
    });
  }
}
