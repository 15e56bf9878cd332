import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpiringInterner } from './interner.js';

/** The interner as it was (a Map per scope): the ids, freed lists and labels to match. */
class MapInterner {
  readonly ids = new Map<string, Map<string, number>>();
  scope: (string | null)[] = [];
  raw: string[] = [];
  lastSeen: number[] = [];
  free: number[] = [];
  size = 0;

  internIn(scope: string, raw: string, time: number): number {
    let ids = this.ids.get(scope);
    if (ids === undefined) this.ids.set(scope, (ids = new Map()));
    let id = ids.get(raw);
    if (id === undefined) {
      id = this.free.pop() ?? this.raw.length;
      ids.set(raw, id);
      this.scope[id] = scope;
      this.raw[id] = raw;
      this.lastSeen[id] = time;
      this.size++;
    } else if (!((this.lastSeen[id] ?? -Infinity) >= time)) this.lastSeen[id] = time;
    return id;
  }

  expire(cutoff: number): number[] {
    const freed: number[] = [];
    for (const [scope, ids] of this.ids) {
      for (const [raw, id] of ids) {
        if ((this.lastSeen[id] ?? -Infinity) < cutoff) {
          ids.delete(raw);
          this.scope[id] = null;
          freed.push(id);
          this.free.push(id);
          this.size--;
        }
      }
      if (ids.size === 0) this.ids.delete(scope);
    }
    return freed;
  }
}

type Op = { intern: [scope: number, raw: number, time: number] } | { expire: number };
const SCOPES = ['', 'bluesky', 'x'];
// Raw strings that share prefixes and lengths (and one long one), so probes collide and compare.
const rawOf = (n: number): string => (n % 7 === 0 ? `at://did:plc:${'q'.repeat(20)}${n}/app.bsky.feed.post/3l${n}` : `k${n % 50}${'x'.repeat(n % 3)}`);

function replay(ops: readonly Op[]): void {
  const interner = new ExpiringInterner(), reference = new MapInterner();
  for (const op of ops) {
    if ('intern' in op) {
      const [s, r, time] = op.intern;
      assert.equal(interner.internIn(SCOPES[s]!, rawOf(r), time), reference.internIn(SCOPES[s]!, rawOf(r), time));
    } else assert.deepEqual(interner.expire(op.expire), reference.expire(op.expire));
    assert.equal(interner.size, reference.size);
  }
  assert.equal(interner.capacity, reference.raw.length);
  const live = [...interner.liveIds()];
  assert.deepEqual(live, reference.scope.flatMap((scope, id) => (scope === null || scope === undefined ? [] : [id])));
  for (const id of live) {
    assert.deepEqual(interner.parts(id), [reference.scope[id], reference.raw[id]]);
    assert.equal(interner.lastSeen(id), reference.lastSeen[id]);
    // Every live label is found again under its id.
    assert.equal(interner.internIn(reference.scope[id]!, reference.raw[id]!, -1), id);
  }
}

describe('ExpiringInterner', () => {
  it('gives the ids, freed ids (in order) and labels of a Map per scope, over interning and expiry', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.nat(SCOPES.length - 1), fc.nat(400), fc.nat(1000)).map((intern) => ({ intern })) },
      { weight: 1, arbitrary: fc.nat(1000).map((expire) => ({ expire })) },
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 3000 }), (ops) => replay(ops)), { numRuns: 60 });
  });

  it('keeps every entry through growth past a million, and frees them all', () => {
    const interner = new ExpiringInterner('\u0000');
    const n = 1_100_000;
    for (let i = 0; i < n; i++) assert.equal(interner.internIn(i % 2 === 0 ? 'bluesky' : '', `did:plc:${i}`, i), i);
    for (let i = 0; i < n; i += 9973) assert.equal(interner.internIn(i % 2 === 0 ? 'bluesky' : '', `did:plc:${i}`, n), i);
    assert.equal(interner.label(2), 'bluesky\u0000did:plc:2');
    assert.equal(interner.size, n);
    const freed = interner.expire(n);
    assert.equal(freed.length, n - Math.ceil(n / 9973));
    // Scope by scope ('bluesky' first: it was made first), each in the order made.
    assert.deepEqual(freed.slice(0, 3), [2, 4, 6]);
    assert.equal(interner.internIn('', 'new', 0), freed[freed.length - 1]);
  });
});
