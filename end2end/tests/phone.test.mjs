// The citizen's phone as a villager uses it (390 px, often in 大字模式): the header leaves room for
// the page, touch targets are large, wide tables become cards with nothing cut off, charts keep
// their labels, a person finds their own name in a roster, and the bundle is kept by the phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkSignIn, phone, server, shot, toARoster, useServerAndBrowser, withPage } from './browser.mjs';

useServerAndBrowser();

/// A phone in large-text mode (the cookie the 大字模式 switch sets), JavaScript on or off.
function largeText(js) {
  return { ...phone, javaScriptEnabled: js };
}

async function setLargeText(context) {
  await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
}


/// Nothing on the page is wider than the screen.
async function fitsTheScreen(page, where) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${where}: ${scroll} px wide on a ${inner} px screen`);
}

/// The element's box is at least `min` px high and wide.
async function atLeast(locator, min, what) {
  const box = await locator.first().boundingBox();
  assert.ok(box, `${what} is shown`);
  assert.ok(box.height >= min - 0.5 && box.width >= Math.min(min, 44) - 0.5, `${what}: ${Math.round(box.width)}×${Math.round(box.height)} px, wants ${min}`);
}

for (const js of [true, false]) {
  test(`in 大字模式 the self-check's button is on the first screen and touch targets are 60 px (JavaScript ${js ? 'on' : 'off'})`, async () => {
    await withPage(browser, `large-check-${js ? 'js' : 'nojs'}`, largeText(js), async (page, context) => {
      await setLargeText(context);
      await page.goto(`${server.url}/check`);
      assert.equal(await page.getAttribute('html', 'class'), 'large-text');
      const button = await page.locator('form.check-form button').boundingBox();
      assert.ok(button.y + button.height <= 844, `the 获取验证码 button ends at ${Math.round(button.y + button.height)} px, below the 844 px screen`);
      await atLeast(page.locator('details.menu > summary'), 60, '菜单');
      await atLeast(page.locator('.text-size button'), 60, '标准字号');
      await shot(page, `large-check-${js ? 'js' : 'nojs'}`);
      // The menu opens below, without JavaScript too.
      await page.click('details.menu > summary');
      await atLeast(page.locator('details.menu .site-nav a'), 60, 'a menu link');
      await page.locator('details.menu .site-nav a', { hasText: '发放公示' }).click();
      await page.waitForURL('**/publicity');
      await fitsTheScreen(page, '/publicity');
      await shot(page, `large-publicity-${js ? 'js' : 'nojs'}`);

      // The payments: answers, phone links and 对此有疑问 large enough for a thumb.
      // Another person each run: a phone gets one code a minute.
      await checkSignIn(page, context, server.people[js ? 1 : 2]);
      await atLeast(page.locator('.answers button'), 60, '收到了');
      await atLeast(page.locator('.answers a.button'), 60, '没收到');
      await atLeast(page.locator('a.tel'), 60, 'a department phone');
      await atLeast(page.locator('.question a'), 60, '对此有疑问');
      const gap = await page.evaluate(() => {
        const [a, b] = [...document.querySelectorAll('.answers')][0].children;
        return b.getBoundingClientRect().left - a.getBoundingClientRect().right;
      });
      assert.ok(gap >= 16 || gap < 0, `收到了 and 没收到 stand apart: ${gap} px`);
      await fitsTheScreen(page, '/check/payments');
      await shot(page, `large-payments-${js ? 'js' : 'nojs'}`);

      // The statement: every line a card, nothing off the screen.
      await page.goto(`${server.url}/check/statement`);
      await fitsTheScreen(page, '/check/statement');
      const cell = page.locator('table.statement td[data-label="补贴项目"]').first();
      assert.equal(await cell.evaluate((td) => getComputedStyle(td).display), 'grid', 'a card, label beside value');
      await shot(page, `large-statement-${js ? 'js' : 'nojs'}`);

      await page.goto(`${server.url}/cases/stats`);
      await fitsTheScreen(page, '/cases/stats');
      await shot(page, `large-stats-${js ? 'js' : 'nojs'}`);
    });
  });
}

