/**
 * The audit log's hash chain: each entry's hash is SHA-256 over the previous entry's hash and
 * the entry's canonical JSON (keys sorted), so editing, removing or reordering any entry breaks
 * the chain from there on; the stored head (count, last hash) catches a removed tail.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditInput } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function auditHash(prevHash: string, entry: AuditInput & { seq: number }): string {
  const body = canonicalJson({ seq: entry.seq, time: entry.time, actor: entry.actor, action: entry.action, subject: entry.subject, caseId: entry.caseId, payload: entry.payload });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** The next entry of a chain whose last entry is `previous` (undefined for the first). */
export function chainEntry(previous: { seq: number; hash: string } | null, entry: AuditInput): AuditEntry {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  return { ...entry, seq, prevHash, hash: auditHash(prevHash, { ...entry, seq }) };
}

export type AuditVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number; problem: 'edited' | 'removed' | 'reordered' | 'head'; message: string };

/** The seq the entry was hashed with, when it was renumbered (searched only once the chain is broken). */
function hashedSeq(entry: AuditEntry, limit: number): number | null {
  for (let seq = 1; seq <= limit; seq++) if (auditHash(entry.prevHash, { ...entry, seq }) === entry.hash) return seq;
  return null;
}

/**
 * Re-computes the chain. Names the first entry that was edited (its hash does not match its
 * content), removed (a gap in the numbering, a renumbered successor, or the head counts more
 * entries than there are) or reordered (chained to an entry that now stands after it).
 */
export function verifyAuditChain(entries: readonly AuditEntry[], head: { count: number; hash: string } | null): AuditVerdict {
  const fail = (seq: number, problem: 'edited' | 'removed' | 'reordered' | 'head', message: string): AuditVerdict => ({ ok: false, entries: entries.length, seq, problem, message });
  let previous: { seq: number; hash: string } | null = null;
  for (const [index, entry] of entries.entries()) {
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (entry.seq !== expectedSeq) {
      if (entries.slice(index + 1).some((later) => later.seq === expectedSeq)) return fail(expectedSeq, 'reordered', `entry ${expectedSeq} stands after entry ${entry.seq}`);
      return entry.seq > expectedSeq
        ? fail(expectedSeq, 'removed', `entry ${expectedSeq} is missing (the log jumps from ${expectedSeq - 1} to ${entry.seq})`)
        : fail(entry.seq, 'reordered', `entry ${entry.seq} stands after entry ${expectedSeq - 1}`);
    }
    const contentOk = entry.hash === auditHash(entry.prevHash, entry);
    const linkOk = entry.prevHash === (previous?.hash ?? GENESIS_HASH);
    if (!linkOk) {
      if (entries.slice(index + 1).some((later) => later.hash === entry.prevHash)) {
        return fail(entry.seq, 'reordered', `entry ${entry.seq} was moved: it follows an entry that now stands after it`);
      }
      const original = contentOk ? null : hashedSeq(entry, entries.length + 1_000);
      if (original !== null && original > entry.seq) {
        return fail(entry.seq, 'removed', `entries before entry ${entry.seq} were removed and the rest renumbered (this entry was number ${original})`);
      }
      return fail(entry.seq, 'edited', `entry ${entry.seq} was edited: it is not chained to entry ${expectedSeq - 1}`);
    }
    if (!contentOk) {
      const original = hashedSeq(entry, entries.length + 1_000);
      if (original !== null) return fail(entry.seq, 'reordered', `entry ${entry.seq} was hashed as entry ${original}: entries were reordered`);
      return fail(entry.seq, 'edited', `entry ${entry.seq} was edited: its hash does not match its content`);
    }
    previous = entry;
  }
  const count = previous?.seq ?? 0;
  const hash = previous?.hash ?? GENESIS_HASH;
  if (head !== null && (head.count !== count || head.hash !== hash)) {
    return head.count > count
      ? fail(count + 1, 'removed', `the log's head records ${head.count} entries but ${count} remain: entry ${count + 1} onwards was removed`)
      : fail(count, 'head', `the log's head (entry ${head.count}, ${head.hash.slice(0, 12)}...) does not match the last entry (${count}, ${hash.slice(0, 12)}...)`);
  }
  return { ok: true, entries: entries.length, head: hash };
}
