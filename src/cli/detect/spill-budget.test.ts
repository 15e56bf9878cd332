import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '../../test-support/fixtures.js';
import { EXAMPLES_DIR } from '../commands/demo.js';
import { main } from '../main.js';
import { PAIR_BYTES, pairBudget, parseMemoryBudget } from './spill-budget.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

async function detect(out: string, extra: string[]): Promise<{ code: number; err: string }> {
  const errors: string[] = [];
  const archive = join(EXAMPLES_DIR, 'synthetic');
  const code = await main(['node', 'lockstep', 'detect', join(archive, 'tweets.csv'), join(archive, 'users.csv'), '--out', out, '--json', ...extra], {
    out() {}, err(text: string) { errors.push(text); }, setExitCode() {}, exitCode: () => 0,
  });
  return { code, err: errors.join('\n') };
}

/** A CSV's rows sorted, numbers to 9 significant digits (spilled partitions sum IDF in another order). */
async function csvRows(path: string): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const rounded = lines.slice(1).map((line) => line.split(',').map((field) => (/^-?\d+\.\d+(e-?\d+)?$/.test(field) ? Number(field).toPrecision(9) : field)).join(','));
  return [lines[0] ?? '', ...rounded.sort()];
}

async function clusterMembers(out: string): Promise<string[]> {
  const accounts = (await readFile(join(out, 'accounts.csv'), 'utf8')).trimEnd().split('\n').slice(1);
  const byCluster = new Map<string, string[]>();
  for (const line of accounts) {
    const [account = '', cluster = ''] = line.split(',');
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), account]);
  }
  return [...byCluster.values()].map((members) => members.sort().join(' ')).sort();
}

describe('detect --memory-budget: pairs spill under the output directory and give the same results', () => {
  it('finds the same edges, weights and clusters with spilling forced on as in memory, and leaves no spill files', async () => {
    const plain = join(dir, 'plain');
    const spilled = join(dir, 'spilled');
    assert.equal((await detect(plain, [])).code, 0);
    // 2,048 pairs of budget: every trace with more pairs spills and is tested partition by partition.
    const run = await detect(spilled, ['--memory-budget', `${(2_048 * PAIR_BYTES) / 1024}K`]);
    assert.equal(run.code, 0, run.err);
    const summary = JSON.parse(await readFile(join(spilled, 'summary.json'), 'utf8')) as {
      pair_spill: { max_pairs_in_memory: number; chunks_written: number; bytes_written: number }; traces: { trace: string; spilled_chunks: number; pairs_tested: number }[]; edges: number;
    };
    assert.equal(summary.pair_spill.max_pairs_in_memory, 2_048);
    const spilledTraces = summary.traces.filter((trace) => trace.spilled_chunks > 0);
    assert.ok(spilledTraces.length >= 1 && summary.pair_spill.chunks_written >= 16 && summary.pair_spill.bytes_written > 0, JSON.stringify(summary.traces));
    const plainSummary = JSON.parse(await readFile(join(plain, 'summary.json'), 'utf8')) as typeof summary;
    assert.equal(plainSummary.pair_spill, undefined);
    // The same pairs tested per trace, the same significant edges and clusters.
    assert.deepEqual(summary.traces.map((trace) => [trace.trace, trace.pairs_tested]), plainSummary.traces.map((trace) => [trace.trace, trace.pairs_tested]));
    assert.ok(plainSummary.edges > 500, `${plainSummary.edges} edges`);
    assert.deepEqual(await csvRows(join(spilled, 'edges.csv')), await csvRows(join(plain, 'edges.csv')));
    assert.deepEqual(await csvRows(join(spilled, 'accounts.csv')), await csvRows(join(plain, 'accounts.csv')));
    const clusters = await clusterMembers(plain);
    assert.ok(clusters.length >= 3, `${clusters.length} clusters`);
    assert.deepEqual(await clusterMembers(spilled), clusters);
    assert.deepEqual((await readdir(spilled)).filter((name) => name.startsWith('lockstep-pairs-')), [], 'the spill directory is removed');
  });

  it('refuses a budget that is not a size, before reading any input', async () => {
    const run = await detect(join(dir, 'bad'), ['--memory-budget', 'lots']);
    assert.equal(run.code, 2);
    assert.match(run.err, /--memory-budget.*"lots" is not a size/);
    assert.deepEqual(await readdir(join(dir, 'bad')), [], 'nothing was read or written');
  });

  it('reads sizes in powers of 1024 and turns them into pairs', () => {
    assert.equal(parseMemoryBudget('2G'), 2 ** 31);
    assert.equal(parseMemoryBudget('1.5GiB'), 1.5 * 2 ** 30);
    assert.equal(parseMemoryBudget('512m'), 2 ** 29);
    assert.equal(pairBudget({ memoryBudget: '160M' }), 2 ** 20);
    assert.equal(pairBudget({ memoryBudget: '1G', maxPairsInMemory: '5000' }), 5_000);
    assert.equal(pairBudget({}), null);
    assert.throws(() => parseMemoryBudget('12 parsecs'), /not a size/);
    assert.throws(() => pairBudget({ maxPairsInMemory: '0' }), /--max-pairs-in-memory/);
  });
});
