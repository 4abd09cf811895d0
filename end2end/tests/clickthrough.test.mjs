// Every page of the public site, the self-check and the case pages, reached as a visitor on a
// phone reaches them: from `/`, with JavaScript on, by clicking the links the pages show (each a
// page load from the server, whose island then hydrates). Any 出错了 page, console error, failed
// request or error answer fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, fillCheck, phone, server, shot, useServerAndBrowser, withPage } from './browser.mjs';

useServerAndBrowser();

// Not pages to walk: files, downloads and feeds, the department side, the demo outbox, posts.
const SKIP = [/^\/pkg\//, /^\/api\//, /csv/, /^\/feeds\//, /^\/staff/, /^\/dev\//, /\/logout/, /^\/settings\//];
// Pages alike but for their numbers are walked twice at most (every village of every township
// would take an hour and find nothing new).
const shape = (href) => href.replace(/\?.*$/, '').replace(/\d+/g, 'N');
const PER_SHAPE = 2;
const MAX_PAGES = 70;

/// Watches a page for anything that went wrong, and for requests still on their way.
function watch(page) {
  const problems = [];
  let inFlight = 0;
  page.on('request', () => inFlight++);
  page.on('requestfinished', () => inFlight--);
  page.on('requestfailed', (r) => {
    inFlight--;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText} (on ${page.url()})`);
  });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()} (on ${page.url()})`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message} (on ${page.url()})`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()} (on ${page.url()})`));
  return {
    problems,
    async settled() {
      for (let quiet = 0, i = 0; quiet < 3 && i < 200; i++) {
        quiet = inFlight === 0 ? quiet + 1 : 0;
        await page.waitForTimeout(100);
      }
    },
  };
}

const here = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

/// Goes to `href` as the app does when a link is clicked: a click on the page's link to it, or,
/// to return to a page whose links are still to be walked, a click on a link to it put on the
/// current page.
async function follow(page, href) {
  const link = page.locator(`a[href="${href}"]:visible`).first();
  if ((await link.count()) > 0) {
    await link.click({ timeout: 5_000 }).catch(() => link.dispatchEvent('click'));
  } else {
    await page.evaluate((h) => {
      const a = document.createElement('a');
      a.href = h;
      document.querySelector('main').append(a);
      a.click();
    }, href);
  }
  await page.waitForURL((u) => u.pathname + u.search === href, { timeout: 15_000 });
}

async function linksOn(page) {
  const hrefs = await page.$$eval('a[href^="/"]:not([rel="external"]):not([download])', (as) => as.map((a) => a.getAttribute('href')));
  return [...new Set(hrefs.map((h) => h.split('#')[0]))].filter((h) => h && !SKIP.some((re) => re.test(h)));
}

async function walk(page, watcher, start, seen, shapes, keep = () => true) {
  const queue = [{ from: null, href: start }];
  const walked = [];
  while (queue.length && walked.length < MAX_PAGES) {
    const { from, href } = queue.shift();
    if (from && here(page) !== from) await follow(page, from);
    if (here(page) !== href) await follow(page, href);
    await watcher.settled();
    walked.push(href);
    const main = (await page.textContent('main')) ?? '';
    assert.ok(!main.includes('出错了'), `${href}: ${main.slice(0, 300)}`);
    assert.deepEqual(watcher.problems, [], `reaching ${href}`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 10_000 }).catch(() => assert.fail(`${href}: the bundle did not run`));
    for (const next of await linksOn(page)) {
      const s = shape(next);
      if (seen.has(next) || (shapes.get(s) ?? 0) >= PER_SHAPE || !keep(next)) continue;
      seen.add(next);
      shapes.set(s, (shapes.get(s) ?? 0) + 1);
      queue.push({ from: href, href: next });
    }
  }
  return walked;
}

test('a phone reaches every public page by clicking through the site, hydrated, without an error', async () => {
  await withPage(browser, 'clickthrough-public', phone, async (page) => {
    const watcher = watch(page);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    const seen = new Set(['/']);
    const walked = await walk(page, watcher, '/', seen, new Map());
    for (const must of ['/policies', '/notices', '/publicity', '/search', '/cases', '/check', '/cases/stats', '/cases/track']) {
      assert.ok(walked.some((h) => h === must || h.startsWith(`${must}?`)), `${must} was reached: ${walked.join(' ')}`);
    }
    for (const shapeOf of ['/policies/', '/notices/', '/publicity/N/N/N', '/search?q=', '/case/']) {
      assert.ok(walked.some((h) => shape(h).startsWith(shapeOf) || h.startsWith(shapeOf)), `a page like ${shapeOf}: ${walked.join(' ')}`);
    }
    await shot(page, 'clickthrough-public-last');
  });
});


test('a phone goes through the self-check and its case pages by clicking, hydrated, without an error', async () => {
  await withPage(browser, 'clickthrough-check', phone, async (page, context) => {
    const watcher = watch(page);
    const person = server.people[1];
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    await follow(page, '/check');
    await watcher.settled();
    await fillCheck(page, context, person);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
    const seen = new Set(['/check/payments']);
    const walked = await walk(page, watcher, '/check/payments', seen, new Map(), (h) => h.startsWith('/check') || h.startsWith('/cases'));
    assert.ok(walked.some((h) => h.startsWith('/check/statement')), `the statement: ${walked.join(' ')}`);
    assert.ok(walked.some((h) => h.startsWith('/cases/new?payment=')), `对此有疑问: ${walked.join(' ')}`);
    await shot(page, 'clickthrough-check-last');
  });
});
