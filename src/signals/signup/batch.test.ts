import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LockstepError } from '../../model/index.js';
import { scoreSignupFile } from './batch.js';
import { createSignupScorer } from './scorer.js';
import { NETWORK_UA, testKnown, testTable } from './test-support/network.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-batch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('scoreSignupFile', () => {
  it('scores every good row in order and puts each bad row in the rejects file with its line', async () => {
    const input = join(dir, 'signups.csv');
    writeFileSync(input, [
      'handle,account_id,time,ip,user_agent,email_domain,extra',
      `Mary48213902,n1,2019-08-20T10:00:00Z,203.0.113.5,"${NETWORK_UA}",mailbox.example,x`,
      'happy_cat,n2,1566295200,192.0.2.9,"Mozilla/5.0 (iPhone, like Mac)",gmail.com,y',
      'someone,n3,2019-08-20 10:01,2001:db8::1,UA,gmail.com,',
      'someone,n4,yesterday,192.0.2.1,UA,gmail.com,',
      ',n5,2019-08-20,192.0.2.1,UA,gmail.com,',
      'other,n6,1566295200000,192.0.2.10,UA,,',
    ].join('\r\n'));
    const out = join(dir, 'scores.csv');
    const result = await scoreSignupFile(input, out, createSignupScorer(testKnown(), testTable()));
    assert.deepEqual({ read: result.read, scored: result.scored, rejected: result.rejected }, { read: 6, scored: 3, rejected: 3 });
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((row) => [row['account_id'], row['decision']]), [['n1', 'block'], ['n2', 'allow'], ['n6', 'allow']]);
    assert.match(rows[0]?.['reasons'] ?? '', /fixed address .* \| /);
    const rejects = parse(readFileSync(`${out}.rejects.csv`, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rejects.map((row) => row['line']), ['4', '5', '6']);
    assert.match(rejects[0]?.['reason'] ?? '', /IPv6/);
    assert.match(rejects[1]?.['reason'] ?? '', /time "yesterday"/);
    assert.match(rejects[2]?.['reason'] ?? '', /handle is empty/);
  });

  it('names a missing column and an empty file', async () => {
    const input = join(dir, 'short.csv');
    writeFileSync(input, 'account_id,time,ip\nn1,1566295200,192.0.2.1\n');
    await assert.rejects(scoreSignupFile(input, join(dir, 'o.csv'), createSignupScorer(testKnown(), testTable())), (error: unknown) =>
      error instanceof LockstepError && error.message.includes('short.csv:1') && error.message.includes('user_agent, handle, email_domain'));
    writeFileSync(input, '');
    await assert.rejects(scoreSignupFile(input, join(dir, 'o.csv'), createSignupScorer(testKnown(), testTable())), /empty sign-up file/);
    assert.equal(existsSync(join(dir, 'o.csv.rejects.csv')), false);
  });
});

describe('splitCsvLine', () => {
  it('splits like csv-parse on quoted and unquoted lines (property)', async () => {
    const { parse: parseCsv } = await import('csv-parse/sync');
    const fc = (await import('fast-check')).default;
    const { splitCsvLine } = await import('./batch.js');
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', ' ', 'é', '1') });
    fc.assert(fc.property(fc.array(cell, { minLength: 1, maxLength: 6 }), (cells) => {
      const line = cells.map((value) => (/[",]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value)).join(',');
      assert.deepEqual(splitCsvLine(line), (parseCsv(line) as string[][])[0] ?? ['']);
      assert.deepEqual(splitCsvLine(line), cells);
    }), { numRuns: 500 });
  });
});

describe('parseSignupTime', () => {
  it('reads ISO 8601 (with or without milliseconds or zone), unix seconds and milliseconds like Date.parse', async () => {
    const { parseSignupTime } = await import('./batch.js');
    assert.equal(parseSignupTime('2019-08-20T10:00:00Z'), Date.UTC(2019, 7, 20, 10));
    assert.equal(parseSignupTime('2019-08-20T10:00:00.250Z'), Date.UTC(2019, 7, 20, 10, 0, 0, 250));
    assert.equal(parseSignupTime('2019-08-20T10:00:00+08:00'), Date.UTC(2019, 7, 20, 2));
    assert.equal(parseSignupTime('2019-08-20 10:01'), Date.UTC(2019, 7, 20, 10, 1));
    assert.equal(parseSignupTime('1566295200'), 1566295200000);
    assert.equal(parseSignupTime('1566295200123'), 1566295200123);
    for (const bad of ['yesterday', '2019-13-20T10:00:00Z', '2019-08-20T25:00:00Z', '']) assert.ok(Number.isNaN(parseSignupTime(bad)), bad);
    const fc = (await import('fast-check')).default;
    fc.assert(fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true }), (date) => parseSignupTime(date.toISOString()) === date.getTime()));
  });
});
