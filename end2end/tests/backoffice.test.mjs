// The department side at a desk: a clerk uploads the roster file they keep in Excel (saved as
// CSV), sees every problem before anything is written, imports the good rows and starts the
// publicity, which the public then sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, desktop, loginAsStaff, phone, server, shot, useServerAndBrowser, withPage } from './browser.mjs';

useServerAndBrowser();

// A valid resident ID number (GB 11643: ISO 7064 MOD 11-2 check character) in the demo region.
function idNumber(seq) {
  const first17 = `510999` + `19580601` + String(seq).padStart(3, '0');
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

// The same, with the check character changed: what a typo in Excel looks like.
function badId() {
  const good = idNumber(803);
  return good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
}

test('a clerk uploads a roster, sees the problems, imports the good rows and publicises them', async () => {
  await withPage(browser, 'roster-upload', desktop, async (page) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // A village of the demo county, as the filing form lists it ("镇 村").
    await page.goto(`${server.url}/cases/new`);
    const option = await page.locator('#place option[value*="/"]').first().textContent();
    const [township, village] = option.trim().split(' ');
    const rows = [
      '姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额,预计发放时间',
      `周一,${idNumber(801)},汉族,13600000001,${township},${village},青岚农村商业银行,6217000000008001,90,2026-12`,
      `周二,${idNumber(802)},汉族,13600000002,${township},${village},青岚农村商业银行,6217000000008002,90,2026-12`,
      `周三,${badId()},汉族,13600000003,${township},${village},青岚农村商业银行,6217000000008003,90,2026-12`,
    ];
    await loginAsStaff(page, 'civil_affairs');
    await page.click('.staff-bar >> text=发放清册');
    await page.waitForURL(/\/staff\/rosters$/);
    await page.click('text=导入清册');
    await page.waitForURL(/\/staff\/rosters\/new$/);
    await page.selectOption('#item', '15-01');
    await page.fill('#period', '2026-12');
    await page.setInputFiles('#file', { name: '困难残疾人生活补贴清册.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n'), 'utf8') });
    await page.click('form.case-form button[type=submit]');
    await page.waitForURL(/\/staff\/rosters\/upload\//);
    const preview = await page.textContent('main');
    assert.match(preview, /可导入 2 行/);
    assert.match(preview, /身份证号/);
    await shot(page, 'roster-preview');
    await page.click('text=排除有问题的行，导入其余 2 行');
    await page.waitForURL(/\/staff\/rosters\/\d+\?done=imported/);
    // The roster's history names the clerk who imported it, in words.
    const history = await page.textContent('ol.case-history');
    assert.match(history, /导入（[^）]+）：共 2 行/);
    assert.doesNotMatch(history, /staff:/);
    // The draft, with its forms, on a phone in 大字模式 without JavaScript: it fits the screen.
    const draft = new URL(page.url()).pathname;
    await withPage(browser, 'roster-phone', { ...phone, javaScriptEnabled: false }, async (small, context) => {
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await loginAsStaff(small, 'civil_affairs');
      await small.goto(`${server.url}${draft}`);
      assert.match(await small.textContent('ol.case-history'), /导入（[^）]+）：共 2 行/);
      const [scroll, inner] = await small.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= 390 && inner <= 390, `the draft roster fits the phone: ${scroll} px on ${inner} px`);
      const cells = await small.evaluate(() => [...document.querySelectorAll('table.lines td')].filter((td) => td.scrollWidth > td.clientWidth + 1).length);
      assert.equal(cells, 0, 'every cell of the lines fits its card');
      await shot(small, 'roster-draft-phone-large-nojs');
    });
    // 困难残疾人生活补贴 is a sensitive item and the village has two: the clerk is shown them and
    // must choose how they are publicised (the browser will not send the form unchosen).
    assert.match(await page.textContent('form.small-cells'), /人数很少[\s\S]*2 人/);
    await page.click('text=开始公示（7天）');
    await page.waitForTimeout(500);
    assert.doesNotMatch(page.url(), /done=publicise/, 'not sent without a choice');
    await page.check('input[name=small_cells][value=township]');
    await page.click('text=开始公示（7天）');
    await page.waitForURL(/done=publicise/);
    assert.match(await page.textContent('main'), /公示中/);
    assert.match(await page.textContent('ol.case-history'), /共 2 人按乡镇汇总公示/);
    await shot(page, 'roster-publicised');
    // An objection upheld during publicity: the clerk corrects one line in place, on a phone in
    // 大字模式 without JavaScript. The line is publicised at township level, so the public record
    // of the correction does not name the person.
    const publicised = new URL(page.url()).pathname;
    await withPage(browser, 'roster-correction-phone', { ...phone, javaScriptEnabled: false }, async (small, context) => {
      await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
      await loginAsStaff(small, 'civil_affairs');
      await small.goto(`${server.url}${publicised}`);
      await small.selectOption('#correction-line', { index: 1 });
      assert.match(await small.locator('#correction-line option:checked').textContent(), /周一/);
      await small.fill('#correction-amount', '80');
      await small.fill('#correction-note', '经核实本月按80元发放');
      await small.click('form.correction button[type=submit]');
      assert.doesNotMatch(small.url(), /done=correction/, 'not sent without saying what is corrected');
      await small.check('input[name=change][value=amount]');
      await small.click('form.correction button[type=submit]');
      await small.waitForURL(/done=correction/);
      assert.match(await small.textContent('ol.case-history'), /更正公示（[^）]+）：明细 \d+：按乡镇汇总公示的1人金额由 90\.00 元改为 80\.00 元；理由：经核实本月按80元发放/);
      assert.match(await small.textContent('table.lines'), /80\.00[\s\S]*更正/);
      const [scroll, inner] = await small.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= 390 && inner <= 390, `the corrected roster fits the phone: ${scroll} px on ${inner} px`);
      await shot(small, 'roster-corrected-phone-large-nojs');
    });
    // A mistake found during publicity: the clerk withdraws it, with the reason the public will read.
    await page.fill('#withdraw-note', '第2行金额有误，核对后重新公示');
    await page.click('form button:has-text("撤回公示")');
    await page.waitForURL(/done=withdraw/);
    assert.match(await page.textContent('ol.case-history'), /撤回公示（[^）]+）：第2行金额有误/);
    assert.match(await page.textContent('main'), /草稿/);
    await shot(page, 'roster-withdrawn');
    assert.deepEqual(errors, []);
  });
});

