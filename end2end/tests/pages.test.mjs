// Every public page in a real browser, with JavaScript off (content is there) and on (it
// hydrates without errors): policy list and filters, an item, notices with tables, publicity
// from township to roster, search, and the large-text switch staying on across pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, codeFor, desktop, phone, server, shot, toARoster, useServerAndBrowser, viaMenu, withPage } from './browser.mjs';

useServerAndBrowser();

const FULL_ID = /[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]/;

async function visit(page, path) {
  const response = await page.goto(`${server.url}${path}`);
  assert.equal(response.status(), 200, path);
  assert.doesNotMatch(await page.content(), FULL_ID, `${path}: a full ID number`);
}

async function journey(page) {
  await visit(page, '/');
  await viaMenu(page, '政策清单');
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
  // A sensitive item's small villages are counted at township level, with the rule beside them.
  assert.match(await page.textContent('section.township-summaries'), /按乡镇汇总公示[\s\S]*不足 5 人/);
  await page.locator('table.totals a').first().click();
  await page.waitForSelector('.periods a');
  await page.locator('.periods a').first().click();
  await page.waitForSelector('table.lines');
  assert.ok((await page.locator('table.lines tbody tr').count()) > 0);
  assert.doesNotMatch(await page.content(), FULL_ID);
  // The roster's CSV: the same masked lines, downloaded.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载本页名单（表格，Excel可打开）')]);
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
      await viaMenu(page, '发放公示');
      await page.waitForURL('**/publicity');
      await page.reload();
      assert.equal(await page.getAttribute('html', 'class'), 'large-text');
      await shot(page, `large-text-${js ? 'js' : 'nojs'}`);
    });
  });
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
      const code = await codeFor(context, person.phone);
      await page.fill('#code', code);
      await page.click('form.check-form button');
      await page.waitForURL('**/check/payments');
      const main = await page.textContent('main');
      assert.match(main, /已到账/);
      assert.ok(!main.includes(person.id) && !main.includes(person.phone), 'no full ID or phone shown');
      await shot(page, `check-${name}-${js ? 'js' : 'nojs'}`);
      assert.ok((await page.locator('.three-way').count()) > 0, 'the three-way check is shown');
      if (who === 1) {
        // A person with a failed payment sees it first, and reaches it in one tap.
        const first = page.locator('main > section, main section').first();
        assert.match(await page.locator('.to-act-on h2').textContent(), /^\d+笔发放失败，需要处理$/);
        const target = await page.locator('.to-act-on a').first().getAttribute('href');
        assert.match(await page.locator(`${target}`).textContent(), /发放失败/);
        assert.match(await first.textContent(), /发放失败，需要处理/, 'before anything else');
      }
      // 没收到 asks first, on a page of its own, and says what will happen.
      const card = page.locator('.my-payment', { hasText: '这笔钱您收到了吗？' }).first();
      const cardId = await card.getAttribute('id');
      await card.locator('a', { hasText: '没收到' }).click();
      await page.waitForURL(/\/check\/not-received\?payment=/);
      await page.waitForSelector('text=确认后会发生');
      const step = await page.textContent('main');
      assert.match(step, /作为投诉转给县.+办理/, 'whose complaint it becomes');
      assert.match(step, /\d+个工作日内答复/, 'and by when');
      assert.match(step, /受理编号用短信发到您/);
      await shot(page, `not-received-${name}-${js ? 'js' : 'nojs'}`);
      await page.click('text=确认：我没收到这笔钱');
      await page.waitForURL('**/check/payments*');
      const answered = page.locator(`#${cardId}`);
      assert.match(await answered.textContent(), /您已反映：未收到/);
      assert.match(await answered.textContent(), /已作为投诉转主管部门办理，受理编号 \d{8}-\d{4}-\d{6}/, 'the case it created');
      assert.equal(await answered.locator('.answers').count(), 0, 'the answer given instead of the buttons');
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

// Open data as a journalist reaches it: the footer's 开放数据, a year's file downloaded, the
// columns explained; a village page announcing its feed. On a phone in large text, both ways.
for (const js of [true, false]) {
  test(`open data: from the footer to a year's file and a village's feed (JavaScript ${js ? 'on' : 'off'})`, async () => {
    const name = `open-data-${js ? 'js' : 'nojs'}`;
    await withPage(browser, name, { ...phone, javaScriptEnabled: js, acceptDownloads: true }, async (page, context) => {
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await visit(page, '/');
      await page.locator('.site-footer a', { hasText: '开放数据' }).click();
      await page.waitForURL('**/open-data');
      assert.equal(await page.locator('.dictionary dt').count(), 20, 'every column explained');
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `the page is ${scroll} px wide on a ${inner} px phone`);
      await shot(page, name);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('.downloads a', { hasText: 'CSV' }).first().click(),
      ]);
      assert.match(download.suggestedFilename(), /^publicity-\d{6}-\d{4}\.csv$/);
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(await download.path(), 'utf8');
      assert.ok(text.startsWith('\ufeff县（区）代码,县（区）,'), text.slice(0, 40));
      assert.ok(text.split('\r\n').length > 100, 'the year\'s lines');
      assert.doesNotMatch(text, FULL_ID);
      // A village's page announces its feed, which is Atom.
      await toARoster(page);
      await page.goBack();
      await page.waitForSelector('.periods a');
      const feed = await page.getAttribute('head link[type="application/atom+xml"]', 'href');
      assert.match(feed, /^\/feeds\/publicity\/\d+\/\d+\.atom$/);
      assert.equal(await page.locator('p.feed a').getAttribute('href'), feed);
      const atom = await page.request.get(`${server.url}${feed}`);
      assert.equal(atom.status(), 200);
      assert.match(await atom.text(), /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    });
  });
}
