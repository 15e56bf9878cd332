import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpeed, runStream } from './runner.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

async function* from(lines: readonly string[]): AsyncIterable<string> {
  yield* lines;
}

describe('stream runner', () => {
  it('reads speeds as a multiple of real time or max, and refuses others', () => {
    assert.equal(parseSpeed('10x'), 10);
    assert.equal(parseSpeed('0.5x'), 0.5);
    assert.equal(parseSpeed('3'), 3);
    assert.equal(parseSpeed('max'), 'max');
    for (const bad of ['fast', '0x', '-2x', '']) assert.equal(parseSpeed(bad), null);
  });

  it('paces a replay at the chosen speed (fake clock), detects on the event-time period, alerts once per ring and again when it grows', async () => {
    const durationMs = 1_200_000;
    const { lines, rings } = jetstreamStream({ durationMs, organicPerSecond: 2, ringEveryMs: 60_000 });
    let clock = 0;
    const slept: number[] = [];
    const alerts: { cluster: string; type: string; members: string[]; latencyMs: number | null; lagMs: number | null }[] = [];
    const summary = await runStream(from(lines), 'test', {
      speed: 10, everyMs: 60_000, now: () => clock, sleep: async (ms) => { slept.push(ms); clock += ms; },
    }, { alert: (alert) => { alerts.push(alert); }, reject: () => undefined });
    // 20 minutes of events at 10x take about 2 minutes of (fake) wall time.
    assert.ok(clock > 0.9 * durationMs / 10 && clock <= (durationMs + 30_000) / 10, `replay took ${clock} ms`); // rings act up to 26 s past the end
    assert.ok(summary.detections >= 15, `${summary.detections} detections`);
    for (const ring of rings) {
      const about = alerts.filter((alert) => ring.members.includes(alert.members[0] ?? ''));
      assert.equal(about.filter((alert) => alert.type === 'cluster-appeared').length, 1, 'appears once');
      assert.equal(new Set(about.map((alert) => alert.cluster)).size, 1, 'keeps one stable id');
      const last = about[about.length - 1];
      assert.ok(last !== undefined && last.members.length >= ring.members.length - 1, 'the last alert has (nearly) the whole ring');
    }
    // With the fake clock, wall time only passes while pacing: an alert comes within one period of its event.
    for (const alert of alerts) assert.ok(alert.latencyMs !== null && alert.latencyMs <= 60_000 / 10 + 1, `latency ${alert.latencyMs}`);
    // The lag: the data the previous detection lacked arrived at most a period, the lateness and a gap between events (here < 2 s) before.
    for (const alert of alerts) assert.ok(alert.lagMs !== null && alert.lagMs > 0 && alert.lagMs <= (60_000 + 5_000 + 2_000) / 10, `lag ${alert.lagMs}`);
  });

  it('rejects bad lines with where they were, and keeps going', async () => {
    const { lines } = jetstreamStream({ durationMs: 60_000 });
    const rejected: { line: number; reason: string }[] = [];
    const summary = await runStream(from([lines[0] ?? '', '{"did":1}', 'nope', ...lines.slice(1)]), 'feed.jsonl', {}, {
      alert: () => undefined, reject: (_where, _line, reason, line) => { rejected.push({ line, reason }); },
    });
    assert.deepEqual(rejected.map((entry) => entry.line), [2, 3]);
    assert.match(rejected[1]?.reason ?? '', /^feed\.jsonl:3: not JSON/);
    assert.equal(summary.actions, lines.length);
  });
});
