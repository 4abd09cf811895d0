// The village notice (公示栏) as a village clerk prints it: reached from a roster's page on a
// phone, then printed from the browser to A4 with JavaScript on and off: the same pages, the site's
// header left off, the lines, where to object and the QR code on paper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, phone, server, shot, toARoster, useServerAndBrowser, withPage } from './browser.mjs';

useServerAndBrowser();

const FULL_ID = /[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]/;

function pdfPages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
}

const printed = {};
for (const js of [true, false]) {
  test(`a roster's notice prints on A4 with its QR code (JavaScript ${js ? 'on' : 'off'})`, async () => {
    const name = `noticeboard-${js ? 'js' : 'nojs'}`;
    await withPage(browser, name, { ...phone, javaScriptEnabled: js }, async (page, context) => {
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await toARoster(page);
      const lines = await page.locator('table.lines tbody tr').count();
      await page.locator('a', { hasText: '打印公示单' }).click();
      await page.waitForSelector('article.notice-sheet');
      assert.equal(await page.locator('table.sheet-lines tbody tr').count(), lines, 'every line of the village');
      assert.match(await page.textContent('article.notice-sheet'), /有异议怎么办/);
      assert.ok(await page.locator('.sheet-qr svg').isVisible(), 'the QR code is drawn');
      assert.doesNotMatch(await page.content(), FULL_ID);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `the notice is ${scroll} px wide on a ${inner} px phone`);
      await shot(page, name);
      // On paper: the notice alone, no site header or help.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.site-header').isVisible(), false, 'no site header on paper');
      assert.equal(await page.locator('.sheet-help').isVisible(), false, 'no screen help on paper');
      assert.ok(await page.locator('.sheet-qr svg').isVisible());
      const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
      printed[js] = pdfPages(pdf);
      assert.ok(printed[js] >= 1, 'at least one A4 page');
    });
  });
}

test('the notice prints the same pages with JavaScript on and off', () => {
  assert.ok(printed[true] >= 1 && printed[false] >= 1, `pages: ${JSON.stringify(printed)}`);
  assert.equal(printed[true], printed[false]);
});
