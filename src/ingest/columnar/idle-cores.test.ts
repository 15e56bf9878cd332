import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { freeCores, idleCores, parseProcStat, sampleCpu, shouldSplit } from './idle-cores.js';
import type { CpuSample } from './idle-cores.js';

const STAT = `cpu  11290218 381710 1049070 2587444 25289 0 16165 57422 0 0
cpu0 5595255 185709 509563 1370055 7957 0 6422 28432 0 0
cpu1 5694963 196000 539506 1217389 17332 0 9743 28990 0 0
intr 71051716 0 0
ctxt 1
`;

const sample = (idle: number, total: number, cpus = 2): CpuSample => ({ idle, total, cpus, source: 'proc-stat' });

describe('idle cores now', () => {
  it('reads /proc/stat: idle and I/O wait as idle, steal as busy, one CPU per cpuN line', () => {
    assert.deepEqual(parseProcStat(STAT), {
      idle: 2587444 + 25289,
      total: 11290218 + 381710 + 1049070 + 2587444 + 25289 + 0 + 16165 + 57422,
      cpus: 2, source: 'proc-stat',
    });
    assert.equal(parseProcStat('intr 1 2 3\n'), null);
    assert.equal(parseProcStat('cpu  1 x 3 4\ncpu0 1 2 3 4\n'), null);
  });

  it('counts the cores idle between two samples', () => {
    // 2 CPUs, 20 ticks: one core fully idle.
    assert.equal(idleCores(sample(100, 1000), sample(110, 1020)), 1);
    assert.equal(idleCores(sample(100, 1000), sample(100, 1020)), 0);
    assert.equal(idleCores(sample(100, 1000), sample(120, 1020)), 2);
    // Too short to tell (under 3 ticks per CPU), other CPUs, counters going back: unknown.
    assert.equal(idleCores(sample(100, 1000), sample(103, 1005)), null);
    assert.equal(idleCores(sample(100, 1000), sample(110, 1020, 4)), null);
    assert.equal(idleCores(sample(100, 1000), sample(90, 1020)), null);
    assert.equal(idleCores(sample(100, 1000), { ...sample(110, 1020), source: 'os-cpus' }), null);
  });

  it('counts this process\'s own helper threads (compiler, GC) as free for a worker, not as another process\'s load', () => {
    // 20 ticks on 2 CPUs over 0.1 s, 0.7 cores idle: busy 1.3 cores, all of it this process (0.13 CPU-s in 0.1 s).
    assert.ok(Math.abs(freeCores(sample(100, 1000), sample(107, 1020), 0.13, 0.1)! - 1) < 1e-9);
    assert.equal(shouldSplit({ idle: freeCores(sample(100, 1000), sample(107, 1020), 0.13, 0.1), loadAverage: 5, cores: 2 }), true);
    // The same counters with this process on one core only: another process holds 0.3 of the other.
    assert.ok(Math.abs(freeCores(sample(100, 1000), sample(107, 1020), 0.1, 0.1)! - 0.7) < 1e-9);
    assert.equal(shouldSplit({ idle: freeCores(sample(100, 1000), sample(107, 1020), 0.1, 0.1), loadAverage: 0, cores: 2 }), false);
    // Own CPU over too short a time is not read as a rate.
    assert.ok(Math.abs(freeCores(sample(100, 1000), sample(107, 1020), 0.0005, 0.0002)! - 0.7) < 1e-9);
    // Never more than the cores beside the main thread; unknown stays unknown.
    assert.equal(freeCores(sample(100, 1000), sample(120, 1020), 0.5, 0.1), 1);
    assert.equal(freeCores(sample(100, 1000), sample(101, 1002), 0.1, 0.1), null);
  });

  it('is between 0 and the CPUs whenever it is known', () => {
    fc.assert(fc.property(fc.nat(1e9), fc.nat(1e9), fc.nat(1e6), fc.nat(1e6), fc.integer({ min: 1, max: 64 }), (idle, busy, dIdle, dBusy, cpus) => {
      const idle2 = idleCores(sample(idle, idle + busy, cpus), sample(idle + dIdle, idle + busy + dIdle + dBusy, cpus));
      if (idle2 !== null) assert.ok(idle2 >= 0 && idle2 <= cpus);
      else assert.ok(dIdle + dBusy < 3 * cpus);
    }));
  });

  it('splits by the idle cores measured now, and by the load average only when they are unknown', () => {
    // The lagging load average says busy, but a core is idle now: split.
    assert.equal(shouldSplit({ idle: 0.97, loadAverage: 2.4, cores: 2 }), true);
    // The load average says quiet, but another process holds the other core now: do not.
    assert.equal(shouldSplit({ idle: 0.1, loadAverage: 0.1, cores: 2 }), false);
    assert.equal(shouldSplit({ idle: 0.74, loadAverage: 0, cores: 2 }), false);
    assert.equal(shouldSplit({ idle: null, loadAverage: 0.3, cores: 2 }), true);
    assert.equal(shouldSplit({ idle: null, loadAverage: 0.6, cores: 2 }), false);
    assert.equal(shouldSplit({ idle: 1, loadAverage: 0, cores: 1 }), false, 'one core: never');
  });

  it('samples this machine', () => {
    const first = sampleCpu();
    // Linux always has /proc/stat; elsewhere os.cpus() (or nothing, and the load average decides).
    if (process.platform === 'linux') assert.equal(first?.source, 'proc-stat');
    if (first !== null) assert.ok(first.cpus >= 1 && first.total >= first.idle && first.idle >= 0);
  });
});
