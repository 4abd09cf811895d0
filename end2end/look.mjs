// Ad-hoc screenshots (not a test): city finance's catalogue picker and inbox, phone, large text, JS on/off.
import { chromium } from 'playwright-core';
const url = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
for (const js of [true, false]) for (const large of [false, true]) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: js });
  if (large) await ctx.addCookies([{ name: 'text_size', value: 'large', url }]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}/staff/login`);
  await page.fill('#username', 'city_finance');
  await page.fill('#password', 'qinglan-demo');
  await page.click('form.check-form button');
  await page.waitForURL(/\/staff$/);
  const tag = `${js ? 'js' : 'nojs'}-${large ? 'large' : 'normal'}`;
  await page.screenshot({ path: `/tmp/shots/inbox-${tag}.png`, fullPage: false });
  // The inbox's county filter
  const sel = page.locator('select[name="township"]');
  console.log(tag, 'inbox township/county options:', (await sel.locator('option').allTextContents()).slice(0, 8).join('|'));
  await sel.selectOption({ label: '峨溪县（演示）' }).catch((e) => console.log('select', e.message.split('\n')[0]));
  await page.locator('form.filters button, form.inbox-filters button').first().click().catch((e) => console.log('filter btn', e.message.split('\n')[0]));
  await page.waitForLoadState('networkidle');
  console.log(tag, 'after filter url', page.url(), 'rows', await page.locator('table tbody tr, .case-row, li.case').count());
  await page.screenshot({ path: `/tmp/shots/inbox-filtered-${tag}.png`, fullPage: false });
  // To the catalogue by a link, as a person would
  await page.goto(`${url}/staff`);
  await page.locator('a[href^="/staff/catalogue"]').first().click();
  await page.waitForURL(/\/staff\/catalogue/);
  await page.waitForLoadState('networkidle');
  const csel = page.locator('select[name="county"]');
  console.log(tag, 'catalogue counties:', (await csel.locator('option').allTextContents()).join('|'));
  await csel.selectOption({ label: '卫河区（演示）' });
  await page.locator('form:has(select[name="county"]) button').first().click();
  await page.waitForURL(/county=/);
  await page.waitForLoadState('networkidle');
  const h = await page.locator('main').innerText();
  console.log(tag, 'catalogue url', page.url(), 'has 卫河', h.includes('卫河'), 'overflow', await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth));
  await page.screenshot({ path: `/tmp/shots/catalogue-${tag}.png`, fullPage: false });
  console.log(tag, 'errors', errors.length ? errors.slice(0, 3) : 'none');
  await ctx.close();
}
await browser.close();
