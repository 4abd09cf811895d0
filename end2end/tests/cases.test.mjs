// Cases in a real browser (journey 5): a villager files a complaint about an item on a phone
// (JavaScript on and off) and gets a tracking number; that item's department answers it at a
// desk; the public record shows the answer; the villager tracks the case with its number and an
// SMS code and reads the reply; the department's figures count it. A demo case tracks too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, codeFor, desktop, loginAsStaff, phone, server, shot, useServerAndBrowser, viaMenu, withPage } from './browser.mjs';

useServerAndBrowser();


const filed = {};
const filedAt = {};

// The answered count of the civil affairs bureau on the public figures.
async function answeredByCivilAffairs(page) {
  await page.goto(`${server.url}/cases/stats`);
  const row = page.locator('table.stats tbody tr', { has: page.locator('th', { hasText: '县民政局' }) });
  return Number((await row.locator('td').nth(2).textContent()).trim());
}
let answeredBefore;

for (const [name, device, js] of [['phone', phone, true], ['phone', phone, false], ['desktop', desktop, true]]) {
  test(`file a complaint (${name}, JavaScript ${js ? 'on' : 'off'})`, async () => {
    const key = `${name}-${js}`;
    await withPage(browser, `file-${key}`, { ...device, javaScriptEnabled: js }, async (page, context) => {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const number = { 'phone-true': '13700000001', 'phone-false': '13700000002', 'desktop-true': '13700000003' }[key];
      await page.goto(`${server.url}/`);
      await viaMenu(page, '咨询投诉');
      await page.waitForURL('**/cases');
      await page.click('text=我要提出诉求');
      await page.waitForURL('**/cases/new');
      if (key === 'phone-true') answeredBefore = await answeredByCivilAffairs(await context.newPage());
      await page.check('input[name=kind][value=complaint]');
      await page.selectOption('#item', '14-01');
      await page.selectOption('#place', { index: 2 });
      await page.fill('#description', '上个月的补贴到现在还没有到账，村里说已经报上去了，请帮忙核实。');
      await page.fill('#name', '张桂兰');
      await page.fill('#phone', number);
      await page.click('form.case-form button[type=submit]');
      await page.waitForURL('**/cases/code');
      await page.fill('#code', await codeFor(context, number));
      await page.click('form.check-form button');
      await page.waitForURL(/\/cases\/filed\?no=/);
      const no = (await page.textContent('.tracking-no')).trim();
      assert.match(no, /^\d{8}-\d{4}-\d{6}$/, "date, sequence and the random part");
      filed[key] = no;
      filedAt[key] = Date.now();
      await shot(page, `case-filed-${key}`);
      assert.deepEqual(errors, []);
    });
  });
}

test('the item\'s department answers at a desk and the public record shows it', async () => {
  const no = filed['phone-true'];
  assert.ok(no, 'a case was filed');
  await withPage(browser, 'department-answers', desktop, async (page, context) => {
    await loginAsStaff(page, 'civil_affairs');
    await page.goto(`${server.url}/staff?status=open`);
    await page.click(`a:text("${no}")`);
    await page.waitForURL(/\/staff\/cases\/\d+/);
    await page.waitForSelector('main:has-text("张桂兰")');
    assert.match(await page.textContent('main'), /张桂兰/);
    await page.click('form.case-action:has(input[value=accept]) button');
    await page.waitForURL(/done=accept/);
    await page.fill('#note-reply', '经核实，该笔补贴因社保卡未激活被退回，已通知本人激活并重新发放。');
    await page.click('form.case-action:has(input[value=reply]) button');
    await page.waitForURL(/done=reply/);
    await shot(page, 'case-staff-replied');
  });

  await withPage(browser, 'case-public-record', phone, async (pub) => {
    await pub.goto(`${server.url}/case/${no}`);
    const text = await pub.textContent('main');
    assert.match(text, /已答复/);
    assert.match(text, /已通知本人激活并重新发放/);
    assert.ok(!text.includes('张桂兰') && !text.includes('13700000001'), 'no name or phone on the public record');
  });
});

async function track(page, context, no, number) {
  await page.goto(`${server.url}/cases/track`);
  await page.fill('#no', no);
  await page.fill('#phone', number);
  await page.click('form.check-form button');
  await page.waitForURL('**/cases/track/code');
  await page.fill('#code', await codeFor(context, number));
  await page.click('form.check-form button');
  await page.waitForURL('**/cases/mine');
}

test('the villager tracks the case, reads the reply, and the figures count it (phone)', async () => {
  const no = filed['phone-true'];
  assert.ok(no, 'a case was filed');
  // One code a minute per phone: the filing's code was the last one.
  const wait = filedAt['phone-true'] + 61_000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await withPage(browser, 'case-tracked-own', phone, async (page, context) => {
    await track(page, context, no, '13700000001');
    const main = await page.textContent('main');
    assert.match(main, /已通知本人激活并重新发放/, 'the reply is there');
    assert.match(main, /不满意，申请重新办理/, 'and the way to call it unsatisfactory');
    await shot(page, 'case-tracked');
    await page.click('text=退出查看');
    await page.waitForURL(/\/cases\/track\?e=signed_out/);
    assert.equal(await answeredByCivilAffairs(page), answeredBefore + 1, 'the statistics count the answer');
  });
});

test('a filer tracks a demo case with its number and an SMS code (phone)', async () => {
  const example = server.exampleCase;
  assert.ok(example, 'the demo prints a case to track');
  await withPage(browser, 'case-tracked-demo', phone, async (page, context) => {
    await track(page, context, example.no, example.phone);
    assert.match(await page.textContent('main'), /我反映的情况/);
    assert.match(await page.textContent('main'), /办理过程/);
  });
});

test('department figures are public', async () => {
  await withPage(browser, 'case-stats', phone, async (page) => {
    await page.goto(`${server.url}/cases/stats`);
    assert.ok((await page.locator('table.stats tbody tr').count()) >= 10);
    assert.match(await page.textContent('main'), /按期答复率/);
    await shot(page, 'case-stats');
  });
});
