/**
 * The workspace end to end, as an investigator uses it: the bundled synthetic example is ingested and
 * detected into a fresh store, the real server (createApp on openWorkspace) serves it with the Mastodon
 * adapter pointed at a local Mastodon-shaped admin API, and headless Chromium signs in, opens the top
 * cluster, sees its network drawn, opens a case, decides to suspend, runs the action, and finds it in the
 * audit trail. The fake Mastodon must have received one suspend per account.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../server/app.js';
import { listen } from '../server/server.js';
import type { RunningServer } from '../server/server.js';
import { openWorkspace } from '../server/workspace.js';
import type { Workspace } from '../server/workspace.js';
import { EXAMPLES_DIR, SYNTHETIC_FILES } from '../cli/commands/demo.js';
import { runCli } from '../cli/test-support/run-cli.js';
import { FAKE_MASTODON_TOKEN, startFakeMastodon } from '../cases/enforce/test-support/fake-mastodon.js';
import type { FakeMastodon } from '../cases/enforce/test-support/fake-mastodon.js';
import { ensureUiBuilt, inkPixels, launchChromium, signIn, watchErrors } from './test-support/browser.js';

describe('the workspace end to end on the bundled example', () => {
  let dir: string;
  let mastodon: FakeMastodon;
  let workspace: Workspace;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let token: string;

  before(async () => {
    const uiDir = await ensureUiBuilt();
    dir = await mkdtemp(join(tmpdir(), 'lockstep-e2e-'));
    const db = join(dir, 'store.duckdb');
    const ingest = await runCli('ingest', '--db', db, '--rejects', join(dir, 'rejects.csv'), ...SYNTHETIC_FILES.map((file) => join(EXAMPLES_DIR, file)));
    assert.equal(ingest.code, 0, ingest.stderr);
    const detect = await runCli('detect', '--db', db, '--out', join(dir, 'out'), '--json');
    assert.equal(detect.code, 0, detect.stderr);
    const user = await runCli('users', 'add', 'ana', '--role', 'investigator', '--db', db);
    assert.equal(user.code, 0, user.stderr);
    token = user.stdout.trim();
    mastodon = await startFakeMastodon();
    workspace = await openWorkspace({ dbPath: db, pgUrl: null, enforcement: { mastodon: { url: mastodon.url, token: FAKE_MASTODON_TOKEN }, ozone: null, webhook: null } });
    server = await listen(createApp(workspace.deps, { uiDir, logError: () => undefined }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await workspace?.close();
    await mastodon?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('signs in, draws the top cluster, suspends its accounts through Mastodon and shows it in the audit trail', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('[data-testid=token]', 'not-a-token');
    await page.click('[data-testid=sign-in] button[type=submit]');
    await page.waitForSelector('[data-testid=sign-in] [role=alert]');
    assert.match(await page.textContent('[data-testid=sign-in] [role=alert]') ?? '', /not known/);
    errors.splice(0); // the browser logs that 401 itself; from here on nothing may fail

    await signIn(page, server.url, token);
    assert.equal(await page.textContent('[data-testid=who]'), 'ana (investigator)');
    await page.waitForSelector('[data-testid=cluster-row]');
    const top = await page.getAttribute('[data-testid=cluster-row] >> nth=0', 'data-cluster');
    assert.ok(top !== null);
    // The server lists flagged clusters first, by score; the top row is the strongest flagged one.
    const rows = await page.$$eval('[data-testid=cluster-row]', (found) => found.map((row) => ({
      score: Number(row.querySelector('td:nth-child(2)')?.textContent), flagged: !(row.querySelector('td:last-child')?.textContent ?? '').startsWith('not flagged'),
    })));
    assert.ok(rows[0]?.flagged, 'the top cluster is flagged');
    assert.equal(rows[0]?.score, Math.max(...rows.filter((row) => row.flagged).map((row) => row.score)));

    await page.click(`[data-testid=cluster-row][data-cluster="${top}"] a`);
    await page.waitForSelector('[data-testid=network] canvas');
    await page.waitForFunction(() => window.lockstepNetwork?.layoutRunning === false);
    const members = await page.evaluate(() => window.lockstepNetwork?.nodes ?? 0);
    assert.ok(members >= 3, `the top cluster has ${members} accounts`);
    const shot = await page.locator('[data-testid=network]').screenshot();
    const { ink, total } = await inkPixels(page, shot);
    assert.ok(ink > total * 0.005, `the network looks blank: ${ink} of ${total} pixels drawn`);
    await page.waitForSelector('[data-testid=timeline] rect');

    // Click an account in the network: its details, then the posts behind its strongest link.
    const box = await page.locator('[data-testid=network]').boundingBox();
    const first = await page.evaluate(() => window.lockstepNetwork?.firstNodes(1)[0] ?? '');
    const at = await page.evaluate((id) => window.lockstepNetwork?.viewportPosition(id) ?? null, first);
    assert.ok(box !== null && at !== null);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    const selected = await page.waitForFunction(() => window.lockstepNetwork?.selected ?? null).then((handle) => handle.jsonValue());
    await page.waitForFunction((id) => document.querySelector('[data-testid=account-title]')?.textContent === id, selected);
    await page.click('[data-testid=edge-link] >> nth=0');
    await page.waitForSelector('[data-testid=edge-posts] li');
    assert.ok(await page.locator('[data-testid=edge-posts] li').count() >= 1, 'the strongest link has posts behind it');

    await page.click('[data-testid=open-case]');
    await page.waitForSelector('[data-testid=case-title]');
    assert.equal(await page.textContent('[data-testid=case-status]'), 'open');
    const entities = await page.locator('[data-testid=entity-row]').count();
    assert.equal(entities, members, 'the case holds every account of the cluster');

    await page.selectOption('[data-testid=decision]', 'suspend');
    await page.fill('[data-testid=decision-reason]', 'co-reposts within seconds, shared templates');
    await page.click('[data-testid=decide-dry-run]');
    await page.waitForSelector('[data-testid=dry-run-result]');
    assert.match(await page.textContent('[data-testid=dry-run-result]') ?? '', new RegExp(`Dry run: ${entities} entities would change`));
    await page.click('[data-testid=decide]');
    await page.waitForSelector('[data-testid=decision-result]');
    assert.equal(await page.locator('[data-testid=entity-decision]', { hasText: 'suspend' }).count(), entities);

    for (const status of ['in_review', 'decided']) {
      await page.click('[data-testid=transition]');
      await page.waitForFunction((wanted) => document.querySelector('[data-testid=case-status]')?.textContent === wanted, status);
    }
    await page.selectOption('[data-testid=adapter]', 'mastodon');
    await page.click('[data-testid=act]');
    await page.waitForSelector('[data-testid=action-result]');
    assert.match(await page.textContent('[data-testid=action-result]') ?? '', new RegExp(`Acted on ${entities} entities — ${entities} done, 0 failed`));
    await page.waitForFunction(() => document.querySelector('[data-testid=case-status]')?.textContent === 'actioned');

    const trail = await page.$$eval('[data-testid=audit-entry]', (rows) => rows.map((row) => row.getAttribute('data-action')));
    assert.ok(trail.includes('case.open'), `audit trail: ${trail.join(', ')}`);
    assert.ok(trail.includes('action.run'), `audit trail: ${trail.join(', ')}`);
    assert.equal(trail.filter((action) => action === 'action.outcome').length, entities);

    const suspended = [...mastodon.actions.values()].filter((types) => types.includes('suspend')).length;
    assert.equal(suspended, entities, 'the fake Mastodon received one suspend per account');

    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=sign-in]');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the token');
    assert.deepEqual(errors, []);
  });
});
