// Accessibility: axe-core (from npm, injected into the page) on the pages villagers use most,
// on a phone: no serious or critical violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { browser, phone, server, useServerAndBrowser, withPage } from './browser.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
useServerAndBrowser();

for (const path of ['/', '/policies', '/check', '/cases/new', '/cases/stats', '/publicity']) {
  test(`no serious or critical accessibility violations on ${path}`, async () => {
    // axe is injected as an inline script, which the page's Content-Security-Policy rightly refuses.
    await withPage(browser, `a11y${path.replaceAll('/', '-')}`, { ...phone, bypassCSP: true }, async (page) => {
      await page.goto(`${server.url}${path}`);
      await page.waitForSelector('body[data-hydrated="true"]');
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(bad, [], `${path}:\n${bad.join('\n')}`);
    });
  });
}
