/**
 * `stream-publish --threads`: the file read once, by the parent, for every thread. Each chunk is
 * read into a slot of a SharedArrayBuffer the threads see, posted to each, and a slot is read into
 * again only once every thread has said it is done with it (a thread's ByteFront copies a chunk
 * into its module and carries a cut line as a copy). Each thread reading the whole file itself
 * cost each a pass of read() calls and stream steps, and twice the file's pages.
 */
import { open } from 'node:fs/promises';

/** Parent → thread: chunk `length` bytes in `slot` (length 0: the end of the file). */
export interface FeedChunk { slot: number; length: number }

/** What a thread needs to read the feed: the shared slots and their size. */
export interface FeedMemory { buffer: SharedArrayBuffer; chunkBytes: number }

/** Something a chunk is posted to (a Worker, a MessagePort). */
export interface FeedReader { postMessage(chunk: FeedChunk): void }

/** The parent's side: the slots and which readers still hold each. */
export class FileFeed {
  readonly memory: FeedMemory;
  readonly #holders: Int32Array;
  #wake: () => void = () => undefined;

  /** `slots` of `chunkBytes` each (256 KB: the chunk stream-publish reads on one thread). */
  constructor(chunkBytes = 256 * 1024, slots = 8) {
    this.memory = { buffer: new SharedArrayBuffer(slots * chunkBytes), chunkBytes };
    this.#holders = new Int32Array(slots);
  }

  /** A reader is done with `slot` (it posted `{ done: slot }`). */
  done(slot: number): void {
    this.#holders[slot]!--;
    this.#wake();
  }

  /**
   * Reads `file` into the slots and posts each chunk to every reader, then the end (length 0).
   * `failed` rejects when a reader has failed: it frees no slot, so the feed stops waiting.
   */
  async feed(file: string, readers: readonly FeedReader[], failed: Promise<never>): Promise<void> {
    const { buffer, chunkBytes } = this.memory;
    const holders = this.#holders;
    const handle = await open(file, 'r');
    try {
      for (let slot = 0; ; slot = (slot + 1) % holders.length) {
        while (holders[slot]! > 0) await Promise.race([new Promise<void>((resolve) => (this.#wake = resolve)), failed]);
        const { bytesRead } = await handle.read(new Uint8Array(buffer, slot * chunkBytes, chunkBytes), 0, chunkBytes, null);
        holders[slot] = bytesRead > 0 ? readers.length : 0;
        for (const reader of readers) reader.postMessage({ slot, length: bytesRead });
        if (bytesRead === 0) return;
      }
    } finally {
      await handle.close();
    }
  }
}

/** Where a thread's chunks come from: the parent's port (its messages are FeedChunks). */
export interface FeedSource { on(event: 'message', listener: (chunk: FeedChunk) => void): unknown }

/**
 * A thread's side: the chunks `source` is sent, in order, as views of the shared slots; a chunk's
 * slot is given back (`done`) when the next is asked for, i.e. once the caller is done with it.
 */
export async function* feedChunks(source: FeedSource, { buffer, chunkBytes }: FeedMemory, done: (slot: number) => void): AsyncGenerator<Uint8Array> {
  const arrived: FeedChunk[] = [];
  let wake: (() => void) | null = null;
  source.on('message', (chunk) => {
    arrived.push(chunk);
    wake?.();
  });
  for (;;) {
    while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const { slot, length } = arrived.shift()!;
    if (length === 0) return;
    yield new Uint8Array(buffer, slot * chunkBytes, length);
    done(slot);
  }
}
