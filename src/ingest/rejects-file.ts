/** The rejects CSV: every row that could not be read, with file, line, reason and the raw text. */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Reject } from '../model/index.js';

export const REJECTS_HEADER = 'file,line,reason,raw';

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Created on the first reject, so a clean run leaves no empty file behind. */
export class RejectsFile {
  private stream: WriteStream | null = null;
  count = 0;

  constructor(readonly path: string) {}

  async write(reject: Reject): Promise<void> {
    if (this.stream === null) {
      this.stream = createWriteStream(this.path, { encoding: 'utf8' });
      this.stream.write(`${REJECTS_HEADER}\n`);
    }
    this.count += 1;
    const row = [reject.file, reject.line, reject.reason, reject.raw].map(csvField).join(',');
    if (!this.stream.write(`${row}\n`)) await once(this.stream, 'drain');
  }

  /** The path if anything was written, else null. */
  get writtenPath(): string | null {
    return this.stream === null ? null : this.path;
  }

  /** Idempotent: a second close returns at once (waiting for 'finish' again would never end). */
  async close(): Promise<void> {
    if (this.stream === null || this.stream.writableFinished) return;
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
  }
}
