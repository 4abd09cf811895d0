// Debian's Chromium, driven by playwright-core; nothing downloads a browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const resultsDir = resolve(import.meta.dirname, '..', 'results');
mkdirSync(resultsDir, { recursive: true });

export const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const desktop = { viewport: { width: 1280, height: 900 } };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export function shot(page, name) {
  return page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

// Runs `steps` on a fresh page; a failure keeps a screenshot and a Playwright trace (open it
// with `npx playwright show-trace`) under results/, named after the journey.
export async function withPage(browser, name, options, steps) {
  const context = await browser.newContext(options);
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  try {
    await steps(page, context);
    await context.tracing.stop();
  } catch (e) {
    await page.screenshot({ path: join(resultsDir, `failed-${name}.png`), fullPage: true }).catch(() => {});
    await context.tracing.stop({ path: join(resultsDir, `trace-${name}.zip`) }).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
}
