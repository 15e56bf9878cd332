import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { action, actor, openCase, openTestStore } from '../../share/test-support/stores.js';
import { runCli } from '../test-support/run-cli.js';

const T0 = Date.UTC(2019, 7, 10);
const URL = 'https://news.example.cn/hk/riots';

describe('lockstep share export / import', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-share-'));
    const local = await openTestStore({
      actors: ['a1', 'a2', 'a3'].map((id) => actor('twitter', id, { handle: `h_${id}` })),
      actions: ['a1', 'a2', 'a3'].map((id, index) => action('twitter', id, 'repost', T0 + index * 1000, { urls: [URL] })),
    }, join(dir, 'local.duckdb'));
    await openCase(local.workspace, 'c1', '1', ['a1', 'a2', 'a3'].map((id) => ({ kind: 'account', id, handle: `h_${id}` })));
    await local.close();
    const partner = await openTestStore({
      actors: [actor('facebook', 'P1', { kind: 'page' })],
      actions: [action('facebook', 'P1', 'post', T0, { urls: [URL] })],
    }, join(dir, 'partner.duckdb'));
    await partner.close();
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('exports a valid bundle, and the partner finds its page with it', async () => {
    const bundle = join(dir, 'case.stix.json');
    const exported = await runCli('share', 'export', 'c1', '--db', join(dir, 'local.duckdb'), '--out', bundle, '--tlp', 'green', '--producer', 'Platform A');
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /3 accounts, 2 indicators.*TLP:GREEN\); valid against the STIX 2\.1 schemas/);
    const report = join(dir, 'report.json');
    const imported = await runCli('share', 'import', bundle, '--db', join(dir, 'partner.duckdb'), '--out', report);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /page facebook:P1 strength 0\.\d+: shared the URL/);
    assert.match(imported.stdout, /opened case /);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as { matched: { id: string }[] };
    assert.deepEqual(parsed.matched.map((entity) => entity.id), ['P1']);
  });

  it('writes ThreatExchange-shaped CSV', async () => {
    const out = join(dir, 'te.csv');
    const result = await runCli('share', 'export', 'c1', '--db', join(dir, 'local.duckdb'), '--out', out, '--format', 'threatexchange-csv');
    assert.equal(result.code, 0, result.stderr);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines[0], 'indicator,type,share_level,status,tags,description');
    assert.match(lines[1] ?? '', /^https:\/\/news\.example\.cn\/hk\/riots,URI,AMBER,MALICIOUS,lockstep;/);
  });

  it('says what is wrong with bad input', async () => {
    const missing = await runCli('share', 'export', 'nope', '--db', join(dir, 'local.duckdb'), '--out', join(dir, 'x.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /case nope not found/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"type": "bundle"');
    const broken = await runCli('share', 'import', bad, '--db', join(dir, 'partner.duckdb'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /bad\.json: cannot be read: not valid JSON/);
    const tlp = await runCli('share', 'export', 'c1', '--db', join(dir, 'local.duckdb'), '--out', join(dir, 'x.json'), '--tlp', 'purple');
    assert.match(tlp.stderr, /--tlp: "purple" is not one of/);
  });
});