test('a clerk claws back a paid line on a phone in 大字模式, and the public line says 已追回', async () => {
  await withPage(browser, 'roster-clawback', phone, async (page, context) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
    // A paid 最低生活保障金 roster of a village, as the public finds it.
    await page.goto(`${server.url}/publicity/510999001`);
    await page.locator('table.totals a').first().click();
    await page.waitForSelector('.periods a');
    const paid = page.locator('section.roster-group', { has: page.locator('h2', { hasText: '最低生活保障金' }) }).locator('li', { hasText: '已发放' }).locator('a').first();
    const publicPage = new URL(await paid.getAttribute('href'), server.url).pathname;
    const roster = publicPage.split('/').pop();
    await loginAsStaff(page, 'civil_affairs');
    await page.goto(`${server.url}/staff/rosters/${roster}`);
    await page.selectOption('#clawback-line', { index: 1 });
    const line = (await page.locator('#clawback-line option:checked').textContent()).trim();
    await page.fill('#clawback-note', '经核查不符合享受条件');
    await page.click('form button:has-text("追回")');
    await page.waitForURL(/done=clawback/);
    assert.match(await page.textContent('main'), /已追回：经核查不符合享受条件/);
    assert.match(await page.textContent('ol.case-history'), /追回（[^）]+）：明细 \d+（[^）]+）追回：经核查不符合享受条件/);
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= 390 && inner <= 390, `the roster fits the phone: ${scroll} px on ${inner} px`);
    await shot(page, 'roster-clawed-back-phone-large');
    // The public roster page: the line says 已追回, the history gives the reason.
    await page.goto(`${server.url}${publicPage}`);
    assert.match(await page.textContent('table.lines'), /已追回/);
    assert.match(await page.textContent('section.versions'), /追回[\s\S]*经核查不符合享受条件/);
    assert.ok(line.length > 0);
    await shot(page, 'publicity-clawed-back-phone-large');
    assert.deepEqual(errors, []);
  });
});
