import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { FIXTURES, SHARED_DATA, scratchDir } from '../test-support/fixtures.js';
import { runCli } from './test-support/run-cli.js';

test('detect on a synthetic archive writes the output contract, and what it flags is right', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const data = join(dir, 'synth');
    const out = join(dir, 'out');
    assert.equal((await runCli('synth', '--out', data, '--seed', '5', '--scale', '0.3')).code, 0);
    const detect = await runCli('detect', join(data, 'tweets.csv'), join(data, 'users.csv'), '--out', out, '--json');
    assert.equal(detect.code, 0, detect.stderr);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['input_rows', 'rejected_rows', 'accounts', 'edges', 'clusters', 'flagged_accounts', 'timings']) assert.ok(field in summary, field);

    const accounts = parse(await readFile(join(out, 'accounts.csv'), 'utf8'), { columns: true }) as { account_id: string; cluster_id: string; score: string }[];
    assert.equal(accounts.length, summary['flagged_accounts']);
    assert.ok(accounts.length > 0);
    assert.ok(accounts.every((row) => Number(row.score) > 0 && Number(row.score) <= 1));
    const users = new Set((parse(await readFile(join(data, 'users.csv'), 'utf8'), { columns: true }) as { userid: string }[]).map((row) => row.userid));
    assert.ok(accounts.every((row) => users.has(row.account_id)), 'account ids exactly as in the input');

    const clusters = JSON.parse(await readFile(join(out, 'clusters.json'), 'utf8')) as { flagged: boolean; members: unknown[]; traces: unknown[]; top_shared_objects: unknown[]; evidence: { post_a: string }[] }[];
    assert.equal(clusters.filter((cluster) => cluster.flagged).length, summary['clusters']);
    assert.ok(clusters.every((cluster) => cluster.members.length >= 3 && cluster.traces.length > 0 && cluster.top_shared_objects.length > 0 && cluster.evidence.length > 0));

    const gexf = await readFile(join(out, 'network.gexf'), 'utf8');
    const graphml = await readFile(join(out, 'network.graphml'), 'utf8');
    assert.match(gexf, /<gexf[\s\S]*<\/gexf>\s*$/);
    assert.match(graphml, /<graphml[\s\S]*<\/graphml>\s*$/);
    assert.equal((gexf.match(/<edge /g) ?? []).length, summary['network_edges']);
    assert.ok(Number(summary['network_edges']) > 0 && Number(summary['network_edges']) <= Number(summary['edges']));
    const edges = parse(await readFile(join(out, 'edges.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(edges.length, summary['network_edges']);
    assert.ok(Object.keys(edges[0] ?? {}).slice(0, 3).join(',') === 'source,target,weight');

    const evaluation = JSON.parse((await runCli('eval', '--truth', join(data, 'truth.csv'), '--out', out, '--json')).stdout) as {
      precision: number; recall: number; confounders: { confounder: string; flagged: number }[];
    };
    assert.ok(evaluation.precision >= 0.95, `precision ${evaluation.precision}`);
    assert.ok(evaluation.recall >= 0.5, `recall ${evaluation.recall}`);
    const feeds = evaluation.confounders.find((row) => row.confounder === 'syndicated-feed');
    assert.equal(feeds?.flagged ?? 0, 0, 'no syndicated feed flagged');
  } finally {
    await cleanup();
  }
});

test('--compat coortweet reproduces CooRTweet\'s 60 edges and weights on its Russian data', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const result = await runCli('detect', FIXTURES.coortweetRussian, '--out', dir, '--compat', 'coortweet', '--window', '60', '--min-participation', '2', '--edge-weight-quantile', '0.5');
    assert.equal(result.code, 0, result.stderr);
    const ours = parse(await readFile(join(dir, 'edges.csv'), 'utf8'), { columns: true }) as { source: string; target: string; weight: string }[];
    const expected = parse(await readFile(join(SHARED_DATA, 'coortweet', 'expected_russian_tw60_ew05_sg1_edges.csv'), 'utf8'), { columns: true }) as { from: string; to: string; weight: string }[];
    const key = (x: string, y: string, w: string): string => `${[x, y].sort().join('|')}|${w}`;
    assert.equal(ours.length, 60);
    assert.deepEqual(ours.map((e) => key(e.source, e.target, e.weight)).sort(), expected.map((e) => key(e.from, e.to, e.weight)).sort());
  } finally {
    await cleanup();
  }
});

