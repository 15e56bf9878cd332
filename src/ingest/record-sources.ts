/**
 * Records of the formats read in JS (JSON, logs, generic CSV), with the line each starts on and
 * its raw text, or a reason it could not be parsed at all. Streaming, constant memory (but for a
 * whole-document JSON file, which must be parsed whole).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { CsvError } from 'csv-parse';
import { readLines } from './file-text.js';

export type SourceRecord =
  | { ok: true; line: number; raw: string; value: unknown; progress: number }
  | { ok: false; line: number; raw: string; reason: string; progress: number };

const MAX_WHOLE_JSON_BYTES = 1 << 30;

/** JSONL, or one JSON document (an array's elements are records; an object is one record). */
export async function* jsonRecords(file: string, size: number): AsyncGenerator<SourceRecord> {
  const lines = readLines(file);
  const first = await lines.next();
  if (first.done === true) return;
  const firstText = first.value.text.trim();
  if (firstText !== '' && !isJson(firstText)) {
    await lines.return(undefined);
    yield* wholeDocument(file, size);
    return;
  }
  for (let entry: IteratorResult<{ line: number; text: string; bytesRead: number }> = first; entry.done !== true; entry = await lines.next()) {
    const { line, text, bytesRead } = entry.value;
    if (text.trim() === '') continue;
    const progress = size > 0 ? bytesRead / size : 1;
    try {
      yield { ok: true, line, raw: text, value: JSON.parse(text) as unknown, progress };
    } catch (error) {
      yield { ok: false, line, raw: text, reason: `not valid JSON: ${(error as Error).message}`, progress };
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function* wholeDocument(file: string, size: number): AsyncGenerator<SourceRecord> {
  if (size > MAX_WHOLE_JSON_BYTES) {
    yield { ok: false, line: 1, raw: '', reason: `a single JSON document over ${MAX_WHOLE_JSON_BYTES} bytes; write it as JSONL (one value a line)`, progress: 1 };
    return;
  }
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    yield { ok: false, line: 1, raw: text.slice(0, 2000), reason: `not valid JSON (neither JSONL nor one document): ${(error as Error).message}`, progress: 1 };
    return;
  }
  const values = Array.isArray(value) ? value : [value];
  for (const [index, item] of values.entries()) {
    yield { ok: true, line: 1, raw: JSON.stringify(item).slice(0, 2000), value: item, progress: (index + 1) / values.length };
  }
}

interface CsvEntry { record: string[]; info: { lines: number; bytes: number }; raw: string }

/** CSV rows as objects keyed by the header; a row with the wrong number of fields is a reject. */
export async function* csvRecords(file: string, size: number): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  const parser = createReadStream(file).pipe(parse({
    bom: true, info: true, raw: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      const line = Number((error as { lines?: number } | undefined)?.lines ?? 0);
      skipped.push({ ok: false, line, raw: (raw ?? '').replace(/\r?\n$/, ''), reason: error?.message ?? 'unreadable CSV row', progress: 0 });
      return undefined;
    },
  }));
  let header: string[] | null = null;
  let lastLine = 1;
  try {
    for await (const entry of parser as AsyncIterable<CsvEntry>) {
      yield* skipped.splice(0);
      const raw = entry.raw.replace(/\r?\n$/, '');
      const line = entry.info.lines - (raw.match(/\n/g)?.length ?? 0);
      lastLine = entry.info.lines;
      if (header === null) {
        header = entry.record.map((name) => name.trim());
        continue;
      }
      const progress = size > 0 ? Math.min(1, entry.info.bytes / size) : 1;
      if (entry.record.length !== header.length) {
        yield { ok: false, line, raw, reason: `expected ${header.length} fields (as in the header), found ${entry.record.length}`, progress };
        continue;
      }
      const value: Record<string, string> = {};
      header.forEach((name, index) => { value[name] = entry.record[index] ?? ''; });
      yield { ok: true, line, raw, value, progress };
    }
  } catch (error) {
    // csv-parse stops at a quote left open at the end of the file: the rest is one bad record.
    yield { ok: false, line: lastLine + 1, raw: '', reason: `unreadable CSV from here to the end: ${(error as Error).message}`, progress: 1 };
  }
  yield* skipped.splice(0);
}
