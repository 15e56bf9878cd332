import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, scratchDir } from '../../test-support/fixtures.js';
import { writeMmdb } from '../../signals/test-support/mmdb-writer.js';
import { runCli } from '../test-support/run-cli.js';

const FARM_UA = 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 Chrome/58.0.3029.110 Safari/537.36';
const PHONE_UA = 'Mozilla/5.0 (iPhone) Safari/604.1';
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const db = (): string => join(dir, 'store.duckdb');

async function scores(file: string): Promise<Map<string, { decision: string; reasons: string }>> {
  const rows = parse(await readFile(file, 'utf8'), { columns: true }) as { account_id: string; decision: string; reasons: string }[];
  return new Map(rows.map((row) => [row.account_id, row]));
}

before(async () => {
  ({ dir, cleanup } = await scratchDir());
  // 20 network accounts: VPN exits in 198.51.100.0/26, and three fixed addresses in 203.0.113.0/24 (CN);
  // 40 ordinary accounts from home in 192.0.2.0/25, a few through the same VPN.
  const lines = ['account_id,time,ip,user_agent,event'];
  for (let i = 0; i < 20; i++) {
    lines.push(`net${i},2019-07-0${1 + (i % 9)}T10:00:00Z,198.51.100.${10 + (i % 4)},"${FARM_UA}",login`);
    lines.push(`net${i},2019-07-1${i % 9}T11:00:00Z,198.51.100.${10 + (i % 3)},"${FARM_UA}",login`);
    lines.push(`net${i},2019-07-2${i % 9}T12:00:00Z,203.0.113.${5 + (i % 3)},"${FARM_UA}",login`);
  }
  for (let i = 0; i < 40; i++) lines.push(`org${i},2019-07-05T09:00:00Z,${i % 8 === 0 ? '198.51.100.11' : `192.0.2.${i + 1}`},"${PHONE_UA}",login`);
  await writeFile(join(dir, 'logins.csv'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'accounts.csv'), `account_id,cluster_id\n${Array.from({ length: 20 }, (_, i) => `net${i},7`).join('\n')}\n`);
  const ingest = await runCli('ingest', join(dir, 'logins.csv'), join(REPO_ROOT, 'examples', 'ip-networks.csv'), '--db', db());
  assert.equal(ingest.code, 0, ingest.stderr);
});
after(() => cleanup());

