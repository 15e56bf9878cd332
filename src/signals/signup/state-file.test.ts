import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockstepError } from '../../model/index.js';
import { createSignupScorer } from './scorer.js';
import type { SignupInput } from './scorer.js';
import { knownOf, loadState, saveState, saveStateInParts, stateSaver } from './state-file.js';
import { openSignupScorer } from './open-scorer.js';
import { NETWORK_UA, testKnown, testTable } from './test-support/network.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2019, 7, 20, 12);
const wave = (i: number): SignupInput => ({ account_id: `w${i}`, time: T0 + i * 1000, ip: '198.51.100.10', user_agent: NETWORK_UA, handle: `Lily${String(30_000_000 + i * 104_729)}`, email_domain: 'mailbox.example' });

describe('state file', () => {
  it('answers null when there is no state yet', async () => {
    assert.equal(await loadState(join(dir, 'none.json')), null);
    assert.deepEqual(knownOf(null).ips, {});
  });

  it('survives a restart: a restored scorer decides the next sign-up as the running one does', async () => {
    const path = join(dir, 'a.duckdb.signups.json');
    const running = createSignupScorer(testKnown(), testTable());
    for (let i = 0; i < 6; i++) running.score(wave(i));
    await saveState(path, running.state());
    const state = await loadState(path);
    const restored = createSignupScorer(knownOf(state), testTable(), state);
    const fresh = createSignupScorer(testKnown(), testTable());
    const next = wave(6);
    assert.deepEqual(restored.score(next), running.score(next));
    // Without the counters the burst is not seen: the state is what carries it.
    assert.notDeepEqual(fresh.score(next).reasons, restored.score(wave(7)).reasons);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);
  });

  it('refuses a damaged file by name instead of starting empty', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version":1,"known":');
    await assert.rejects(loadState(path), (error: unknown) => error instanceof LockstepError && error.message.includes('bad.json') && error.message.includes('not JSON'));
    writeFileSync(path, '{"version":2}');
    await assert.rejects(loadState(path), /bad\.json: sign-up state cannot be read/);
  });

  it('writes behind: flush saves only when something was scored', async () => {
    const path = join(dir, 'behind.json');
    const scorer = createSignupScorer(testKnown(), testTable());
    const saver = stateSaver(scorer, path, { intervalMs: 60_000 });
    await saver.flush();
    assert.equal(await loadState(path), null);
    scorer.score(wave(0));
    await saver.stop();
    assert.equal((await loadState(path))?.lastTime, T0);
  });

  it('opens a served scorer from its state file and saves it on close (a restart keeps the counters)', async () => {
    const path = join(dir, 'served.json');
    const running = createSignupScorer(testKnown(), testTable());
    await saveState(path, running.state());
    const first = await openSignupScorer(path, testTable(), { intervalMs: 10 });
    for (let i = 0; i < 6; i++) first.scorer.score(wave(i));
    await first.close();
    const second = await openSignupScorer(path, testTable());
    const next = second.scorer.score(wave(6));
    await second.close();
    assert.equal(next.decision, 'block');
    assert.ok(next.reasons.some((reason) => reason.startsWith('7 sign-ups with handle template Aa#8')), next.reasons.join('\n'));
  });

  it('writes the counts in parts that read back to the same state as the whole snapshot', async () => {
    const path = join(dir, 'parts.json');
    const running = createSignupScorer(testKnown(), testTable());
    for (let i = 0; i < 400; i++) running.score({ ...wave(i), ip: `192.0.2.${i % 200}`, handle: `Lily${String(30_000_000 + i)}`, email_domain: `d${i % 40}.example` });
    const busy = await saveStateInParts(path, running.stateParts(16));
    assert.ok(busy >= 0);
    const whole = running.state();
    assert.ok((whole.velocity.ip?.keys.length ?? 0) > 100, 'many parts');
    assert.equal(Object.keys(whole.domains).length, 40, 'the email domains in three parts');
    const read = await loadState(path);
    assert.deepEqual(read, JSON.parse(JSON.stringify(whole)));
    const restored = createSignupScorer(knownOf(read), testTable(), read);
    assert.deepEqual(restored.score(wave(400)), running.score(wave(400)));
  });

  it('writes behind no more often than its share of the main thread allows; flush and stop still write', async () => {
    const path = join(dir, 'share.json');
    const scorer = createSignupScorer(testKnown(), testTable());
    const saves: number[] = [];
    // A write may take a billionth of the time between writes: after the first, the timer waits.
    const saver = stateSaver(scorer, path, { intervalMs: 5, busyShare: 1e-9, onSaved: (busy) => saves.push(busy) });
    scorer.score(wave(0));
    while (saves.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    scorer.score(wave(1));
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(saves.length, 1, 'the timer did not write again');
    await saver.flush();
    assert.equal(saves.length, 2);
    scorer.score(wave(2));
    await saver.stop();
    assert.equal(saves.length, 3);
    assert.equal((await loadState(path))?.lastTime, T0 + 2000);
  });
});
