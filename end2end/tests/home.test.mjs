// The home page in a real browser: its figures are there with JavaScript off, and with
// JavaScript on the wasm bundle hydrates it without errors, on a phone and on a desktop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, desktop, phone, server, shot, useServerAndBrowser } from './browser.mjs';

useServerAndBrowser();

test('home shows the county and figures with JavaScript off (phone)', async () => {
  const context = await browser.newContext({ ...phone, javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.status(), 200);
  assert.match(await page.textContent('.county-name'), /青岚县/);
  assert.match(await page.textContent('[data-figure="amount-paid"]'), /\d/);
  assert.match(await page.textContent('[data-figure="people-paid"]'), /^[1-9]\d*$/);
  assert.equal(await page.getAttribute('body', 'data-hydrated'), null, 'nothing ran without JavaScript');
  await shot(page, 'home-phone-no-js');
  await context.close();
});

for (const [name, device] of [['phone', phone], ['desktop', desktop]]) {
  test(`home hydrates with JavaScript on (${name})`, async () => {
    const context = await browser.newContext(device);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-figure="amount-paid"]'), /\d/);
    assert.deepEqual(errors, []);
    await shot(page, `home-${name}`);
    await context.close();
  });
}
