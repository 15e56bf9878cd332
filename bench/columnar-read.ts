// `node --import tsx bench/columnar-read.ts FILE [--split | --auto]`: the columnar CooRTweet reader alone (rows, ids, seconds, CPU).
// `--split` reads through readCoortweetColumnsSplit with the second half on a worker thread whatever the machine does;
// `--auto` as `lockstep detect` does (a second thread when a core is idle during the probe), and prints what decided.
import { readCoortweetColumns, readCoortweetColumnsSplit } from '../src/ingest/columnar/index.js';

const file = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'bench/.data/coortweet-2200000.csv';
const split = process.argv.includes('--split');
const auto = process.argv.includes('--auto');
const started = performance.now();
const cpu = process.cpuUsage();
let rejects = 0;
const rows = split || auto
  ? await readCoortweetColumnsSplit([file], () => { rejects++; }, { threads: split ? 2 : 'auto' })
  : readCoortweetColumns([file], () => { rejects++; });
const used = process.cpuUsage(cpu);
console.log(`${rows.size} rows, ${rows.objects.size} objects, ${rows.contents.size} contents, ${rows.accounts.size} accounts, ${rejects} rejects` +
  `${split || auto ? `, threads ${rows.files.map((f) => `${f.threads} (${f.split})`).join(',')}` : ''}: ` +
  `${((performance.now() - started) / 1000).toFixed(2)} s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s (this process, all threads)`);
