// Detection quality at default settings over a grid of seeds and scales (issue 3, "Quality"):
// `lockstep synth` → `lockstep detect` → `lockstep eval`, one row per archive: precision, recall,
// F1, recall per campaign style, accounts flagged per confounder.
//
//   node bench/quality.mjs [--seeds 1,2,3] [--scales 0.2,1,10] [--data DIR] [--bin bin/lockstep.js] [-- DETECT FLAGS]
//
// From source without a build (dist/ may be rebuilt by others meanwhile):
//   NODE_OPTIONS='--import tsx' node bench/quality.mjs --bin src/cli/entry.ts ...
// Runs above 2M events (scale > 20) take the shared big-job lock (/tmp/lockstep-bigjob.lock)
// through flock. Archives are generated once into --data (default bench/.data/quality) and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const own = dashdash < 0 ? argv : argv.slice(0, dashdash);
const detectFlags = dashdash < 0 ? [] : argv.slice(dashdash + 1);
function flag(name, fallback) {
  const at = own.indexOf(`--${name}`);
  return at >= 0 && own[at + 1] !== undefined ? own[at + 1] : fallback;
}
const seeds = flag('seeds', '1,2,3').split(',').map(Number);
const scales = flag('scales', '0.2,1,10').split(',').map(Number);
const dataDir = flag('data', join('bench', '.data', 'quality'));
const bin = flag('bin', 'bin/lockstep.js');
mkdirSync(dataDir, { recursive: true });

const STYLES = ['retweet-ring', 'copypasta', 'url-amplification', 'hashtag-sequence', 'slow-low-participation'];
const SHORT = { 'retweet-ring': 'ring', copypasta: 'copy', 'url-amplification': 'url', 'hashtag-sequence': 'hashseq', 'slow-low-participation': 'slow' };
const CONFOUNDERS = ['syndicated-feed', 'viral-cascade', 'live-event', 'fan-community', 'none'];

function lockstep(args, big) {
  const command = big ? 'flock' : process.execPath;
  const full = big ? ['/tmp/lockstep-bigjob.lock', process.execPath, bin, ...args] : [bin, ...args];
  const started = performance.now();
  const run = spawnSync(command, full, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`lockstep ${args.join(' ')} failed`);
  }
  return { stdout: run.stdout, seconds: (performance.now() - started) / 1000 };
}

const pad = (text, width) => String(text).padStart(width);
console.log(['seed', 'scale', 'P', 'R', 'F1', ...STYLES.map((style) => SHORT[style]), ...CONFOUNDERS.map((c) => `FP:${c}`), 'secs'].join('\t'));
for (const scale of scales) {
  for (const seed of seeds) {
    const big = scale > 20;
    const dir = join(dataDir, `s${seed}-x${scale}`);
    if (!existsSync(join(dir, 'truth.csv'))) lockstep(['synth', '--out', dir, '--seed', String(seed), '--scale', String(scale)], big);
    const out = join(dataDir, `detect-s${seed}-x${scale}`);
    rmSync(out, { recursive: true, force: true });
    const run = lockstep(['detect', join(dir, 'tweets.csv'), join(dir, 'users.csv'), '--out', out, '--json', ...detectFlags], big);
    const e = JSON.parse(lockstep(['eval', '--truth', join(dir, 'truth.csv'), '--out', out, '--json'], false).stdout);
    const style = (name) => {
      const row = e.styles.find((entry) => entry.style === name);
      return row === undefined || row.accounts === 0 ? '-' : row.recall.toFixed(2);
    };
    const fp = (name) => {
      const row = e.confounders.find((entry) => entry.confounder === name);
      return row === undefined ? '-' : `${row.flagged}/${row.accounts}`;
    };
    console.log([seed, scale, e.precision.toFixed(3), e.recall.toFixed(3), e.f1.toFixed(3), ...STYLES.map(style), ...CONFOUNDERS.map(fp), pad(run.seconds.toFixed(0), 4)].join('\t'));
  }
}
