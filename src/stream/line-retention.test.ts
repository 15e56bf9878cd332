import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { ExpiringInterner } from './interner.js';
import { ByteFront } from './byte-front.js';
import { parseJetstreamLine } from './jetstream-line.js';
import type { OutBatch } from './partitioner.js';
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

describe('what the stream and the front end hold of their lines', () => {
  it('interned accounts and keys and remembered action ids do not keep their lines alive', () => {
    const N = 5_000; // 5,000 lines of 10 KB: 50 MB if each held its line
    const interned = held(() => {
      const accounts = new ExpiringInterner();
      const seen = new SeenActions();
      for (let n = 0; n < N; n++) {
        const action = parseJetstreamLine(longLine(n), 'x').actions[0];
        assert.ok(action !== undefined);
        const actor = accounts.internIn(action.platform, action.actorId, 0);
        assert.equal(seen.add(actor, action.id, action.time), true);
        accounts.internIn('', action.hashtags[0] ?? '', 0);
      }
      assert.equal(accounts.label(0), 'bluesky:did:plc:account0');
      return [accounts, seen];
    });
    assert.ok(interned < 10e6, `${(interned / 1e6).toFixed(1)} MB held for ${N} accounts, keys and ids`);
  });

  it('the byte front end holds copies of the bytes it looks up, not the chunks they came from', () => {
    const N = 5_000;
    const encoder = new TextEncoder();
    const partitioned = held(() => {
      const partitioner = new Partitioner({ partitions: 4, traces: DEFAULT_STREAM_TRACES });
      const front = new ByteFront(partitioner, { where: String, onProblem: (problem) => assert.fail(problem) });
      const out: OutBatch[] = [];
      // Chunks of 100 lines, each cut mid-line (the front end carries the rest of a line).
      for (let n = 0; n < N; n += 100) {
        const chunk = encoder.encode(`${Array.from({ length: 100 }, (_, k) => longLine(n + k)).join('\n')}\n`);
        front.push(chunk.subarray(0, 5_000), out);
        front.push(chunk.subarray(5_000), out);
        out.length = 0;
      }
      front.end(out);
      assert.equal(partitioner.actions, N);
      assert.equal(front.slowLines, 0);
      return [partitioner, front];
    });
    assert.ok(partitioned < 10e6, `${(partitioned / 1e6).toFixed(1)} MB held by the front end and partitioner for ${N} actions`);
  });
});
