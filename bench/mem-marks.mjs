// Preloaded into a `lockstep detect` run (node --import ./bench/mem-marks.mjs ...; set LOCKSTEP_PROGRESS=1):
// attributes the process's resident set size to the stage the progress bar last named. A worker
// thread samples RSS every 20 ms (it runs while the main thread is busy in synchronous code) and
// keeps the largest value per stage; at each stage change the main thread notes V8 heap, external
// and array-buffer memory. Prints a table on stderr at exit (MiB).
import { appendFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import process from 'node:process';

// MEM_MARKS_LOG=FILE: each stage change is also appended to FILE as it happens (a run stopped early still tells where it got).
const live = process.env.MEM_MARKS_LOG;

const MAX_STAGES = 256;
const SECONDS = 8192;
const shared = new SharedArrayBuffer(8 * MAX_STAGES + 8 * SECONDS);
const current = new Int32Array(shared, 0, 1);
const peaks = new Float64Array(shared, 8, MAX_STAGES - 1);
const bySecond = new Float64Array(shared, 8 * MAX_STAGES, SECONDS);
const started = performance.now();
const startedAt = [0];
const names = ['(read)'];
const atStart = [process.memoryUsage()];
const mib = (bytes) => (bytes / 1048576).toFixed(0).padStart(6);

const sampler = new Worker(`
  const { workerData } = require('node:worker_threads');
  const current = new Int32Array(workerData, 0, 1);
  const peaks = new Float64Array(workerData, 8, ${MAX_STAGES - 1});
  const bySecond = new Float64Array(workerData, ${8 * MAX_STAGES}, ${SECONDS});
  const origin = ${Date.now()};
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    const at = Atomics.load(current, 0);
    if (rss > peaks[at]) peaks[at] = rss;
    const second = Math.min(${SECONDS - 1}, Math.floor((Date.now() - origin) / 1000));
    if (rss > bySecond[second]) bySecond[second] = rss;
  }, 20);
`, { eval: true, workerData: shared });
sampler.unref();

const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => {
  const text = typeof chunk === 'string' ? chunk : '';
  const match = text.endsWith('\u001b[K') ? /\d+\.\d+s {2}(.+)$/.exec(text.slice(0, -3)) : null;
  if (match !== null && match[1] !== names[names.length - 1] && names.length < MAX_STAGES - 1) {
    names.push(match[1]);
    atStart.push(process.memoryUsage());
    startedAt.push(performance.now() - started);
    if (live !== undefined) {
      const previous = names.length - 2;
      appendFileSync(live, `${new Date().toISOString()} ${names[previous]} peak ${mib(peaks[previous]).trim()} MiB -> ${match[1]} (rss ${mib(process.memoryUsage.rss()).trim()})\n`);
    }
    Atomics.store(current, 0, names.length - 1);
    return true;
  }
  return match === null ? write(chunk, ...rest) : true;
};

process.on('exit', () => {
  // `lockstep detect` hands its work to a child (src/cli/malloc-reexec.ts): the child reports, not the waiting parent.
  if (process.env.LOCKSTEP_REEXEC_PARENT === '1') return;
  const end = process.memoryUsage();
  const lines = ['', 'MEM_MARKS (MiB): stage | from s | peak RSS in stage | at stage start: rss heapUsed external arrayBuffers'];
  names.forEach((name, index) => {
    const start = atStart[index];
    lines.push(`${name.slice(0, 34).padEnd(34)} ${(startedAt[index] / 1000).toFixed(1).padStart(7)} ${mib(peaks[index])} | ${mib(start.rss)} ${mib(start.heapUsed)} ${mib(start.external)} ${mib(start.arrayBuffers)}`);
  });
  const last = Math.min(SECONDS - 1, Math.ceil((performance.now() - started) / 1000));
  const step = Math.max(1, Math.ceil(last / 60));
  const series = [];
  for (let second = 0; second <= last; second += step) series.push(`${second}s:${mib(Math.max(...bySecond.subarray(second, second + step))).trim()}`);
  lines.push(`RSS_BY_TIME (MiB, max per ${step} s): ${series.join(' ')}`);
  lines.push(`${'(exit)'.padEnd(34)} ${mib(end.rss)} | ${mib(end.rss)} ${mib(end.heapUsed)} ${mib(end.external)} ${mib(end.arrayBuffers)}`);
  const usage = process.resourceUsage();
  lines.push(`PEAK_RSS_KB=${usage.maxRSS}`, `CPU_SECONDS=${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2)}`);
  write(`${lines.join('\n')}\n`);
});
