import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { runCli } from '../cli/test-support/run-cli.js';
import { action, actor, openCase, openTestStore } from '../share/test-support/stores.js';
import { barChart, networkSummary, reportHtml } from './report-html.js';
import type { ReportData } from './report-html.js';

const T0 = Date.UTC(2019, 7, 10);
const DAY = 86_400_000;

/** Distinct byte values of a PNG's decompressed pixel data: a blank page has a handful. */
function pngVariety(png: Buffer): number {
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return new Set(inflateSync(Buffer.concat(parts))).size;
}

function emptyData(): ReportData {
  return {
    title: 'Nothing', caseId: 'c0', producer: 'P', counts: { accounts: 0, pages: 0, groups: 0 }, reach: null, timeline: [], creation: [], hashtags: [], urls: [], domains: [],
    samples: [], techniques: [], attribution: null, network: { nodes: [], edges: [] }, firstSeen: null, lastSeen: null,
  };
}

describe('report HTML', () => {
  it('says there is no data rather than drawing an empty chart, and escapes text', () => {
    assert.match(barChart([], { label: 'posts per day' }), /No data for posts per day/);
    const html = reportHtml({ ...emptyData(), title: '<script>x</script>' });
    assert.equal(html.includes('<script>x'), false);
    assert.match(html, /&lt;script&gt;/);
    assert.match(networkSummary(emptyData()), /We removed no entities .* We do not attribute/);
  });
});

describe('lockstep report (HTML, PDF and screenshot in headless Chromium)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-report-'));
    const ids = Array.from({ length: 12 }, (_, index) => `a${index}`);
    const test = await openTestStore({
      actors: [
        ...ids.map((id, index) => actor('twitter', id, { handle: `hk_${id}`, followers: index === 0 ? 20_000 : 12, createdAt: Date.UTC(2017, 7, 1 + index) })),
        actor('facebook', 'P1', { kind: 'page', handle: 'hk.truth' }), actor('facebook', 'G1', { kind: 'group' }),
      ],
      actions: [
        ...ids.flatMap((id, index) => [0, 1, 2].map((d) => action('twitter', id, 'post', T0 + d * DAY + index * 1000, {
          text: `Stop the rioters @hk_a3 day ${d}`, hashtags: ['hongkong', 'stoptheviolence'], urls: ['https://news.example.cn/hk/riots'],
        }))),
        ...ids.slice(0, 8).map((id, index) => action('twitter', id, 'repost', T0 + index * 5000, { targetPost: 'x1', targetActor: 'someone' })),
        ...['u1', 'u2', 'u3'].map((id) => action('facebook', id, 'follow', T0, { targetActor: 'P1' })), action('facebook', 'u1', 'join', T0, { targetActor: 'G1' }),
      ],
    }, join(dir, 'store.duckdb'));
    await openCase(test.workspace, 'case-9', '4', [...ids.map((id) => ({ kind: 'account' as const, id, handle: `hk_${id}` })), { kind: 'page', id: 'P1', handle: 'hk.truth' }, { kind: 'group', id: 'G1', handle: null }]);
    await test.close();
    await writeFile(join(dir, 'attribution.json'), JSON.stringify({ actor: 'a state-backed operation', statement: 'Signals point to a state-backed operation.', confidence: 70 }));
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes a readable report and renders it to a PDF with pages and a screenshot that is not blank', async () => {
    const out = join(dir, 'out');
    const result = await runCli('report', 'case-9', '--db', join(dir, 'store.duckdb'), '--out', out, '--producer', 'Example Platform', '--attribution', join(dir, 'attribution.json'));
    assert.equal(result.code, 0, result.stderr);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /<b>12<\/b>accounts/);
    assert.match(html, /<b>1<\/b>pages/);
    assert.match(html, /<b>3<\/b>unique followers and members/);
    assert.match(html, /#hongkong/);
    assert.match(html, /news\.example\.cn/);
    assert.match(html, /T0150\.008<\/td><td>Bulk Created Asset/, 'accounts created within days of each other');
    assert.match(html, /confidence 70\/100/);
    assert.match(html, /We removed 12 accounts, 1 page, 1 group for coordinated inauthentic behaviour, active from 2019-08-10 to 2019-08-12/);
    assert.equal(html.includes('hk_a3'), false, 'sample posts hide mentions of small accounts');
    assert.match(html, /@hk_a0|an account of the network/);
    const pdf = await readFile(join(out, 'report.pdf'));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![s])/g)?.length ?? 0;
    assert.ok(pages >= 2, `the report spans pages (found ${pages})`);
    const variety = pngVariety(await readFile(join(out, 'report.png')));
    assert.ok(variety > 20, `the screenshot has drawn content (${variety} distinct byte values)`);
  });

  it('writes only the HTML with --no-pdf', async () => {
    const out = join(dir, 'html-only');
    const result = await runCli('report', 'case-9', '--db', join(dir, 'store.duckdb'), '--out', out, '--no-pdf');
    assert.equal(result.code, 0, result.stderr);
    await assert.rejects(readFile(join(out, 'report.pdf')));
  });
});
