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

/** 1-based line numbers of the given byte offsets, by counting newlines in one pass over the file. */
export async function lineNumbersAtOffsets(file: string, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const result = new Map<number, number>();
  let next = 0;
  let chunkStart = 0;
  let newlinesBefore = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    if (next >= wanted.length) break;
    const bytes = chunk as Buffer;
    for (let offset = wanted[next]; offset !== undefined && offset < chunkStart + bytes.length; offset = wanted[++next]) {
      result.set(offset, newlinesBefore + countNewlines(bytes, offset - chunkStart) + 1);
    }
    newlinesBefore += countNewlines(bytes, bytes.length);
    chunkStart += bytes.length;
  }
  for (; next < wanted.length; next++) result.set(wanted[next] ?? 0, newlinesBefore + 1);
  return result;
}

function countNewlines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) count += 1;
  return count;
}
