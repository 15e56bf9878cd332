// Speed of the synthetic benchmark generator: rows per second while streaming every table,
// and the memory it holds. Run: node --import tsx bench/synth.ts [scale=10] [seed=1]
import { generateSynthetic } from '../src/synth/index.js';

const scale = Number(process.argv[2] ?? 10);
const seed = Number(process.argv[3] ?? 1);

const planStart = performance.now();
const synth = generateSynthetic({ seed, scale });
const planMs = performance.now() - planStart;

// Wall time and CPU time: on a shared machine the CPU time says what the generator costs.
function drain(rows: Iterable<string[]>): { rows: number; ms: number; cpuMs: number; chars: number } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let count = 0;
  let chars = 0;
  for (const row of rows) {
    count++;
    // Touch a field so that the rows are really produced and kept alive for a moment.
    chars += (row[0] ?? '').length;
  }
  const used = process.cpuUsage(cpu);
  return { rows: count, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, chars };
}

const tweets = drain(synth.tweets);
const users = drain(synth.users);
const truth = drain(synth.truth);
const peakRss = process.resourceUsage().maxRSS * 1024;

const total = tweets.rows + users.rows + truth.rows;
const totalMs = tweets.ms + users.ms + truth.ms;
const totalCpuMs = tweets.cpuMs + users.cpuMs + truth.cpuMs;
const perSecond = (rows: number, ms: number): string => Math.round(rows / (ms / 1000)).toLocaleString('en-US');
const rate = (rows: number, ms: number, cpuMs: number): string => `${perSecond(rows, ms)} rows/s (${perSecond(rows, cpuMs)} per CPU second)`;
console.log(`synth scale ${scale} seed ${seed}: plan ${planMs.toFixed(0)} ms`);
console.log(`  tweets ${tweets.rows.toLocaleString('en-US')} in ${(tweets.ms / 1000).toFixed(2)} s: ${rate(tweets.rows, tweets.ms, tweets.cpuMs)}`);
console.log(`  users  ${users.rows.toLocaleString('en-US')} in ${(users.ms / 1000).toFixed(2)} s: ${rate(users.rows, users.ms, users.cpuMs)}`);
console.log(`  truth  ${truth.rows.toLocaleString('en-US')} in ${(truth.ms / 1000).toFixed(2)} s: ${rate(truth.rows, truth.ms, truth.cpuMs)}`);
console.log(`  all    ${total.toLocaleString('en-US')} rows: ${rate(total, totalMs, totalCpuMs)}; max RSS ${(peakRss / 1e6).toFixed(0)} MB`);
console.log(`  campaigns ${synth.summary.campaigns.length}, coordinated accounts ${synth.summary.coordinatedAccounts} of ${synth.summary.accounts}`);
