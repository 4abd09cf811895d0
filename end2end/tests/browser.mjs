// Debian's Chromium, driven by playwright-core; nothing downloads a browser.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
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

// Follows a link of the site's menu as a visitor does: on a phone the menu is folded behind
// 菜单 first.
export async function viaMenu(page, label) {
  const fold = page.locator('details.menu > summary');
  if (await fold.isVisible()) {
    if ((await page.locator('details.menu[open]').count()) === 0) await fold.click();
    await page.locator('details.menu .site-nav a', { hasText: label }).click();
  } else {
    await page.locator('.wide-menu .site-nav a', { hasText: label }).click();
  }
}

// The server and the browser of a test file (each file runs in a process of its own): started
// before its first test, stopped after its last. Imported as live bindings.
export let server;
export let browser;

export function useServerAndBrowser(options = {}) {
  before(async () => {
    server = await startServer(options);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

// Signs in at /staff/login as the demo login `username` (the demo's one password) and waits
// for the inbox.
export async function loginAsStaff(page, username) {
  await page.goto(`${server.url}/staff/login`);
  await page.fill('#username', username);
  await page.fill('#password', server.staffPassword);
  await page.click('form.check-form button');
  await page.waitForURL(/\/staff$/);
}

// The code last sent to `number`, read from the demo's SMS outbox on a page of its own.
export async function codeFor(context, number) {
  const outbox = await context.newPage();
  await outbox.goto(`${server.url}/dev/sms`);
  const line = await outbox.locator('main li', { hasText: `*******${number.slice(-4)}` }).filter({ hasText: '验证码' }).first().textContent();
  await outbox.close();
  const m = /验证码(\d{6})/.exec(line ?? '');
  assert.ok(m, `a code for ${number} in the dev outbox`);
  return m[1];
}

// Signs `person` ({ id, phone }) in to the self-check with the code from the dev outbox, down
// to their payments.
export async function checkSignIn(page, context, person) {
  await page.goto(`${server.url}/check`);
  await fillCheck(page, context, person);
}

// The same from the self-check's page, however it was reached.
export async function fillCheck(page, context, person) {
  await page.fill('#id_number', person.id);
  await page.fill('#phone', person.phone);
  await page.click('form.check-form button');
  await page.waitForURL('**/check/code');
  await page.fill('#code', await codeFor(context, person.phone));
  await page.click('form.check-form button');
  await page.waitForURL('**/check/payments');
}

// From /publicity down to the first village's first roster, as a visitor clicks.
export async function toARoster(page) {
  await page.goto(`${server.url}/publicity`);
  await page.locator('table.totals a').first().click();
  await page.waitForSelector('table.totals');
  await page.locator('table.totals a').first().click();
  await page.waitForSelector('.periods a');
  await page.locator('.periods a').first().click();
  await page.waitForSelector('table.lines');
}
