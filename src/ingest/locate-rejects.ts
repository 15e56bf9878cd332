/**
 * Finds the lines of rows that DuckDB parsed but whose values were unusable. DuckDB's reader
 * does not number good rows, so the store gives each bad row a fingerprint (md5 of its fields
 * joined by U+001F) and this pass, run only when such rows exist, finds them with csv-parse.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Reject } from '../model/index.js';
import type { ValueReject } from './port.js';

export async function locateValueRejects(file: string, valueRejects: readonly ValueReject[]): Promise<Reject[]> {
  const wanted = new Map(valueRejects.map((reject) => [reject.fingerprint, reject.reason]));
  const found: Reject[] = [];
  const located = new Set<string>();
  const parser = createReadStream(file).pipe(parse({
    bom: true, info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true, from_line: 2,
  }));
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    const fingerprint = createHash('md5').update(entry.record.join('\u001f')).digest('hex');
    const reason = wanted.get(fingerprint);
    if (reason === undefined) continue;
    located.add(fingerprint);
    const raw = entry.raw.replace(/\r?\n$/, '');
    found.push({ file, line: entry.info.lines - (raw.match(/\n/g)?.length ?? 0), reason, raw });
  }
  // Never lose one: a row the second parser did not find is kept with line 0 and its fields.
  for (const reject of valueRejects) {
    if (!located.has(reject.fingerprint)) found.push({ file, line: 0, reason: `${reject.reason} (line not found)`, raw: reject.raw });
  }
  return found;
}
