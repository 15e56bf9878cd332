/** Headless Chromium for the UI's tests (playwright-core with Debian's /usr/bin/chromium), and the built UI they load. */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const UI_DIST = fileURLToPath(new URL('../../../dist/web', import.meta.url));
const VITE_CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

const UI_SRC = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time of the UI's sources (tests and test support excluded). */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? newest : Math.max(newest, newestSource(path));
    return entry.name.endsWith('.test.ts') ? newest : Math.max(newest, statSync(path).mtimeMs);
  }, 0);
}

/** Builds dist/web with Vite when it is missing or older than the UI's sources (`npm run build` makes it too). */
export async function ensureUiBuilt(): Promise<string> {
  const index = join(UI_DIST, 'index.html');
  const stale = (): boolean => !existsSync(index) || statSync(index).mtimeMs < newestSource(UI_SRC);
  if (!stale()) return UI_DIST;
  // Test files run two at a time: one builds, the other waits for it (a directory is an atomic lock).
  const lock = `${UI_DIST}.build-lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) throw new Error(`${lock} has been held for two minutes: if no build is running, remove it.`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (stale()) {
      const { build } = await import('vite');
      await build({ configFile: VITE_CONFIG, logLevel: 'warn' });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return UI_DIST;
}

/** Launches Chromium headless; a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does).`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Collects page errors so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  return errors;
}

/** Signs in through the form, as a user would, and waits for the cluster list. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.fill('[data-testid=token]', token);
  await page.click('[data-testid=sign-in] button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
}

/**
 * Counts the pixels of a PNG screenshot that differ from its top-left (background) pixel by more than a little,
 * decoding it in the page (no image library needed on the Node side).
 */
export async function inkPixels(page: Page, png: Buffer): Promise<{ ink: number; total: number }> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, image.width, image.height);
    const [r0, g0, b0] = [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0];
    let ink = 0;
    for (let index = 0; index < data.length; index += 4) {
      const distance = Math.abs((data[index] ?? 0) - r0) + Math.abs((data[index + 1] ?? 0) - g0) + Math.abs((data[index + 2] ?? 0) - b0);
      if (distance > 30) ink += 1;
    }
    return { ink, total: image.width * image.height };
  }, png.toString('base64'));
}