test('in normal size touch targets are 44 px, and the village page shows what a roster in publicity will pay', async () => {
  await withPage(browser, 'normal-targets', phone, async (page) => {
    await page.goto(`${server.url}/publicity`);
    await atLeast(page.locator('details.menu > summary'), 44, '菜单');
    await atLeast(page.locator('.text-size button'), 44, '大字模式');
    await page.locator('table.totals a').first().click();
    await page.waitForSelector('table.totals');
    await page.locator('table.totals a').first().click();
    await page.waitForSelector('.periods a');
    await atLeast(page.locator('.periods a'), 44, 'a period link');
    const periods = await page.textContent('main');
    assert.match(periods, /\d{4}年(\d+月|第\d季度|上半年|下半年)?/, 'periods in words');
    assert.doesNotMatch(periods, /\d{4}-(Q|H)\d/, 'no 2026-Q3 or 2026-H2');
    assert.doesNotMatch(periods, /笔，已发放 0\.00 元/, 'a roster not yet paid shows what it will pay');
    await shot(page, 'village-periods');
  });
});

for (const js of [true, false]) {
  test(`a person finds their own masked name in a roster, and the masked ID is never cut (JavaScript ${js ? 'on' : 'off'})`, async () => {
    await withPage(browser, `find-name-${js ? 'js' : 'nojs'}`, largeText(js), async (page, context) => {
      await setLargeText(context);
      await toARoster(page);
      const all = await page.locator('table.lines tbody tr').count();
      const headers = await page.locator('table.lines thead th').allTextContents();
      assert.deepEqual(headers, ['姓名', '身份证号', '金额（元）', '状态'], 'village, item and period are said once, above');
      for (const td of await page.locator('table.lines td.mono').all()) {
        const [scroll, client] = await td.evaluate((e) => [e.scrollWidth, e.clientWidth]);
        assert.ok(scroll <= client, `a masked ID is cut: ${scroll} > ${client}`);
      }
      const masked = (await page.locator('table.lines tbody tr td').first().textContent()).trim();
      await page.fill('#find-name', masked[0]);
      await page.click('form.find-name button');
      await page.waitForURL(/name=/);
      await page.waitForSelector('text=找到');
      const found = await page.locator('table.lines tbody tr').count();
      assert.ok(found >= 1 && found <= all, `${found} of ${all}`);
      for (const name of await page.locator('table.lines tbody tr td:first-child').allTextContents()) {
        assert.ok(name.trim().startsWith(masked[0]) || name.includes(`：${masked[0]}`), name);
      }
      await fitsTheScreen(page, 'a roster');
      await shot(page, `find-name-${js ? 'js' : 'nojs'}`);
    });
  });
}

test('charts keep their labels whole, and in 大字模式 the labels grow', async () => {
  await withPage(browser, 'charts', phone, async (page, context) => {
    await page.goto(`${server.url}/`);
    const rows = await page.$$eval('svg g', (gs) => gs.map((g) => [g.querySelector('title').textContent.split('：')[0], g.querySelector('.chart-label').textContent]));
    assert.ok(rows.length > 0);
    for (const [full, shown] of rows) {
      // Wrapped onto two lines of nine characters; only a label longer than those is cut.
      assert.ok(shown === full || (full.length > 18 && shown.endsWith('…') && full.startsWith(shown.slice(0, -1))), `“${full}” shown as “${shown}”`);
    }
    const values = await page.locator('svg .chart-value').allTextContents();
    assert.ok(values.every((v) => v.endsWith('元')), `every value says its unit: ${values}`);
    const normal = await page.locator('svg .chart-label').first().evaluate((t) => t.getBoundingClientRect().height);
    await setLargeText(context);
    await page.reload();
    const large = await page.locator('svg .chart-label').first().evaluate((t) => t.getBoundingClientRect().height);
    assert.ok(large > normal * 1.3, `labels grow: ${normal} → ${large} px`);
    // A long item name wraps onto a second line instead of running off the chart.
    const cut = await page.$$eval('svg', (svgs) =>
      svgs.flatMap((svg) => {
        const right = svg.getBoundingClientRect().right;
        return [...svg.querySelectorAll('.chart-label')].filter((t) => t.getBoundingClientRect().right > right + 1).map((t) => t.textContent);
      }),
    );
    assert.deepEqual(cut, [], 'labels running off the chart in 大字模式');
    await shot(page, 'charts-large');
  });
});

test('the page says what it is, and the phone keeps the bundle', async () => {
  await withPage(browser, 'bundle', phone, async (page) => {
    const responses = [];
    page.on('response', (r) => r.url().includes('/pkg/') && responses.push(r));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    assert.ok((await page.getAttribute('meta[name="description"]', 'content')).length > 20);
    const bundle = responses.filter((r) => /\/pkg\/app\.[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(new URL(r.url()).pathname));
    assert.ok(bundle.length >= 3, `the script, the wasm and the stylesheet under names of their content: ${responses.map((r) => r.url())}`);
    for (const r of bundle) assert.equal(r.headers()['cache-control'], 'public, max-age=31536000, immutable', r.url());
  });
});
