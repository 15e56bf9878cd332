/**
 * The file read once for several readers (stream-publish --threads): every reader gets the file's
 * bytes exactly, however far behind it is, and a reader that fails does not leave the feed waiting.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { feedChunks, FileFeed } from './publish-feed.js';
import type { FeedChunk } from './publish-feed.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const RUNS = Number(process.env.FEED_RUNS ?? 3);

describe('FileFeed', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-feed-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A reader on its own channel: what the parent posts to, and the chunks as the thread reads them. */
  const reader = (feed: FileFeed): { port: MessagePort; chunks: AsyncGenerator<Uint8Array>; close: () => void } => {
    const { port1, port2 } = new MessageChannel();
    const source = port2 as { on(event: 'message', listener: (chunk: FeedChunk) => void): unknown };
    return { port: port1, chunks: feedChunks(source, feed.memory, (slot) => feed.done(slot)), close: () => { port1.close(); port2.close(); } };
  };

  it('gives every reader the file byte for byte, readers slower than the file and at different paces (slots reused many times)', async () => {
    for (let run = 0; run < RUNS; run++) {
      const chunkBytes = 64 + Math.floor(Math.random() * 1000), slots = 1 + Math.floor(Math.random() * 4);
      // Many times the slots' bytes, and a last chunk that is not full (or is, now and then).
      const bytes = randomBytes(chunkBytes * (slots * 6 + Math.floor(Math.random() * 10)) + (run % 3 === 0 ? 0 : Math.floor(Math.random() * chunkBytes)));
      const file = join(dir, `feed-${run}.bin`);
      await writeFile(file, bytes);
      const feed = new FileFeed(chunkBytes, slots);
      const readers = [reader(feed), reader(feed), reader(feed)];
      const read = readers.map(async ({ chunks }, r) => {
        const copies: Buffer[] = [];
        for await (const chunk of chunks) {
          // Each reader lags behind its own way before it has read the chunk (as a thread publishing does).
          if (Math.random() < 0.5) await pause(r === 0 ? 0 : Math.floor(Math.random() * 3));
          copies.push(Buffer.from(chunk));
        }
        return Buffer.concat(copies);
      });
      await feed.feed(file, readers.map((r) => r.port), new Promise<never>(() => undefined));
      const got = await Promise.all(read);
      readers.forEach((r) => r.close());
      for (const [r, copy] of got.entries()) assert.ok(copy.equals(bytes), `run ${run} (${chunkBytes} B x ${slots} slots): reader ${r} got ${copy.length} bytes, not the file's ${bytes.length}`);
    }
  });

  it('stops with the failure when a reader fails and frees no slot, instead of waiting for it', async () => {
    const file = join(dir, 'feed-fail.bin');
    await writeFile(file, randomBytes(64 * 40));
    const feed = new FileFeed(64, 2);
    const readers = [reader(feed), reader(feed)];
    let fail: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined); // seen through the feed (publishInThreads races it too)
    void (async () => {
      for await (const chunk of readers[0]!.chunks) assert.ok(chunk.length > 0);
    })();
    // The second reader takes one chunk, then fails.
    void readers[1]!.chunks.next().then(() => fail(new Error('thread 1 failed')));
    await assert.rejects(feed.feed(file, readers.map((r) => r.port), failed), /thread 1 failed/);
    readers.forEach((r) => r.close());
  });
});
