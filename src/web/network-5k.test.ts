/**
 * The workspace stays responsive on a 5,000-account cluster: in headless Chromium the network is drawn, the
 * layout settles in its worker, and hovering or clicking an account gets an answer on screen. Timings are
 * reported as diagnostics, never asserted (2 shared cores, software WebGL).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ensureUiBuilt, inkPixels, launchChromium, signIn, watchErrors } from './test-support/browser.js';
import { startMockApi } from './test-support/mock-api.js';
import type { MockApi } from './test-support/mock-api.js';
import { syntheticCluster } from './test-support/synthetic-cluster.js';

const SIZE = 5000;

describe('a 5,000-account cluster in the browser', () => {
  let api: MockApi;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    const staticRoot = await ensureUiBuilt();
    api = await startMockApi({ clusters: [syntheticCluster('big', SIZE, { seed: 11 })], tokens: { 'token-ana': { name: 'ana', role: 'viewer' } }, staticRoot });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  });

  after(async () => {
    await browser?.close();
    await api?.close();
  });

  it('draws the network, settles the layout, and answers hover and click', async (t) => {
    await signIn(page, api.url, 'token-ana');
    const opened = Date.now();
    await page.click('a[href="#/clusters/big"]');
    await page.waitForSelector('[data-testid=network] canvas');
    const counts = await page.evaluate(() => ({ nodes: window.lockstepNetwork?.nodes, edges: window.lockstepNetwork?.edges }));
    assert.equal(counts.nodes, SIZE);
    assert.ok((counts.edges ?? 0) > SIZE, `expected more links than accounts, got ${counts.edges}`);
    await page.waitForFunction(() => window.lockstepNetwork?.layoutRunning === false, null, { timeout: 90_000 });
    const settled = Date.now() - opened;

    const shot = await page.locator('[data-testid=network]').screenshot();
    const { ink, total } = await inkPixels(page, shot);
    assert.ok(ink > total * 0.02, `the network looks blank: ${ink} of ${total} pixels drawn`);

    // Hover the five most active accounts that are on screen; each must become the hovered node.
    const box = await page.locator('[data-testid=network]').boundingBox();
    assert.ok(box !== null);
    const candidates = await page.evaluate(() => window.lockstepNetwork?.firstNodes(200) ?? []);
    const hoverMs: number[] = [];
    let clicked: string | null = null;
    for (const node of candidates) {
      if (hoverMs.length >= 5) break;
      const at = await page.evaluate((id) => window.lockstepNetwork?.viewportPosition(id) ?? null, node);
      if (at === null || at.x < 20 || at.y < 20 || at.x > box.width - 20 || at.y > box.height - 20) continue;
      await page.mouse.move(box.x + at.x, box.y + at.y);
      const hovered = await page.waitForFunction(() => window.lockstepNetwork?.hovered ?? null, null, { timeout: 20_000 }).then((handle) => handle.jsonValue());
      await page.waitForFunction(() => window.lockstepNetwork?.hoverLatencyMs !== null, null, { timeout: 20_000 });
      hoverMs.push(await page.evaluate(() => window.lockstepNetwork?.hoverLatencyMs ?? NaN));
      if (clicked === null) {
        await page.mouse.click(box.x + at.x, box.y + at.y);
        await page.waitForFunction((id) => window.lockstepNetwork?.selected === id, hovered, { timeout: 20_000 });
        await page.waitForFunction((id) => document.querySelector('[data-testid=account-title]')?.textContent === id, hovered, { timeout: 20_000 });
        clicked = hovered;
      }
      await page.mouse.move(box.x + 2, box.y + 2);
      await page.waitForFunction(() => window.lockstepNetwork?.hovered === null, null, { timeout: 20_000 });
    }
    assert.equal(hoverMs.length, 5, 'could not hover five accounts');
    assert.ok(clicked !== null, 'clicking an account did not select it');
    const probe = await page.evaluate(() => ({ constructedMs: window.lockstepNetwork?.constructedMs, firstFrameMs: window.lockstepNetwork?.firstFrameMs, layoutMs: window.lockstepNetwork?.layoutMs, clickMs: window.lockstepNetwork?.clickLatencyMs }));
    const sorted = [...hoverMs].sort((a, b) => a - b);
    t.diagnostic(`5,000 accounts, ${counts.edges} links: sigma set up in ${probe.constructedMs?.toFixed(0)} ms, layout settled ${probe.layoutMs?.toFixed(0)} ms after set-up began (${settled} ms after the click); hover→frame ms ${hoverMs.map((ms) => ms.toFixed(0)).join(', ')} (median ${sorted[2]?.toFixed(0)}); click→frame ${probe.clickMs?.toFixed(0)} ms`);
    assert.deepEqual(errors, []);
  });
});
