// `npm run bench [-- 10 100]`: end-to-end `lockstep detect` (file to outputs) on synthetic archives of
// the given scales (10 ≈ 1M events, 100 ≈ 10M), and on rows of CooRTweet's format (2.2M by default;
// `--coortweet-rows 2200000,10000000` for other sizes; default pipeline and --compat coortweet).
// Prints seconds, events/s, peak RSS, CPU seconds and, for the archives, F1.
// `--src` runs the CLI from src/ through tsx instead of the build in dist/ (no rebuild needed);
// `--no-coortweet` skips the CooRTweet rows, `--no-synth` the archives; `--modes default` (or
// `compat`) runs one of the two CooRTweet runs only. After each CooRTweet size, GNU `sort` of the
// same file (LC_ALL=C, output discarded) is timed in the same minute, the target's yardstick
// (`--no-sort` skips it); the load average is printed with it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateCoortweet } from './gen-coortweet.mjs';

const dataDir = join('bench', '.data');
mkdirSync(dataDir, { recursive: true });
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const valued = new Set(['--coortweet-rows', '--modes'].map((name) => argv.indexOf(name) + 1).filter((at) => at > 0));
const scales = argv.filter((_, at) => !valued.has(at)).map(Number).filter((n) => n > 0);
const coortweetRows = (option('--coortweet-rows') ?? '2200000').split(',').map(Number);
const modes = (option('--modes') ?? 'default,compat').split(',');
const entry = argv.includes('--src') ? ['--import', 'tsx', 'src/cli/entry.ts'] : ['bin/lockstep.js'];

function lockstep(args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', '--import', './bench/peak-rss.mjs', ...entry, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`lockstep ${args.join(' ')} failed`);
  }
  // The last figures: a worker thread started with the same --import prints its own when it ends.
  const last = (pattern) => [...run.stderr.matchAll(pattern)].at(-1)?.[1];
  const peakMb = Number(last(/PEAK_RSS_KB=(\d+)/g) ?? 0) / 1024;
  // CPU time is the steadier figure on a shared machine (printed by peak-rss.mjs when it knows it).
  const cpu = last(/CPU_SECONDS=([\d.]+)/g);
  return { seconds, peakMb, cpu: cpu === undefined ? '' : `, CPU ${cpu} s`, stdout: run.stdout };
}

for (const scale of argv.includes('--no-synth') ? [] : scales.length > 0 ? scales : [10]) {
  const dir = join(dataDir, `synth-${scale}`);
  if (!existsSync(join(dir, 'truth.csv'))) lockstep(['synth', '--out', dir, '--seed', '7', '--scale', String(scale)]);
  const out = join(dataDir, `detect-${scale}`);
  rmSync(out, { recursive: true, force: true });
  const run = lockstep(['detect', join(dir, 'tweets.csv'), join(dir, 'users.csv'), '--out', out, '--json']);
  const summary = JSON.parse(run.stdout);
  const evaluation = JSON.parse(lockstep(['eval', '--truth', join(dir, 'truth.csv'), '--out', out, '--json']).stdout);
  console.log(`detect synthetic scale ${scale}: ${summary.input_rows.toLocaleString('en')} rows in ${run.seconds.toFixed(1)} s end to end ` +
    `(${Math.round(summary.input_rows / run.seconds).toLocaleString('en')} events/s), peak RSS ${run.peakMb.toFixed(0)} MB${run.cpu}; ` +
    `timings ${JSON.stringify(summary.timings)}; precision ${evaluation.precision.toFixed(3)} recall ${evaluation.recall.toFixed(3)} F1 ${evaluation.f1.toFixed(3)}`);
}

if (argv.includes('--no-coortweet')) process.exit(0);
for (const rows of coortweetRows) {
  const coortweet = join(dataDir, `coortweet-${rows}.csv`);
  if (!existsSync(coortweet)) await generateCoortweet(coortweet, rows, 1);
  for (const mode of modes) {
    const out = join(dataDir, 'detect-coortweet');
    rmSync(out, { recursive: true, force: true });
    // The default pipeline as a user runs it (`detect FILE --out DIR`), or CooRTweet's own.
    const run = lockstep(['detect', coortweet, '--out', out, '--json', ...(mode === 'compat' ? ['--compat', 'coortweet', '--window', '10'] : [])]);
    console.log(`detect CooRTweet format, ${rows.toLocaleString('en')} rows (${mode === 'compat' ? '--compat coortweet --window 10' : 'default'}): ` +
      `${run.seconds.toFixed(2)} s end to end (${Math.round(rows / run.seconds).toLocaleString('en')} events/s), peak RSS ${run.peakMb.toFixed(0)} MB${run.cpu}` +
      `${mode === 'compat' ? `; read on ${readThreads(run.stdout)}` : `; timings ${JSON.stringify(JSON.parse(run.stdout).timings)}`}`);
  }
  if (!argv.includes('--no-sort')) console.log(`LC_ALL=C sort of the same file: ${gnuSort(coortweet)}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/** The compat summary's threads per file and what decided them (coortweet-split.ts), e.g. `2 threads (idle)`. */
function readThreads(stdout) {
  const summary = JSON.parse(stdout);
  return (summary.read_threads ?? []).map((threads, index) => `${threads} thread${threads === 1 ? '' : 's'} (${summary.read_split?.[index] ?? '?'})`).join(', ') || 'unknown threads';
}

/** Wall (and, through /usr/bin/time when present, CPU) seconds of GNU sort on `file`, output discarded. */
function gnuSort(file) {
  const timed = existsSync('/usr/bin/time');
  const started = performance.now();
  const run = spawnSync(timed ? '/usr/bin/time' : 'sort', [...(timed ? ['-f', 'CPU %U %S', 'sort'] : []), file], { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) return `failed (${run.stderr.trim() || run.error?.message})`;
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr ?? '');
  return `${seconds.toFixed(2)} s${cpu === null ? '' : `, CPU ${(Number(cpu[1]) + Number(cpu[2])).toFixed(2)} s`}`;
}