test('detect without inputs or --db is a clear error', async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const result = await runCli('detect', '--out', dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give input files, or --db/);
  } finally {
    await cleanup();
  }
});

test('a run that fails part way leaves no summary.json, not the previous run\'s beside its half-written files', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const run = () => runCli('detect', FIXTURES.coortweetRussian, '--out', dir, '--compat', 'coortweet', '--window', '60', '--min-participation', '2', '--edge-weight-quantile', '0.5');
    assert.equal((await run()).code, 0);
    assert.ok(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')).edges === 60);
    // edges.csv cannot be written now (a directory stands in its place): the second run fails at its output.
    await rm(join(dir, 'edges.csv'));
    await mkdir(join(dir, 'edges.csv'));
    const failed = await run();
    assert.notEqual(failed.code, 0);
    await assert.rejects(readFile(join(dir, 'summary.json'), 'utf8'), { code: 'ENOENT' });
    await rm(join(dir, 'edges.csv'), { recursive: true });
    assert.equal((await run()).code, 0, 'a later run writes it again');
    assert.ok(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')).edges === 60);
  } finally {
    await cleanup();
  }
});

test('--read-threads 1 or 2 fixes how many threads read a large CooRTweet file, with the same edges either way; other values are refused', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    // 420,000 shares (about 19 MB, above the 16 MiB a split needs): 8 shares per object a second
    // apart by accounts spread over 5,000, so pairs co-share objects repeatedly.
    const input = join(dir, 'shares.csv');
    const lines = ['object_id,account_id,content_id,timestamp_share'];
    for (let i = 0; i < 420_000; i++) lines.push(`object_${i >> 3},account_${(Math.imul(i >> 3, 7919) + (i & 7) * 613) % 5000},share_${i},${1_500_000_000 + (i >> 3) * 100 + (i & 7)}`);
    await writeFile(input, `${lines.join('\n')}\n`);
    const summaries: { read_threads: number[]; read_split: string[]; edges: number }[] = [];
    const edges: string[] = [];
    for (const threads of ['1', '2']) {
      const out = join(dir, `out-${threads}`);
      const result = await runCli('detect', input, '--out', out, '--compat', 'coortweet', '--window', '10', '--read-threads', threads, '--json');
      assert.equal(result.code, 0, result.stderr);
      summaries.push(JSON.parse(result.stdout) as { read_threads: number[]; read_split: string[]; edges: number });
      edges.push(await readFile(join(out, 'edges.csv'), 'utf8'));
    }
    assert.deepEqual(summaries.map((summary) => summary.read_threads), [[1], [2]]);
    assert.deepEqual(summaries.map((summary) => summary.read_split), [['forced'], ['forced']]);
    assert.ok(summaries[0]!.edges > 0);
    assert.equal(edges[1], edges[0]);
    // About 600 KB, written in chunks: a header and each edge once.
    const written = edges[0]!.trimEnd().split('\n');
    assert.equal(written.length, summaries[0]!.edges + 1);
    assert.equal(new Set(written).size, written.length);
    const refused = await runCli('detect', input, '--out', join(dir, 'out-3'), '--compat', 'coortweet', '--read-threads', '3');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /read-threads/);
  } finally {
    await cleanup();
  }
});

test('--compat coortweet orients each edge from the account first in string order, whichever shared first', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    // b shares three objects first, z five seconds later; a and c two objects. CooRTweet's edge
    // b -> z has b first (pmin by name), although z is only ever the newer side and b sorts after a.
    const input = join(dir, 'shares.csv');
    const rows = [['b', 'z'], ['b', 'z'], ['b', 'z'], ['a', 'c'], ['a', 'c']].flatMap(([older, newer], i) => [
      `object_${i},${older},share_${2 * i},${1_500_000_000 + 100 * i}`, `object_${i},${newer},share_${2 * i + 1},${1_500_000_005 + 100 * i}`]);
    await writeFile(input, `object_id,account_id,content_id,timestamp_share\n${rows.join('\n')}\n`);
    const result = await runCli('detect', input, '--out', dir, '--compat', 'coortweet', '--window', '10', '--min-participation', '2', '--edge-weight-quantile', '0.5');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(dir, 'edges.csv'), 'utf8'), 'source,target,weight,avg_time_delta,n_content_id,n_content_id_y,edge_symmetry_score\nb,z,3,5,3,3,1\n');
  } finally {
    await cleanup();
  }
});
