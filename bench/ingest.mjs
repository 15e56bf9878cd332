// `npm run bench:ingest [-- 1000000 10000000]`: generates Information Operations tweets CSVs (cached in
// bench/.data) and measures `lockstep ingest` end to end: rows/s, MB/s and peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateIoTweets } from './gen-io-tweets.mjs';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const rowsList = sizes.length > 0 ? sizes : [1_000_000, 10_000_000];
const dataDir = join('bench', '.data');

for (const rows of rowsList) {
  const file = join(dataDir, `io-tweets-${rows}.csv`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file}...\n`);
    await generateIoTweets(file, rows, 1);
  }
  const db = join(dataDir, `bench-${rows}.duckdb`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', './bench/peak-rss.mjs', 'bin/lockstep.js', 'ingest', file, '--db', db, '--rejects', join(dataDir, 'rejects.csv'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    process.exit(1);
  }
  const report = JSON.parse(run.stdout);
  const peakKb = Number(/PEAK_RSS_KB=(\d+)/.exec(run.stderr)?.[1] ?? 0);
  const cpuSeconds = Number(/CPU_SECONDS=([\d.]+)/.exec(run.stderr)?.[1] ?? 0);
  const megabytes = statSync(file).size / 1e6;
  console.log(`ingest ${rows.toLocaleString('en')} rows (${megabytes.toFixed(0)} MB): ${seconds.toFixed(1)} s end to end, ` +
    `${Math.round(report.read / seconds).toLocaleString('en')} rows/s, ${(megabytes / seconds).toFixed(0)} MB/s, peak RSS ${(peakKb / 1024).toFixed(0)} MB, ` +
    `CPU ${cpuSeconds.toFixed(1)} s (${Math.round(report.read / cpuSeconds).toLocaleString('en')} rows per CPU-second), ` +
    `ingested ${report.ingested}, rejected ${report.rejected}`);
  rmSync(db, { force: true });
}
