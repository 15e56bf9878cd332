/** Small streaming helpers over input files: the head for format detection, lines, line numbers. */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { unreadableInput } from '../model/index.js';

const HEAD_BYTES = 64 * 1024;

/** The first bytes of a file as text, for format detection. Throws a clear error if it cannot be read. */
export async function readHead(file: string): Promise<string> {
  let handle;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new Error('it is a directory');
    if (info.size === 0) throw new Error('it is empty');
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error);
    throw unreadableInput(file, reason, error);
  } finally {
    await handle?.close();
  }
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** Lines of a text file with 1-based numbers and the bytes read so far (for progress). */
export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string; bytesRead: number }> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text, bytesRead: stream.bytesRead };
  }
}

/**
 * 1-based line numbers of ascending byte offsets, reading the file forward only as far as the
 * offsets asked for: one pass however many offsets, with one chunk in memory.
 */
export class LineAtOffset {
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  /** Newlines counted before `chunkStart + scanned`. */
  private newlines = 0;
  private scanned = 0;
  private ended = false;

  constructor(file: string) {
    this.chunks = (createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Offsets must not go backwards; an offset past the end of the file gets the line after the last. */
  async lineAt(offset: number): Promise<number> {
    for (;;) {
      const end = Math.min(offset - this.chunkStart, this.chunk.length);
      if (end > this.scanned) {
        this.newlines += countNewlinesBetween(this.chunk, this.scanned, end);
        this.scanned = end;
      }
      if (offset < this.chunkStart + this.chunk.length || this.ended) return this.newlines + 1;
      this.chunkStart += this.chunk.length;
      this.scanned = 0;
      const next = await this.chunks.next();
      if (next.done === true) {
        this.ended = true;
        this.chunk = Buffer.alloc(0);
      } else {
        this.chunk = next.value;
      }
    }
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

function countNewlinesBetween(bytes: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a, start); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) count += 1;
  return count;
}

