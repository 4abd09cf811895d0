// The publicity log as a visitor reaches it: from a village's roster (clicked to from the
// publicity pages) its 公示记录 with each entry's hash, then the log's page with the key and the
// signed heads, and the verifier's download; on a 390 px phone in 大字模式, JavaScript on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, phone, server, shot, useServerAndBrowser, viaMenu, withPage } from './browser.mjs';

useServerAndBrowser();

const FULL_ID = /[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]/;

async function fitsTheScreen(page, where) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${where}: ${scroll} px wide on a ${inner} px screen`);
}

for (const js of [true, false]) {
  test(`a roster's 公示记录 leads to the log's signed heads (phone, 大字模式, JavaScript ${js ? 'on' : 'off'})`, async () => {
    const name = `publicity-log-${js ? 'js' : 'nojs'}`;
    await withPage(browser, name, { ...phone, javaScriptEnabled: js }, async (page, context) => {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await page.goto(`${server.url}/`);
      if (js) await page.waitForSelector('body[data-hydrated="true"]');
      await viaMenu(page, '发放公示');
      await page.waitForURL('**/publicity');
      await page.locator('table.totals a').first().click();
      await page.waitForSelector('table.totals');
      await page.locator('table.totals a').first().click();
      await page.waitForSelector('.periods a');
      await page.locator('.periods a').first().click();
      await page.waitForSelector('section.versions');

      // The roster's version history: at least its publication, with a hash and a proof link.
      const entries = page.locator('ol.versions li');
      assert.ok((await entries.count()) >= 1, 'the roster has its log entries');
      const first = await entries.first().textContent();
      assert.match(first, /公示|发放后公示/);
      assert.match(first, /日志第 \d+ 条/);
      assert.match(await entries.first().locator('code.hash').textContent(), /^[0-9a-f]{64}$/);
      assert.doesNotMatch(await page.content(), FULL_ID);
      await fitsTheScreen(page, 'roster with its 公示记录');
      await page.locator('section.versions').screenshot({ path: `${import.meta.dirname}/../results/${name}-roster.png` });

      // On to the log's own page.
      await page.locator('section.versions a', { hasText: '公示日志' }).click();
      await page.waitForURL('**/publicity/log');
      assert.equal(await page.getAttribute('html', 'class'), 'large-text', '大字模式 stays on');
      assert.match(await page.textContent('h1'), /公示日志/);
      assert.match(await page.locator('dl.facts code.hash').textContent(), /^[0-9a-f]{64}$/);
      const heads = page.locator('table.heads tbody tr');
      assert.ok((await heads.count()) >= 1, 'signed heads are listed');
      assert.match(await heads.first().locator('td[data-label="签名"] code').textContent(), /^[0-9a-f]{128}$/);
      await fitsTheScreen(page, '/publicity/log');
      await shot(page, name);
      assert.deepEqual(errors, []);

      // The verifier downloads as a file anyone can read.
      const answer = await page.request.get(`${server.url}/publicity/log/verify.py`);
      assert.equal(answer.status(), 200);
      assert.match(await answer.text(), /^#!\/usr\/bin\/env python3/);
    });
  });
}

for (const js of [true, false]) {
  test(`a payout SMS's 凭证码 typed on the publicity page opens its line and its log entry (phone, 大字模式, JavaScript ${js ? 'on' : 'off'})`, async () => {
    const name = `receipt-${js ? 'js' : 'nojs'}`;
    assert.ok(server.receipt, 'server demo printed a receipt code');
    await withPage(browser, name, { ...phone, javaScriptEnabled: js }, async (page, context) => {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await page.goto(`${server.url}/publicity`);
      if (js) await page.waitForSelector('body[data-hydrated="true"]');
      // Typed as a villager might: lower case, without the hyphen, a space in the middle.
      const typed = server.receipt.toLowerCase().replace('-', ' ');
      await page.fill('#receipt-code', typed);
      await page.locator('form[action="/r"] button').click();
      await page.waitForSelector('section.receipt');
      assert.match(await page.textContent('section.receipt h2'), new RegExp(server.receipt));
      const facts = await page.textContent('section.receipt dl');
      assert.match(facts, /已到账/);
      assert.match(facts, /\d 元/);
      assert.match(await page.textContent('section.receipt'), /公示日志第 \d+ 条/);
      assert.doesNotMatch(await page.content(), FULL_ID);
      await fitsTheScreen(page, 'a receipt');
      await shot(page, name);
      // The whole roster it belongs to, one tap away.
      await page.locator('section.receipt a', { hasText: '整份公示名单' }).click();
      await page.waitForSelector('table.lines');
      // A mistyped code is answered in words, the form kept.
      await page.goto(`${server.url}/r?code=ABCDE-FGHJ`);
      assert.match(await page.textContent('.error-box'), /没有找到凭证码/);
      assert.equal(await page.inputValue('#receipt-code'), 'ABCDE-FGHJ');
      assert.deepEqual(errors, []);
    });
  });
}
