import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import type { ExpansionResult } from '../../detect/expand-by-signals.js';
import type { DetectSource } from './detect-source.js';
import { runExpansion, writeExpansionOutputs } from './expansion-stage.js';

const dirs: string[] = [];
after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-expansion-'));
  dirs.push(dir);
  await writeFile(join(dir, 'accounts.csv'), 'account_id,cluster_id,score\r\nA,7,0.9\r\nB,7,0.8\r\n');
  return dir;
}

const expansion: ExpansionResult = {
  clusters: [{
    cluster: 0, parts: [{ name: 'creation_burst', baseRate: 0.001, core: 2, of: 2, detail: { from: '2017-12-01', to: '2017-12-02' } }],
    candidates: 10, identity: 3, matched: 2, expected: 0.01, pValue: 1e-5, accepted: true, skipped: null,
    recruits: [{ account: 2, cluster: 0, signals: ['creation_burst', 'client', 'behaviour_tie'], chance: 0.0001 }],
  }],
  recruits: [{ account: 2, cluster: 0, signals: ['creation_burst', 'client', 'behaviour_tie'], chance: 0.0001 }],
};

describe('expansion stage outputs', () => {
  it('adds recruits to accounts.csv with score 0 under the output cluster id, and says why in recruited.csv and expansion.json', async () => {
    const dir = await outDir();
    const summary = await writeExpansionOutputs(dir, expansion, [{ id: 7 }], ['A', 'B', 'C,x'], null);
    assert.equal(await readFile(join(dir, 'accounts.csv'), 'utf8'), 'account_id,cluster_id,score\r\nA,7,0.9\r\nB,7,0.8\r\n"C,x",7,0\r\n');
    assert.equal(await readFile(join(dir, 'recruited.csv'), 'utf8'), 'account_id,cluster_id,signals,chance\r\n"C,x",7,creation_burst+client+behaviour_tie,0.0001\r\n');
    // As lockstep eval reads it: the line ending of the first record is the one of every record.
    const rows = parse(await readFile(join(dir, 'accounts.csv'), 'utf8'), { columns: true }) as { account_id: string; score: string }[];
    assert.deepEqual(rows.map((row) => [row.account_id, row.score]), [['A', '0.9'], ['B', '0.8'], ['C,x', '0']]);
    const report = JSON.parse(await readFile(join(dir, 'expansion.json'), 'utf8')) as { clusters: { cluster_id: number; identity_matches: number; recruited: { account_id: string; signals: string[] }[] }[] };
    assert.equal(report.clusters[0]?.cluster_id, 7);
    assert.equal(report.clusters[0]?.identity_matches, 3);
    assert.deepEqual(report.clusters[0]?.recruited.map((r) => r.account_id), ['C,x']);
    assert.deepEqual(summary, { enabled: true, note: null, clusters_tested: 1, clusters_expanded: 1, recruited_accounts: 1 });
  });

  it('turned off or without profiles, accounts.csv is left as it is and the summary says why', async () => {
    const dir = await outDir();
    const summary = await writeExpansionOutputs(dir, null, [{ id: 7 }], ['A', 'B', 'C'], 'turned off (--no-expand)');
    assert.equal(await readFile(join(dir, 'accounts.csv'), 'utf8'), 'account_id,cluster_id,score\r\nA,7,0.9\r\nB,7,0.8\r\n');
    assert.equal(await readFile(join(dir, 'recruited.csv'), 'utf8'), 'account_id,cluster_id,signals,chance\r\n');
    assert.equal(summary.enabled, false);
    assert.equal(summary.note, 'turned off (--no-expand)');
    const source = { accountFacts: undefined } as unknown as DetectSource;
    assert.equal(await runExpansion({ source, actorIds: [], traces: new Map(), clusters: [] }), null);
  });
});
