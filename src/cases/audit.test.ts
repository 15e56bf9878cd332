import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, chainEntry, verifyAuditChain } from './audit.js';
import type { AuditEntry } from './types.js';

function chain(count: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push(chainEntry(entries.at(-1) ?? null, { time: 1000 + i, actor: i % 2 === 0 ? 'ana' : 'vic', action: 'decision', subject: 'case:c1', caseId: 'c1', payload: { entity: { kind: 'account', id: `a${i}` }, decision: 'suspend' } }));
  }
  return entries;
}
const headOf = (entries: readonly AuditEntry[]): { count: number; hash: string } => ({ count: entries.at(-1)?.seq ?? 0, hash: entries.at(-1)?.hash ?? '' });

describe('audit hash chain', () => {
  it('canonical JSON sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}');
  });

  it('an untouched chain verifies, with its head', () => {
    const entries = chain(6);
    assert.deepEqual(verifyAuditChain(entries, headOf(entries)), { ok: true, entries: 6, head: entries[5]?.hash });
    assert.deepEqual(verifyAuditChain([], null), { ok: true, entries: 0, head: '0'.repeat(64) });
  });

  it('names an edited entry (payload, actor or time)', () => {
    const entries = chain(6);
    const head = headOf(entries);
    const edited = entries.map((entry) => (entry.seq === 3 ? { ...entry, payload: { entity: { kind: 'account', id: 'a2' }, decision: 'no_action' } } : entry));
    assert.deepEqual([verifyAuditChain(edited, head).ok, (verifyAuditChain(edited, head) as { seq: number }).seq, (verifyAuditChain(edited, head) as { problem: string }).problem], [false, 3, 'edited']);
    const actor = entries.map((entry) => (entry.seq === 5 ? { ...entry, actor: 'mallory' } : entry));
    assert.deepEqual(verifyAuditChain(actor, head), { ok: false, entries: 6, seq: 5, problem: 'edited', message: 'entry 5 was edited: its hash does not match its content' });
    // Re-hashing the edited entry does not help: the next entry is chained to the old hash.
    const rehashed = entries.map((entry) => (entry.seq === 2 ? chainEntry(entries[0] ?? null, { ...entry, actor: 'mallory' }) : entry));
    const verdict = verifyAuditChain(rehashed, head);
    assert.equal(verdict.ok, false);
    assert.equal((verdict as { seq: number }).seq, 3);
  });

  it('names a removed entry: in the middle, renumbered, or at the tail', () => {
    const entries = chain(6);
    const head = headOf(entries);
    assert.deepEqual(verifyAuditChain(entries.filter((entry) => entry.seq !== 4), head), {
      ok: false, entries: 5, seq: 4, problem: 'removed', message: 'entry 4 is missing (the log jumps from 3 to 5)',
    });
    const renumbered = entries.filter((entry) => entry.seq !== 2).map((entry) => (entry.seq > 2 ? { ...entry, seq: entry.seq - 1 } : entry));
    const verdict = verifyAuditChain(renumbered, head);
    assert.deepEqual([verdict.ok, (verdict as { seq: number }).seq, (verdict as { problem: string }).problem], [false, 2, 'removed']);
    const tail = verifyAuditChain(entries.slice(0, 5), head);
    assert.deepEqual([tail.ok, (tail as { seq: number }).seq, (tail as { problem: string }).problem], [false, 6, 'removed']);
  });

  it('names reordered entries (swapped numbers or swapped places)', () => {
    const entries = chain(6);
    const head = headOf(entries);
    const swappedSeq = entries.map((entry) => (entry.seq === 3 ? { ...entry, seq: 4 } : entry.seq === 4 ? { ...entry, seq: 3 } : entry)).sort((x, y) => x.seq - y.seq);
    const verdict = verifyAuditChain(swappedSeq, head);
    assert.deepEqual([verdict.ok, (verdict as { seq: number }).seq, (verdict as { problem: string }).problem], [false, 3, 'reordered']);
    const swappedPlace = [...entries];
    [swappedPlace[1], swappedPlace[2]] = [entries[2] as AuditEntry, entries[1] as AuditEntry];
    const placed = verifyAuditChain(swappedPlace, head);
    assert.deepEqual([placed.ok, (placed as { problem: string }).problem], [false, 'reordered']);
  });

  it('property: any change to any one field of any one entry is detected at that entry or before', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.constantFrom('time', 'actor', 'action', 'subject', 'caseId', 'payload', 'prevHash', 'hash'), fc.string({ minLength: 1 }), (size, pick, field, text) => {
      const entries = chain(size);
      const index = pick % size;
      const original = entries[index] as AuditEntry;
      const changed: AuditEntry = field === 'time' ? { ...original, time: original.time + 1 + text.length } : { ...original, [field]: `${String((original as unknown as Record<string, unknown>)[field])}${text}` };
      const tampered = entries.map((entry, i) => (i === index ? changed : entry));
      const verdict = verifyAuditChain(tampered, headOf(entries));
      return !verdict.ok && verdict.seq <= index + 2;
    }), { seed: 2019, numRuns: 300 });
  });
});
