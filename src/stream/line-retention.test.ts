import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { ExpiringInterner } from './interner.js';
import { scanJetstreamActions } from './jetstream-scan.js';
import { Partitioner } from './partitioner.js';
import { SeenActions } from './seen-actions.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes still held after `fill` runs (a full collection before and after). */
function held(fill: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fill();
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(kept !== undefined);
  return after - before;
}

/** The n-th of many long posts (10,000 characters of text, as long threads' posts and embeds make lines). */
function longLine(n: number): string {
  return JSON.stringify({
    did: `did:plc:account${n}`, time_us: 1_720_000_000_000_000 + n * 1000, kind: 'commit',
    commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: `rkey${n}`, record: { text: `${'x'.repeat(10_000)}${n}`, tags: [`longtag-number-${n}`] } },
  });
}

describe('the scanner\'s strings and what the stream holds', () => {
  it('interned accounts and keys and remembered action ids do not keep their lines alive', () => {
    const N = 5_000; // 5,000 lines of 10 KB: 50 MB if each held its line
    const interned = held(() => {
      const accounts = new ExpiringInterner();
      const seen = new SeenActions();
      for (let n = 0; n < N; n++) {
        const action = scanJetstreamActions(longLine(n))?.actions[0];
        assert.ok(action !== undefined);
        const actor = accounts.internIn(action.platform, action.actorId, 0);
        assert.equal(seen.add(actor, action.id, action.time), true);
        accounts.internIn('', action.hashtags[0] ?? '', 0);
      }
      assert.equal(accounts.label(0), 'bluesky:did:plc:account0');
      return [accounts, seen];
    });
    assert.ok(interned < 10e6, `${(interned / 1e6).toFixed(1)} MB held for ${N} accounts, keys and ids`);
    const partitioned = held(() => {
      const partitioner = new Partitioner({ partitions: 4, traces: DEFAULT_STREAM_TRACES });
      const out: unknown[] = [];
      for (let n = 0; n < N; n++) for (const action of scanJetstreamActions(longLine(n))?.actions ?? []) partitioner.push(action, []);
      assert.equal(partitioner.actions, N);
      return [partitioner, out];
    });
    assert.ok(partitioned < 10e6, `${(partitioned / 1e6).toFixed(1)} MB held by the partitioner for ${N} actions`);
  });
});
