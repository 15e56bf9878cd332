/**
 * How many cores are idle *now*: two samples of the kernel's per-CPU time counters (Linux
 * `/proc/stat`, else `os.cpus()`) a few tens of milliseconds apart. The one-minute load average
 * lags by minutes (right after any other run it stays at or above 0.5 although both cores are
 * idle), so a reader that wants a second thread asks this instead, and falls back to the load
 * average only where no counters can be read.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Time counters summed over all CPUs, in the kernel's ticks (or ms): idle (incl. I/O wait) and total. */
export interface CpuSample {
  idle: number;
  total: number;
  /** CPUs the counters cover. */
  cpus: number;
  /** Where the sample came from. */
  source: 'proc-stat' | 'os-cpus';
}

/**
 * Parses `/proc/stat`'s text: the `cpu ` line's user nice system idle iowait irq softirq steal
 * (guest time is already inside user), and the count of `cpuN` lines. Steal counts as busy: the
 * hypervisor gave that time to someone else. Null when the text has no `cpu ` line.
 */
export function parseProcStat(text: string): CpuSample | null {
  let idle = 0, total = 0, count = 0, found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    if (line.startsWith('cpu ')) {
      const fields = line.slice(4).trim().split(/\s+/).slice(0, 8).map(Number);
      if (fields.length < 4 || fields.some((field) => !Number.isFinite(field))) return null;
      idle = fields[3]! + (fields[4] ?? 0);
      total = fields.reduce((sum, field) => sum + field, 0);
      found = true;
    } else if (/^cpu\d/.test(line)) {
      count++;
    }
  }
  return found && count > 0 ? { idle, total, cpus: count, source: 'proc-stat' } : null;
}

/** Reads the counters now: `/proc/stat`, else `os.cpus()`; null when neither gives any. */
export function sampleCpu(): CpuSample | null {
  try {
    const sample = parseProcStat(readFileSync('/proc/stat', 'latin1'));
    if (sample !== null) return sample;
  } catch {
    // Not Linux (or no procfs): os.cpus() below.
  }
  const list = cpus();
  let idle = 0, total = 0;
  for (const { times } of list) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return list.length > 0 && total > 0 ? { idle, total, cpus: list.length, source: 'os-cpus' } : null;
}

export interface IdleCoresOptions {
  /**
   * Fewest counter units (ticks, usually 10 ms each) per CPU between the samples for the figure
   * to mean anything; below it `idleCores` says null (the caller waits longer or falls back).
   */
  minUnitsPerCpu: number;
  /** Shortest interval (s) over which this process's own CPU time is read as a rate (`freeCores`). */
  minOwnSeconds: number;
}

export const IDLE_CORES_DEFAULTS: Readonly<IdleCoresOptions> = Object.freeze({ minUnitsPerCpu: 3, minOwnSeconds: 0.02 });

/**
 * Cores idle on average between two samples (0 to `cpus`), or null when they cannot be compared
 * (different CPU sets or sources, counters that went backwards, too short an interval).
 *
 * @example idleCores({ idle: 100, total: 200, cpus: 2, source: 'proc-stat' }, { idle: 105, total: 210, cpus: 2, source: 'proc-stat' }) // 1
 */
export function idleCores(before: CpuSample, after: CpuSample, options?: Partial<IdleCoresOptions>): number | null {
  const opts = { ...IDLE_CORES_DEFAULTS, ...options };
  if (before.cpus !== after.cpus || before.source !== after.source) return null;
  const idle = after.idle - before.idle, total = after.total - before.total;
  if (!(total >= opts.minUnitsPerCpu * after.cpus) || idle < 0 || idle > total) return null;
  return (idle / total) * after.cpus;
}

/**
 * Cores free for one more thread of this process: the idle cores between two samples, plus what
 * this process's own other threads used beyond its main thread meanwhile (`ownCpuSeconds` over
 * `wallSeconds`: at start-up V8's compiler and GC threads keep the other core partly busy, and a
 * worker would take their place), minus nothing for the main thread itself (it is busy during the
 * samples, so it is not in the idle figure). Null when `idleCores` is.
 *
 * @example freeCores(before, after, 0.13, 0.1) // idle cores + 0.3 of this process's helper threads
 */
export function freeCores(before: CpuSample, after: CpuSample, ownCpuSeconds: number, wallSeconds: number, options?: Partial<IdleCoresOptions>): number | null {
  const opts = { ...IDLE_CORES_DEFAULTS, ...options };
  const idle = idleCores(before, after, opts);
  if (idle === null || !(wallSeconds >= opts.minOwnSeconds)) return idle;
  const helpers = Math.max(0, ownCpuSeconds / wallSeconds - 1);
  return Math.min(after.cpus - 1, idle + helpers);
}

export interface SplitDecisionInput {
  /** Cores free while this thread worked (`freeCores`), or null when unknown. */
  idle: number | null;
  /** The one-minute load average (the fallback when `idle` is null). */
  loadAverage: number;
  /** Cores this process may run on (`os.availableParallelism()`). */
  cores: number;
}

export interface SplitDecisionOptions {
  /** Idle cores (measured while this thread was busy) from which a second thread is started. */
  minIdleCores: number;
  /** Fallback: the load average at or above which one thread is used (null: cores - 1.5). */
  busyLoad: number | null;
}

export const SPLIT_DECISION_DEFAULTS: Readonly<SplitDecisionOptions> = Object.freeze({ minIdleCores: 0.75, busyLoad: null });

/**
 * Whether a second thread would find a core to run on: never on one core; by the idle cores
 * measured now when known; else by the lagging load average.
 *
 * @example shouldSplit({ idle: 0.95, loadAverage: 3, cores: 2 }) // true: a core is idle now
 */
export function shouldSplit(input: SplitDecisionInput, options?: Partial<SplitDecisionOptions>): boolean {
  const opts = { ...SPLIT_DECISION_DEFAULTS, ...options };
  if (input.cores < 2) return false;
  if (input.idle !== null) return input.idle >= opts.minIdleCores;
  return input.loadAverage < (opts.busyLoad ?? input.cores - 1.5);
}
