// Every public page in a real browser, with JavaScript off (content is there) and on (it
// hydrates without errors): policy list and filters, an item, notices with tables, publicity
// from township to roster, search, and the large-text switch staying on across pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, phone, desktop, shot, withPage } from './browser.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const FULL_ID = /[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]/;

async function visit(page, path) {
  const response = await page.goto(`${server.url}${path}`);
  assert.equal(response.status(), 200, path);
  assert.doesNotMatch(await page.content(), FULL_ID, `${path}: a full ID number`);
}

async function journey(page) {
  await visit(page, '/');
  await page.click('text=政策清单');
  await page.waitForURL('**/policies');
  await page.selectOption('select[name=department]', 'civil_affairs');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/department=civil_affairs/);
  assert.match(await page.textContent('.policy-list'), /最低生活保障金/);
  await page.click('a[href^="/policies/14-01"]');
  await page.waitForURL(/\/policies\/14-01/);
  assert.match(await page.textContent('h1'), /最低生活保障金/);
  await visit(page, '/notices');
  await page.click('text=万源市惠民惠农财政补贴“一卡通”资金项目表及工作分工时间表');
  await page.waitForSelector('table th');
  assert.ok((await page.locator('.document-body table').count()) >= 1, 'tables render as tables');
  await visit(page, '/publicity');
  await page.click('a[href^="/publicity/510999001?"]');
  await page.waitForSelector('table.totals');
  await page.locator('table.totals a').first().click();
  await page.waitForSelector('.periods a');
  await page.locator('.periods a').first().click();
  await page.waitForSelector('table.lines');
  assert.ok((await page.locator('table.lines tbody tr').count()) > 0);
  assert.doesNotMatch(await page.content(), FULL_ID);
  // The roster's CSV: the same masked lines, downloaded.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载本页名单（CSV）')]);
  const csv = await new Promise((ok, fail) => {
    download.createReadStream().then((s) => {
      const parts = [];
      s.on('data', (c) => parts.push(c));
      s.on('end', () => ok(Buffer.concat(parts).toString('utf8')));
      s.on('error', fail);
    }, fail);
  });
  assert.ok(csv.split('\n').length > 2, 'the CSV has its lines');
  assert.doesNotMatch(csv, FULL_ID, 'no full ID number in the CSV');
}

for (const [name, device] of [['phone', phone], ['desktop', desktop]]) {
  test(`public journey with JavaScript on (${name})`, async () => {
    await withPage(browser, `journey-js-${name}`, device, async (page, context) => {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
      await journey(page);
      await page.waitForSelector('body[data-hydrated="true"]');
      assert.deepEqual(errors, []);
      await shot(page, `journey-${name}`);
    });
  });
}

test('public journey with JavaScript off (phone)', async () => {
  await withPage(browser, 'journey-nojs', { ...phone, javaScriptEnabled: false }, async (page, context) => {
    await journey(page);
    await shot(page, 'journey-phone-no-js');
  });
});

for (const [name, device] of [['phone', phone], ['desktop', desktop]]) test(`search finds an item by its abbreviation and a notice by a phrase (${name})`, async () => {
  await withPage(browser, `search-${name}`, device, async (page, context) => {
    await visit(page, '/search');
    for (let i = 0; i < 100 && (await page.content()).includes('搜索索引正在建立'); i++) {
      await page.waitForTimeout(300);
      await page.reload();
    }
    await page.fill('input[name=q]', '低保');
    await page.click('form.search-box button');
    await page.waitForURL(/q=/);
    assert.equal(await page.locator('a.hit-title').first().getAttribute('href'), '/policies/14-01');
    await page.fill('input[name=q]', '身份凭证和金融支付功能');
    await page.click('form.search-box button');
    await page.waitForURL(/q=%E8%BA%AB/);
    await page.locator('a.hit-title').first().click();
    await page.waitForURL(/\/notices\//);
    assert.match(await page.textContent('h1'), /泗水县/);
    await shot(page, `search-${name}`);
  });
});

for (const js of [true, false]) {
  test(`large-text mode stays on across pages (JavaScript ${js ? 'on' : 'off'})`, async () => {
    await withPage(browser, `large-text-${js ? "js" : "nojs"}`, { ...phone, javaScriptEnabled: js }, async (page, context) => {
      await visit(page, '/policies');
      await page.click('form.text-size button');
      await page.waitForLoadState('load');
      assert.equal(await page.getAttribute('html', 'class'), 'large-text');
      assert.match(page.url(), /\/policies$/, 'back on the same page');
      await page.click('.site-nav >> text=发放公示');
      await page.waitForURL('**/publicity');
      await page.reload();
      assert.equal(await page.getAttribute('html', 'class'), 'large-text');
      await shot(page, `large-text-${js ? 'js' : 'nojs'}`);
    });
  });
}

async function codeFor(page, phone) {
  await visit(page, '/dev/sms');
  const line = await page.locator('main li', { hasText: `*******${phone.slice(-4)}` }).filter({ hasText: '验证码' }).first().textContent();
  const m = /验证码(\d{6})/.exec(line);
  assert.ok(m, 'a code in the dev outbox');
  return m[1];
}

for (const [name, device, js, who] of [['phone', phone, true, 0], ['phone', phone, false, 1], ['desktop', desktop, true, 2]]) {
  test(`self-check with ID number and SMS code (${name}, JavaScript ${js ? 'on' : 'off'})`, async () => {
    await withPage(browser, `self-check-${name}-${js ? "js" : "nojs"}`, { ...device, javaScriptEnabled: js }, async (page, context) => {
      const person = server.people[who];
      await visit(page, '/');
      await page.click('a.big-entry');
      await page.waitForURL('**/check');
      await page.fill('#id_number', person.id);
      await page.fill('#phone', person.phone);
      await page.click('form.check-form button');
      await page.waitForURL('**/check/code');
      assert.match(await page.textContent('main'), /如信息无误，验证码已发送至该手机/);
      const code = await codeFor(await context.newPage(), person.phone);
      await page.fill('#code', code);
      await page.click('form.check-form button');
      await page.waitForURL('**/check/payments');
      const main = await page.textContent('main');
      assert.match(main, /已到账/);
      assert.ok(!main.includes(person.id) && !main.includes(person.phone), 'no full ID or phone shown');
      await shot(page, `check-${name}-${js ? 'js' : 'nojs'}`);
      assert.ok((await page.locator('.three-way').count()) > 0, 'the three-way check is shown');
      await page.locator('.confirm button', { hasText: '未收到' }).first().click();
      await page.waitForSelector('text=您已反映：未收到');
      assert.match(await page.textContent('main'), /已作为投诉转主管部门办理，受理编号 \d{8}-\d{4}-\d{6}/, 'the case it created');
      await page.click('text=打印或下载对账单');
      await page.waitForURL('**/check/statement');
      assert.match(await page.textContent('h1'), /补贴对账单/);
      assert.ok((await page.locator('table.statement tbody tr').count()) > 0);
      await page.goto(`${server.url}/check/payments`);
      await page.click('text=退出查询');
      await page.waitForURL(/\/check\?e=signed_out/);
    });
  });
}
