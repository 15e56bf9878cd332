// `node --import tsx bench/columnar-read.ts FILE`: the columnar CooRTweet reader alone (rows, ids, seconds, CPU).
import { readCoortweetColumns } from '../src/ingest/columnar/index.js';

const started = performance.now();
const cpu = process.cpuUsage();
let rejects = 0;
const rows = readCoortweetColumns([process.argv[2] ?? 'bench/.data/coortweet-2200000.csv'], () => { rejects++; });
const used = process.cpuUsage(cpu);
console.log(`${rows.size} rows, ${rows.objects.size} objects, ${rows.contents.size} contents, ${rows.accounts.size} accounts, ${rejects} rejects: ` +
  `${((performance.now() - started) / 1000).toFixed(2)} s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s`);