describe('lockstep signups', () => {
  it('learns the network\'s fixed addresses apart from its VPN exits', async () => {
    const learn = await runCli('signups', 'learn', '--db', db(), '--accounts', join(dir, 'accounts.csv'), '--json');
    assert.equal(learn.code, 0, learn.stderr);
    const summary = JSON.parse(learn.stdout) as Record<string, number | string>;
    // The farm's browser is 60% of all logins in this small store: not distinctive enough to learn.
    assert.deepEqual([summary['members'], summary['fixed_ips'], summary['ips'], summary['user_agents']], [20, 3, 7, 0]);
    assert.equal(summary['state'], `${db()}.signups.json`);
  });

  it('scores a file: blocks the network\'s fixed address with its browser, lets VPN users and people at home in, rejects IPv6 by line', async () => {
    const file = join(dir, 'signups-1.csv');
    await writeFile(file, [
      'account_id,time,ip,user_agent,handle,email_domain',
      `n1,2019-08-20T10:00:00Z,203.0.113.6,"${FARM_UA}",Ruth48213902,mail.example`,
      `o1,2019-08-20T10:01:00Z,198.51.100.11,"${PHONE_UA}",happy_cat,gmail.com`,
      `o2,2019-08-20T10:02:00Z,192.0.2.77,"${PHONE_UA}",walker_one,gmail.com`,
      `o3,2019-08-20T10:03:00Z,192.0.2.77,"${PHONE_UA}",walker_two,gmail.com`,
      `v6,2019-08-20T10:04:00Z,2001:db8::1,"${PHONE_UA}",someone,gmail.com`,
    ].join('\n'));
    const run = await runCli('signups', 'score', file, '--db', db(), '--out', join(dir, 'scores-1.csv'), '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { scored: number; rejected: number; rejectsFile: string };
    assert.deepEqual([summary.scored, summary.rejected], [4, 1]);
    assert.match(await readFile(summary.rejectsFile, 'utf8'), /,6,.*IPv6/);
    const result = await scores(join(dir, 'scores-1.csv'));
    assert.equal(result.get('n1')?.decision, 'block');
    assert.match(result.get('n1')?.reasons ?? '', /203\.0\.113\.6 is a fixed address 7 network accounts logged in from \(CN, AS64501/);
    assert.equal(result.get('o1')?.decision, 'allow');
    assert.match(result.get('o1')?.reasons ?? '', /not evidence alone/);
    assert.equal(result.get('o2')?.decision, 'allow');
  });

  it('keeps velocity across a restart: the third sign-up from one home address is challenged in the next run', async () => {
    const file = join(dir, 'signups-2.csv');
    await writeFile(file, `account_id,time,ip,user_agent,handle,email_domain\no4,2019-08-20T10:05:00Z,192.0.2.77,"${PHONE_UA}",walker_three,gmail.com\n`);
    const run = await runCli('signups', 'score', file, '--db', db(), '--out', join(dir, 'scores-2.csv'));
    assert.equal(run.code, 0, run.stderr);
    const result = await scores(join(dir, 'scores-2.csv'));
    assert.equal(result.get('o4')?.decision, 'challenge');
    assert.match(result.get('o4')?.reasons ?? '', /3 sign-ups from IP 192\.0\.2\.77/);
  });

  it('reads a MaxMind .mmdb table given with --ip-table', async () => {
    const mmdb = join(dir, 'networks.mmdb');
    await writeFile(mmdb, writeMmdb([{ cidr: '203.0.113.0/24', record: { autonomous_system_number: 64501, autonomous_system_organization: 'Example Telecom', country: { iso_code: 'CN' }, kind: 'business' } }]));
    const file = join(dir, 'signups-3.csv');
    await writeFile(file, `account_id,time,ip,user_agent,handle,email_domain\nn2,2019-08-20T11:00:00Z,203.0.113.99,"${FARM_UA}",Mary48213903,mail.example\n`);
    const run = await runCli('signups', 'score', file, '--ip-table', mmdb, '--state', `${db()}.signups.json`, '--out', join(dir, 'scores-3.csv'));
    assert.equal(run.code, 0, run.stderr);
    const result = await scores(join(dir, 'scores-3.csv'));
    assert.match(result.get('n2')?.reasons ?? '', /network 203\.0\.113\.0\/24 \(CN, AS64501 Example Telecom, business\)/);
  });

  it('says what is missing: no --clusters/--accounts, a sign-up file without columns', async () => {
    const learn = await runCli('signups', 'learn', '--db', db());
    assert.equal(learn.code, 2);
    assert.match(learn.stderr, /--clusters FILE or --accounts FILE/);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'account_id,ip\nx,192.0.2.1\n');
    const run = await runCli('signups', 'score', bad, '--db', db(), '--out', join(dir, 'scores-bad.csv'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /bad\.csv:1: sign-up file lacks column\(s\) time, user_agent, handle, email_domain/);
  });
});

describe('lockstep signals', () => {
  it('names the fixed addresses behind the VPN exits for the confirmed list', async () => {
    const run = await runCli('signals', '--db', db(), '--accounts', join(dir, 'accounts.csv'), '--json');
    assert.equal(run.code, 0, run.stderr);
    const [group] = JSON.parse(run.stdout) as { group: string; attribution: { signals: { name: string; detail: { addresses?: { ip: string }[] } }[] } }[];
    assert.equal(group?.group, 'cluster 7');
    const fixed = group?.attribution.signals.find((signal) => signal.name === 'fixed_addresses');
    assert.deepEqual(fixed?.detail.addresses?.map((entry) => entry.ip).sort(), ['203.0.113.5', '203.0.113.6', '203.0.113.7']);
  });
});
