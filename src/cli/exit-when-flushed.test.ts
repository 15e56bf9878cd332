import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { exitWhenFlushed } from './exit-when-flushed.js';

/** A stream whose writes complete only when `finishWrites` is called, as a slow pipe's would. */
function slowStream(): { stream: Writable; written: string[]; finishWrites: () => void } {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      pending.push(() => { written.push(chunk.toString()); callback(); });
    },
  });
  return { stream, written, finishWrites: () => { while (pending.length > 0) pending.shift()?.(); } };
}

describe('exitWhenFlushed', () => {
  it('exits with the code only once stdout and stderr have written what they hold', async () => {
    const out = slowStream();
    const err = slowStream();
    out.stream.write('{"clusters":3}\n');
    err.stream.write('done\n');
    const exits: number[] = [];
    const exiting = exitWhenFlushed(4, null, [out.stream, err.stream], (code) => exits.push(code));
    for (let tick = 0; tick < 5; tick++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [], 'not while the summary is still queued');
    // Each write completes when its turn comes; keep completing until the empty marker writes are through.
    for (let tick = 0; tick < 5; tick++) {
      out.finishWrites();
      err.finishWrites();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await exiting;
    assert.deepEqual(exits, [4]);
    assert.deepEqual(out.written.join(''), '{"clusters":3}\n');
    assert.deepEqual(err.written.join(''), 'done\n');
  });

  it('exits at once when the streams are already closed', async () => {
    const closed = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    closed.end();
    const exits: number[] = [];
    await exitWhenFlushed(0, null, [closed], (code) => exits.push(code));
    assert.deepEqual(exits, [0]);
  });
});
