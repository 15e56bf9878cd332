// The CooRTweet source's loadTraces (src/cli/detect/coortweet-source.ts: the accounts stage and
// the traces' key-time ordering) on a CooRTweet file, with a real detect thread as the detect
// command gives it, in alternating rounds: this tree's against another tree's (--base, e.g. a git
// worktree of an older commit with node_modules linked), or with the thread against without.
// Prints per round the wall ms, the main thread's CPU ms (the wall beside an idle second core),
// the process's CPU ms, and the sha256 of every trace's columns (equal in every round).
//
// --cold NAME: that contender's first call only (no warm-up), as the detect command makes it: run
// one process per figure, alternating.
//
//   node --import tsx bench/coortweet-load-traces.ts bench/.data/coortweet-10000000.csv [--base /tmp/tree] [--rounds 3 | --cold this]
// (10M rows: take the big-job lock, flock /tmp/lockstep-bigjob.lock.)
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { coortweetActions, coortweetSource } from '../src/cli/detect/coortweet-source.js';
import type { DetectSource } from '../src/cli/detect/detect-source.js';
import { startDetectThread } from '../src/cli/detect/detect-thread.js';
import type { KeyTimeHelper } from '../src/cli/detect/key-time-order.js';
import { DEFAULT_TRACES } from '../src/detect/traces/trace-names.js';
import { readCoortweetColumnsSplit } from '../src/ingest/columnar/index.js';
import { loadAverage, mainCpuMs, processCpuMs } from './thread-cpu.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const file = argv[0];
if (file === undefined || file.startsWith('--')) throw new Error('usage: coortweet-load-traces.ts FILE [--base TREE] [--rounds N]');
const base = option('--base');
const rounds = Number(option('--rounds') ?? 3);

const columns = await readCoortweetColumnsSplit([file], () => undefined, { threads: 'auto' });
const actions = coortweetActions(columns);
type MakeSource = typeof coortweetSource;
const baseSource: MakeSource | undefined = base === undefined ? undefined
  : ((await import(resolve(base, 'src/cli/detect/coortweet-source.ts'))) as { coortweetSource: MakeSource }).coortweetSource;

async function round(source: DetectSource, helper: KeyTimeHelper | undefined): Promise<string> {
  const [wall0, main0, all0] = [performance.now(), mainCpuMs(), processCpuMs()];
  const loaded = await source.loadTraces(DEFAULT_TRACES, { fastRepostMs: 60_000, platforms: [] }, () => undefined, helper);
  const [wall, main, all] = [performance.now() - wall0, mainCpuMs() - main0, processCpuMs() - all0];
  const hash = createHash('sha256');
  for (const [name, data] of loaded.traces) {
    hash.update(name);
    for (const column of [data.actor, data.key, data.time, data.action]) hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return `${wall.toFixed(0)} ms wall, main ${main.toFixed(0)} ms CPU, process ${all.toFixed(0)} ms CPU, sha256 ${hash.digest('hex').slice(0, 16)}`;
}

const thread = startDetectThread();
if (!await thread.ready) throw new Error('the detect thread did not start');
const here = coortweetSource(columns, actions);
const other = baseSource?.(columns, actions);
const contenders: [string, () => Promise<string>][] = other === undefined
  ? [['alone', () => round(here, undefined)], ['thread', () => round(here, thread.keyTimeHelper)]]
  : [['base', () => round(other, thread.keyTimeHelper)], ['this', () => round(here, thread.keyTimeHelper)]];
const cold = option('--cold');
if (cold !== undefined) {
  // One call of one contender, as the detect command makes it: code not compiled yet, the account interner's first materialize.
  const contender = contenders.find(([name]) => name === cold);
  if (contender === undefined) throw new Error(`--cold takes ${contenders.map(([name]) => name).join(' or ')}`);
  console.log(`cold, load ${loadAverage()}: ${cold} ${await contender[1]()}`);
}
// Warm-up: every code path compiled before timing.
if (cold === undefined) for (const [, run] of contenders) await run();
for (let r = 0; r < (cold === undefined ? rounds : 0); r++) {
  for (const [name, run] of r % 2 === 0 ? contenders : [...contenders].reverse()) console.log(`round ${r + 1}, load ${loadAverage()}: ${name} ${await run()}`);
}
thread.stop();
