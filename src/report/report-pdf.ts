/**
 * The report rendered by headless Chromium (playwright-core driving the system browser): a PDF
 * with pages and a PNG screenshot. playwright-core is loaded only here, when a PDF is asked for.
 */
import type { BrowserType } from 'playwright-core';
import { LockstepError } from '../model/index.js';

export interface RenderOptions {
  /** The Chromium binary. */
  executablePath?: string;
  /** Where to write the PDF / the PNG of the first screen (omit to skip). */
  pdf?: string;
  screenshot?: string;
}

export const RENDER_DEFAULTS = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
} as const;

/**
 * Renders the HTML page to a PDF (A4, backgrounds printed) and/or a screenshot.
 * @example await renderReport(reportHtml(data), { pdf: 'report.pdf', screenshot: 'report.png' });
 */
export async function renderReport(html: string, options: RenderOptions): Promise<{ pdfBytes: number; screenshotBytes: number }> {
  let chromium: BrowserType;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    throw new LockstepError('cli/bad-option', `--pdf: playwright-core is not installed (npm install playwright-core); the HTML report was written`, { cause: error });
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath: options.executablePath ?? RENDER_DEFAULTS.executablePath, args: [...RENDER_DEFAULTS.args] });
  } catch (error) {
    throw new LockstepError('cli/bad-option', `--pdf: cannot start Chromium at ${options.executablePath ?? RENDER_DEFAULTS.executablePath}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
  }
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    // The page is self-contained: nothing to fetch, so a blocked network cannot leave it half drawn.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = options.pdf === undefined ? null : await page.pdf({ path: options.pdf, format: 'A4', printBackground: true, margin: { top: '16mm', bottom: '16mm', left: '12mm', right: '12mm' } });
    const shot = options.screenshot === undefined ? null : await page.screenshot({ path: options.screenshot, fullPage: false });
    return { pdfBytes: pdf?.length ?? 0, screenshotBytes: shot?.length ?? 0 };
  } finally {
    await browser.close();
  }
}
