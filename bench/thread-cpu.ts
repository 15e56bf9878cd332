// CPU figures for benches of work split with the detect thread: the main thread's own (its /proc
// task: the wall it would take beside an idle second core) and the whole process's.
import { readFileSync } from 'node:fs';

/** The main thread's CPU ms (user + system, from its /proc task). */
export function mainCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The process's CPU ms, every thread. */
export const processCpuMs = (): number => { const usage = process.resourceUsage(); return (usage.userCPUTime + usage.systemCPUTime) / 1000; };

/** The 1-minute load average. */
export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
