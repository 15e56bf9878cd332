import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LockstepError } from '../../model/index.js';
import { readSignupRow, scoreSignupFile, splitCsvLine } from './batch.js';
import fc from 'fast-check';
import { createSignupScorer } from './scorer.js';
import { COMMON_UA, NETWORK_UA, testKnown, testTable } from './test-support/network.js';

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

/** The obvious implementation (session 4's batch): the whole file as text, line by line through splitCsvLine and score. */
function referenceScores(input: string): { scores: string; rejects: string | null } {
  const field = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const scorer = createSignupScorer(testKnown(), testTable());
  const lines = readFileSync(input, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let columns: number[] | null = null;
  let scores = 'account_id,decision,score,reasons\n';
  let rejects: string | null = null;
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    const cells = splitCsvLine(line);
    if (columns === null) {
      const header = cells.map((cell) => cell.trim().replace(/^\uFEFF/, '').toLowerCase());
      columns = ['account_id', 'time', 'ip', 'user_agent', 'handle', 'email_domain'].map((name) => header.indexOf(name));
      return;
    }
    const row = readSignupRow(cells, columns);
    if (!row.ok) {
      rejects = `${rejects ?? 'file,line,reason,raw\n'}${field(input)},${index + 1},${field(row.reason)},${field(line)}\n`;
      return;
    }
    const scored = scorer.score(row.value);
    scores += `${field(scored.account_id)},${scored.decision},${scored.score},${scored.reasons.length === 0 ? '' : field(scored.reasons.join(' | '))}\n`;
  });
  return { scores, rejects };
}

describe('scoreSignupFile against the text-only implementation', () => {
  it('writes the same scores and rejects byte for byte, whatever mix of plain and odd rows (property)', async () => {
    const quote = (value: string): string => (/[",\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
    const cell = (plain: fc.Arbitrary<string>, odd: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: odd });
    const oddText = fc.constantFrom(' padded ', 'é', '"quoted"', 'a,b', '', '\t', 'x\ry', 'Ünïcode');
    const row = fc.tuple(
      cell(fc.integer({ min: 1, max: 40 }).map((n) => `n${n}`), oddText),
      cell(fc.integer({ min: 0, max: 7200 }).map((s) => new Date(Date.UTC(2019, 7, 20, 10) + s * 1000).toISOString().replace('.000', '')),
        fc.constantFrom('1566295200', '1566295200123', '2019-08-20 10:01', 'yesterday', '2019-08-20T10:00:00+08:00', ' 2019-08-20T10:00:00Z', '2019-08-20T10:00:00.5Z')),
      cell(fc.constantFrom('198.51.100.10', '198.51.100.11', '203.0.113.5', '203.0.113.6', '192.0.2.9', '192.0.2.10', '100.64.1.1', '8.8.8.8'),
        fc.constantFrom('2001:db8::1', '1.2.3', '01.2.3.4', ' 192.0.2.9', '')),
      cell(fc.constantFrom(NETWORK_UA, COMMON_UA, 'Mozilla/5.0 (X11, Linux)', 'UA'), oddText),
      cell(fc.constantFrom('Ruth10000000', 'Ruth48213902', 'Mary77777777', 'happy_cat', 'xK9fQ2mLp0aZr7T', 'a.b.c.d.e.f.g.h', 'z'.repeat(31)), oddText),
      cell(fc.constantFrom('mailbox.example', 'MailBox.Example', 'gmail.com', ''), oddText),
    );
    const layout = fc.constantFrom(
      { header: 'account_id,time,ip,user_agent,handle,email_domain', order: [0, 1, 2, 3, 4, 5] },
      { header: 'handle,account_id,time,ip,user_agent,email_domain,extra', order: [4, 0, 1, 2, 3, 5, -1] },
    );
    let run = 0;
    await fc.assert(fc.asyncProperty(layout, fc.array(row, { minLength: 1, maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), async ({ header, order }, rows, eol, finalEol) => {
      const input = join(dir, `mix-${run}.csv`);
      const out = join(dir, `mix-${run++}.out.csv`);
      const text = [header, ...rows.map((values) => order.map((i) => (i < 0 ? 'x' : quote((values as readonly string[])[i] as string))).join(','))].join(eol) + (finalEol ? eol : '');
      writeFileSync(input, text);
      await scoreSignupFile(input, out, createSignupScorer(testKnown(), testTable()));
      const expected = referenceScores(input);
      assert.equal(readFileSync(out, 'utf8'), expected.scores);
      assert.equal(existsSync(`${out}.rejects.csv`) ? readFileSync(`${out}.rejects.csv`, 'utf8') : null, expected.rejects);
    }), { numRuns: 80 });
  });

  it('reads rows across read chunks (a file of several MiB) as the text-only implementation does', async () => {
    const input = join(dir, 'big.csv');
    const out = join(dir, 'big.out.csv');
    const lines = ['account_id,time,ip,user_agent,handle,email_domain'];
    for (let i = 0; i < 25_000; i++) {
      const time = new Date(Date.UTC(2019, 7, 20) + i * 997).toISOString();
      const ip = i % 7 === 0 ? `198.51.100.${10 + (i % 2)}` : i % 5 === 0 ? `203.0.113.${5 + (i % 3)}` : `192.0.2.${i % 250}`;
      lines.push(`n${i},${time},${ip},"${i % 3 === 0 ? NETWORK_UA : 'Mozilla/5.0 (X11, Linux)'}",${i % 2 === 0 ? `Ruth${10_000_000 + i}` : `person_${i}`},${i % 4 === 0 ? 'Mailbox.example' : 'gmail.com'}`);
    }
    writeFileSync(input, `${lines.join('\n')}\n`);
    const result = await scoreSignupFile(input, out, createSignupScorer(testKnown(), testTable()));
    assert.equal(result.scored, 25_000);
    assert.ok(result.decisions.block > 0 && result.decisions.allow > 0);
    assert.equal(readFileSync(out, 'utf8'), referenceScores(input).scores);
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
