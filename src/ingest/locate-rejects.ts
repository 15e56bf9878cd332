/**
 * Writes the rejects of a bulk CSV load in file order, without holding them in memory: the store
 * keeps them and hands them over a page at a time.
 *
 * DuckDB's reader numbers the rows it cannot split (structure rejects, by byte offset) but not the
 * rows it parsed, so each row with an unusable value carries a fingerprint (md5 of its fields
 * joined by U+001F) and one csv-parse pass, run only when such rows exist, finds their lines.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Reject } from '../model/index.js';
import { LineAtOffset } from './file-text.js';
import { FingerprintTable } from './fingerprint-table.js';
import type { CsvLoadResult, CsvStructureReject, RejectPages, ValueReject } from './port.js';
import type { RejectsFile } from './rejects-file.js';

async function* structureRejects(file: string, pages: RejectPages<CsvStructureReject>): AsyncGenerator<Reject> {
  if (pages.count === 0) return;
  const lines = new LineAtOffset(file);
  try {
    for await (const page of pages.pages()) {
      for (const reject of page) yield { file, line: await lines.lineAt(reject.byteOffset), reason: reject.reason, raw: reject.raw };
    }
  } finally {
    await lines.close();
  }
}

interface WantedRejects {
  table: FingerprintTable;
  reasons: string[];
  /** Rejects the table could not hold (not a 32-hex fingerprint): never found, still reported. */
  unheld: ValueReject[];
}

async function wantedRejects(pages: CsvLoadResult['valueRejects']): Promise<WantedRejects> {
  const table = new FingerprintTable(pages.count);
  const reasons: string[] = [];
  const reasonIds = new Map<string, number>();
  const unheld: ValueReject[] = [];
  for await (const page of pages.pages()) {
    for (const reject of page) {
      let id = reasonIds.get(reject.reason);
      if (id === undefined) {
        id = reasons.push(reject.reason) - 1;
        reasonIds.set(reject.reason, id);
      }
      if (!table.add(reject.fingerprint, id)) unheld.push(reject);
    }
  }
  return { table, reasons, unheld };
}

/** The lines of the file whose fingerprint is wanted, in file order; each found one is marked. */
async function* valueRejects(file: string, wanted: WantedRejects): AsyncGenerator<Reject> {
  const parser = createReadStream(file).pipe(parse({
    bom: true, info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true, from_line: 2,
  }));
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    const fingerprint = createHash('md5').update(entry.record.join('\u001f')).digest('hex');
    const reason = wanted.table.get(fingerprint, true);
    if (reason === undefined) continue;
    const raw = entry.raw.replace(/\r?\n$/, '');
    yield { file, line: entry.info.lines - (raw.match(/\n/g)?.length ?? 0), reason: wanted.reasons[reason] ?? '', raw };
  }
}

/**
 * Every reject of the load into `rejects`, structure and value rejects merged by line. A value
 * reject whose row the second parser does not find is still kept, with line 0 and its fields.
 */
export async function writeBulkRejects(file: string, result: CsvLoadResult, rejects: RejectsFile): Promise<void> {
  const structure = structureRejects(file, result.structureRejects);
  let pending = await structure.next();
  if (result.valueRejects.count > 0) {
    const wanted = await wantedRejects(result.valueRejects);
    for await (const located of valueRejects(file, wanted)) {
      for (; pending.done !== true && pending.value.line <= located.line; pending = await structure.next()) await rejects.write(pending.value);
      await rejects.write(located);
    }
    for (; pending.done !== true; pending = await structure.next()) await rejects.write(pending.value);
    // In fingerprint order, as the store numbers them.
    const unfound: ValueReject[] = [...wanted.table.unmarked()]
      .map(([fingerprint, reason]) => ({ fingerprint, reason: wanted.reasons[reason] ?? '' }))
      .concat(wanted.unheld)
      .sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : x.fingerprint > y.fingerprint ? 1 : 0));
    if (unfound.length === 0) return;
    const raw = await result.rawOfValueRejects(unfound.map((reject) => reject.fingerprint));
    for (const reject of unfound) await rejects.write({ file, line: 0, reason: `${reject.reason} (line not found)`, raw: raw.get(reject.fingerprint) ?? '' });
    return;
  }
  for (; pending.done !== true; pending = await structure.next()) await rejects.write(pending.value);
}
