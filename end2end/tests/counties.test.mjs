// Two counties on one portal, as a villager uses it: pick the county from the home page (by
// typing its name), see that county's list and notices, come back later to the same county, and
// check one's own payments from both counties with one ID number and code. Then without
// JavaScript, in 大字模式: the choice is a plain link and a cookie, and the counties compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, checkSignIn, loginAsStaff, phone, server, shot, useServerAndBrowser, viaMenu, withPage } from './browser.mjs';

// 青岚县 and 峨溪县 of the demo province; the demo's fifth person is paid in both.
useServerAndBrowser({ counties: 2, size: 600 });

const main = (page) => page.locator('main').innerText();

test('a villager picks 峨溪县 by typing, sees its own list and notices, and is remembered (JavaScript on, phone)', async () => {
  await withPage(browser, 'county-pick-js', phone, async (page) => {
    await page.goto(server.url);
    assert.equal(await page.locator('.county-name').innerText(), '青岚县（演示）');
    await page.click('a.switch-county');
    await page.waitForURL(/\/counties/);
    await page.fill('input[name=q]', '峨溪');
    await page.click('form.filters button');
    await page.waitForURL(/q=/);
    const choices = page.locator('.county-choices a');
    assert.equal(await choices.count(), 1, 'typing 峨溪 leaves one county');
    await choices.first().click();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await page.locator('.county-name').innerText(), '峨溪县（演示）');

    await viaMenu(page, '政策清单');
    await page.waitForURL(/\/policies/);
    await page.locator('main', { hasText: '项（含子项）' }).waitFor();
    const list = await main(page);
    assert.match(list, /高龄老人津贴/, "峨溪县's own item is listed");
    assert.doesNotMatch(list, /五小庭院/, "青岚县's own item is not");

    await viaMenu(page, '通知公告');
    await page.waitForURL(/\/notices/);
    await page.locator('main .link-list li').first().waitFor();
    const notices = await main(page);
    assert.match(notices, /峨溪县（演示）2026年惠民惠农财政补贴政策清单/);
    assert.doesNotMatch(notices, /青岚县（演示）2026年/, "the other county's notices are not listed");

    // A later visit without the county in the address: the cookie remembers it.
    await page.goto(`${server.url}/policies`);
    assert.equal(await page.locator('.county-name').innerText(), '峨溪县（演示）');
    await shot(page, 'county-policies-phone');
  });
});

test('one ID number and code show payments from both counties, each with its own department (JavaScript on, phone)', async () => {
  const mover = server.people[4];
  assert.ok(mover, 'the demo prints a person paid in two counties');
  await withPage(browser, 'county-check-js', phone, async (page, context) => {
    await checkSignIn(page, context, mover);
    const text = await main(page);
    assert.match(text, /您在2个县（市、区）有补贴/);
    assert.match(text, /青岚县（演示）/);
    assert.match(text, /峨溪县（演示）/);
    assert.match(text, /0833-/, "峨溪县's department phone is beside its payments");
    assert.match(text, /0818-/, "青岚县's too");
    assert.ok(!/\d{17}[\dX]/.test(text), 'no full ID number on the page');
    await shot(page, 'county-check-phone');
  });
});

test('without JavaScript, in 大字模式: the county is chosen by a link and a cookie, and the counties compare', async () => {
  await withPage(browser, 'county-pick-nojs', { ...phone, javaScriptEnabled: false }, async (page, context) => {
    await context.addCookies([{ name: 'text_size', value: 'large', url: server.url }]);
    await page.goto(`${server.url}/counties`);
    await page.locator('.county-choices a', { hasText: '峨溪县（演示）' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await page.locator('.county-name').innerText(), '峨溪县（演示）');
    await page.goto(`${server.url}/counties/compare`);
    const text = await main(page);
    assert.match(text, /青岚县（演示）/);
    assert.match(text, /峨溪县（演示）/);
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `the comparison fits the phone: ${scroll} px on ${inner} px`);
    const csv = await page.request.get(`${server.url}/counties/compare/csv`);
    assert.equal(csv.status(), 200);
    const body = await csv.text();
    assert.ok(body.includes('峨溪县（演示）') && body.includes('青岚县（演示）'), body.slice(0, 200));
    await shot(page, 'county-compare-large-nojs');
  });
});

test('a city finance bureau signs in on a phone: the department side names its city, not the public county', async () => {
  await withPage(browser, 'county-staff-area', phone, async (page) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await loginAsStaff(page, 'city_finance');
    assert.equal(await page.locator('.staff-bar .staff-area').innerText(), '岚山市（演示）');
    assert.equal(await page.locator('.county-name').count(), 0, 'no public county in the header');
    assert.equal(await page.locator('a.switch-county').count(), 0);
    await shot(page, 'county-staff-area-phone');
    // Back to the public side from the site name: the county shows again.
    await page.click('a.site-name');
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await page.locator('.county-name').innerText(), '青岚县（演示）');
    assert.deepEqual(errors, []);
  });
});
