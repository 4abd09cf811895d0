// Cases in a real browser: a villager files a complaint on a phone (JavaScript on and off) and
// gets a tracking number; a department answers it at a desk; the public record shows the answer;
// a filer tracks a case with its number and an SMS code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, phone, desktop, shot } from './browser.mjs';

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

async function codeFor(context, number) {
  const page = await context.newPage();
  await page.goto(`${server.url}/dev/sms`);
  const line = await page.locator('main li', { hasText: `*******${number.slice(-4)}` }).filter({ hasText: '验证码' }).first().textContent();
  await page.close();
  const m = /验证码(\d{6})/.exec(line ?? '');
  assert.ok(m, `a code for ${number} in the dev outbox`);
  return m[1];
}

const filed = {};

for (const js of [true, false]) {
  test(`file a complaint on a phone (JavaScript ${js ? 'on' : 'off'})`, async () => {
    const context = await browser.newContext({ ...phone, javaScriptEnabled: js });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const number = js ? '13700000001' : '13700000002';
    await page.goto(`${server.url}/`);
    await page.click('.site-nav >> text=咨询投诉');
    await page.waitForURL('**/cases');
    await page.click('text=我要提出诉求');
    await page.waitForURL('**/cases/new');
    await page.check('input[name=kind][value=complaint]');
    await page.selectOption('#item', { index: 1 });
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
    assert.match(no, /^\d{8}-\d{4}$/);
    filed[js] = no;
    await shot(page, `case-filed-${js ? 'js' : 'nojs'}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a department answers at a desk and the public record shows it', async () => {
  const no = filed[true] ?? filed[false];
  assert.ok(no, 'a case was filed');
  const context = await browser.newContext(desktop);
  const page = await context.newPage();
  await page.goto(`${server.url}/staff/login`);
  await page.fill('#username', 'finance');
  await page.fill('#password', server.staffPassword);
  await page.click('form.check-form button');
  await page.waitForURL(/\/staff$/);
  await page.goto(`${server.url}/staff?status=open`);
  await page.click(`a:text("${no}")`);
  await page.waitForURL(/\/staff\/cases\/\d+/);
  assert.match(await page.textContent('main'), /张桂兰/);
  await page.click('form.case-action:has(input[value=accept]) button');
  await page.waitForURL(/done=accept/);
  await page.fill('#note-reply', '经核实，该笔补贴因社保卡未激活被退回，已通知本人激活并重新发放。');
  await page.click('form.case-action:has(input[value=reply]) button');
  await page.waitForURL(/done=reply/);
  await shot(page, 'case-staff-replied');
  await context.close();

  const pub = await (await browser.newContext(phone)).newPage();
  await pub.goto(`${server.url}/case/${no}`);
  const text = await pub.textContent('main');
  assert.match(text, /已答复/);
  assert.match(text, /已通知本人激活并重新发放/);
  assert.ok(!text.includes('张桂兰') && !text.includes('13700000001'), 'no name or phone on the public record');
});

test('a filer tracks a case with its number and an SMS code (phone)', async () => {
  const example = server.exampleCase;
  assert.ok(example, 'the demo prints a case to track');
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto(`${server.url}/cases/track`);
  await page.fill('#no', example.no);
  await page.fill('#phone', example.phone);
  await page.click('form.check-form button');
  await page.waitForURL('**/cases/track/code');
  await page.fill('#code', await codeFor(context, example.phone));
  await page.click('form.check-form button');
  await page.waitForURL('**/cases/mine');
  assert.match(await page.textContent('main'), /我反映的情况/);
  assert.match(await page.textContent('main'), /办理过程/);
  await shot(page, 'case-tracked');
  await page.click('text=退出查看');
  await page.waitForURL(/\/cases\/track\?e=signed_out/);
  await context.close();
});

test('department figures are public', async () => {
  const page = await (await browser.newContext(phone)).newPage();
  await page.goto(`${server.url}/cases/stats`);
  assert.ok((await page.locator('table.stats tbody tr').count()) >= 10);
  assert.match(await page.textContent('main'), /按期答复率/);
  await shot(page, 'case-stats');
});
