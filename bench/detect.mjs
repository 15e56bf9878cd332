// `npm run bench [-- 10 100]`: end-to-end `lockstep detect` (file to outputs) on synthetic archives of
// the given scales (10 ≈ 1M events, 100 ≈ 10M), and on 2.2M rows of CooRTweet's format (default
// pipeline and --compat coortweet). Prints seconds, events/s, peak RSS and, for the archives, F1.
// `--src` runs the CLI from src/ through tsx instead of the build in dist/ (no rebuild needed);
// `--no-coortweet` skips the CooRTweet rows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateCoortweet } from './gen-coortweet.mjs';

const dataDir = join('bench', '.data');
mkdirSync(dataDir, { recursive: true });
const argv = process.argv.slice(2);
const scales = argv.map(Number).filter((n) => n > 0);
const entry = argv.includes('--src') ? ['--import', 'tsx', 'src/cli/entry.ts'] : ['bin/lockstep.js'];

function lockstep(args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', '--import', './bench/peak-rss.mjs', ...entry, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`lockstep ${args.join(' ')} failed`);
  }
  const peakMb = Number(/PEAK_RSS_KB=(\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024;
  // CPU time is the steadier figure on a shared machine (printed by peak-rss.mjs when it knows it).
  const cpu = /CPU_SECONDS=([\d.]+)/.exec(run.stderr)?.[1];
  return { seconds, peakMb, cpu: cpu === undefined ? '' : `, CPU ${cpu} s`, stdout: run.stdout };
}

for (const scale of scales.length > 0 ? scales : [10]) {
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
const coortweet = join(dataDir, 'coortweet-2200000.csv');
if (!existsSync(coortweet)) await generateCoortweet(coortweet, 2_200_000, 1);
for (const mode of [[], ['--compat', 'coortweet', '--window', '10']]) {
  const out = join(dataDir, 'detect-coortweet');
  rmSync(out, { recursive: true, force: true });
  const run = lockstep(['detect', coortweet, '--out', out, '--json', ...(mode.length > 0 ? mode : ['--traces', 'co-repost', '--window', '10'])]);
  console.log(`detect CooRTweet format, 2.2M rows${mode.length > 0 ? ' (--compat coortweet)' : ' (co-repost, null model, Leiden)'}: ` +
    `${run.seconds.toFixed(1)} s end to end (${Math.round(2_200_000 / run.seconds).toLocaleString('en')} rows/s), peak RSS ${run.peakMb.toFixed(0)} MB${run.cpu}`);
}
