// `node bench/detect-100m.mjs [--rows 100000000] [--modes default,compat,spill] [--memory-budget 2G] [--src]`:
// `lockstep detect` on N rows of CooRTweet's format (bench/gen-coortweet.mjs, generated into
// bench/.data if missing, about 54 bytes a row), the default pipeline, `--compat coortweet --window 10`
// and/or the default pipeline with `--memory-budget` (spill mode). Prints wall and CPU seconds,
// events/s, peak RSS, the stage timings and the spill's bytes, with the load average before and after.
// Take the big-job lock yourself (`flock /tmp/lockstep-bigjob.lock node bench/detect-100m.mjs ...`):
// at 100M rows a run needs several GB. `--src` runs src/ through tsx (no rebuild needed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rows = Number(option('--rows', '100000000'));
const modes = option('--modes', 'default,compat').split(',');
const budget = option('--memory-budget', '2G');
const entry = argv.includes('--src') ? ['--import', 'tsx', 'src/cli/entry.ts'] : ['bin/lockstep.js'];
const dataDir = join('bench', '.data');
mkdirSync(dataDir, { recursive: true });
const file = join(dataDir, `coortweet-${rows}.csv`);
if (!existsSync(file)) {
  const { generateCoortweet } = await import('./gen-coortweet.mjs');
  await generateCoortweet(file, rows, 1);
}
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

for (const mode of modes) {
  const out = join(dataDir, `detect-100m-${mode}`);
  rmSync(out, { recursive: true, force: true });
  const extra = mode === 'compat' ? ['--compat', 'coortweet', '--window', '10'] : mode === 'spill' ? ['--memory-budget', budget] : [];
  const before = load();
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--max-old-space-size=30000', '--import', './bench/peak-rss.mjs', ...entry, 'detect', file, '--out', out, '--json', ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  const seconds = (performance.now() - started) / 1000;
  const last = (pattern) => [...run.stderr.matchAll(pattern)].at(-1)?.[1];
  const peakGb = Number(last(/PEAK_RSS_KB=(\d+)/g) ?? 0) / 2 ** 20;
  const cpu = Number(last(/CPU_SECONDS=([\d.]+)/g) ?? NaN);
  if (run.status !== 0) {
    console.log(`${rows.toLocaleString('en')} rows, ${mode}: FAILED after ${seconds.toFixed(1)} s (status ${run.status}, signal ${run.signal}), peak RSS ${peakGb.toFixed(2)} GiB; load ${before} -> ${load()}`);
    process.stderr.write(run.stderr.slice(-4000));
    continue;
  }
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  const spill = summary.pair_spill === undefined ? '' : `; spill ${JSON.stringify(summary.pair_spill)}`;
  const pairs = summary.traces === undefined ? `co-share rows ${summary.co_share_rows}, edges ${summary.edges}` : summary.traces.map((t) => `${t.trace} ${t.pairs_tested} pairs tested, ${t.pairs_significant} kept, ${t.spilled_chunks} chunks`).join('; ');
  console.log(`${rows.toLocaleString('en')} rows, ${mode}: ${seconds.toFixed(1)} s wall, CPU ${cpu.toFixed(1)} s, ${Math.round(rows / seconds).toLocaleString('en')} events/s, ` +
    `peak RSS ${peakGb.toFixed(2)} GiB; ${pairs}${spill}; timings ${JSON.stringify(summary.timings ?? { seconds: summary.seconds })}; load ${before} -> ${load()}`);
}
