// The widget inside pages we write ourselves: a hostile stylesheet, a single-page shop that signs a
// shopper in later, an API that is down, and a page on another origin than the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, freshCustomer, hostPage, launchBrowser, newPage, screenshot, signShopper, startServer, widgetReady,
} from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Serves `html` at `path` on the server's origin. */
async function serve(page, path, html) {
  await page.route(`${server.url}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
}

test('a hostile stylesheet neither hides the launcher nor gets our styles', async () => {
  const { id, me } = await freshCustomer(server.url, 3_000);
  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const { context, page, problems } = await newPage(browser, viewport);
    const attrs = Object.fromEntries(Object.entries(signShopper(id)).map(([k, v]) => [k === 'id' ? 'customer' : k, v]));
    await serve(page, '/hostile', hostPage({
      base: server.url,
      attrs,
      css: '* { all: unset } button { display: none } tally-widget { font-size: 40px; color: red }',
      body: '<p class="tally-title" id="probe">Shop text</p><button id="own">Shop button</button>',
    }));
    await page.goto(`${server.url}/hostile`);
    await widgetReady(page);
    const launcher = page.getByRole('button', { name: `Rewards, ${me.balance} stars` });
    await launcher.waitFor();
    const box = await launcher.boundingBox();
    assert.ok(box && box.width >= 44 && box.height >= 44, `launcher box ${JSON.stringify(box)}`);
    await launcher.click();
    await page.getByRole('dialog').getByText(`${me.balance} stars`).first().waitFor();
    // The shop's own rules still apply to the shop's elements, and ours never reach them.
    const probe = await page.evaluate(() => ({
      weight: getComputedStyle(document.getElementById('probe')).fontWeight,
      own: getComputedStyle(document.getElementById('own')).display,
    }));
    assert.deepEqual(probe, { weight: '400', own: 'none' });
    await screenshot(page, `hostile-${label}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('a single-page shop signs the shopper in without a reload; early calls are queued', async () => {
  const { id, me } = await freshCustomer(server.url, 2_000, 'Grace');
  const { context, page, problems } = await newPage(browser);
  await serve(page, '/spa', hostPage({
    base: server.url,
    // Runs after the deferred loader, long before the wasm is ready.
    after: '<script>document.addEventListener("DOMContentLoaded", () => window.Tally.open())</script>',
  }));
  await page.goto(`${server.url}/spa`);
  await widgetReady(page);
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Join Tally Coffee Roasters Rewards').waitFor();
  await page.evaluate((token) => window.Tally.setCustomer(token), signShopper(id));
  await dialog.getByText('Hi Grace').waitFor();
  await page.getByRole('button', { name: `Rewards, ${me.balance} stars` }).waitFor();
  await page.evaluate(() => window.Tally.close());
  await dialog.waitFor({ state: 'detached' });
  const types = await page.evaluate(() => window.__tallyEvents.map((e) => e.type));
  assert.deepEqual(types.filter((t) => t !== 'tally:error'), ['tally:ready', 'tally:open', 'tally:close']);
  // destroy() takes everything away again.
  await page.evaluate(() => window.Tally.destroy());
  assert.equal(await page.locator('tally-widget').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an API that is down leaves the page alone, and retry works once it is back', async () => {
  const { id, me } = await freshCustomer(server.url, 4_000);
  const { context, page, problems } = await newPage(browser);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.route('**/v1/shops/**', (route) => route.abort());
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  const launcher = page.getByRole('button', { name: 'Rewards', exact: true });
  await launcher.click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('We could not reach the rewards service.').waitFor();
  await screenshot(page, 'error-desktop');
  assert.ok(warnings.some((w) => w.startsWith('[tally] could not load the rewards')), warnings.join('\n'));
  assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), []);

  await page.unroute('**/v1/shops/**');
  await dialog.getByRole('button', { name: 'Try again' }).click();
  await dialog.locator('.tally-summary__points', { hasText: `${me.balance} stars` }).waitFor();
  await context.close();
});

test('a page on another origin than the API works through CORS', async () => {
  const { context, page, problems } = await newPage(browser);
  // The storefront's tag points at http://127.0.0.1:PORT; the page itself is on localhost.
  const cross = server.url.replace('127.0.0.1', 'localhost');
  await page.goto(`${cross}/`);
  await widgetReady(page);
  await page.locator('.tally-launcher', { hasText: 'stars' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad attributes are reported once each on the console, and the widget still starts', async () => {
  const { context, page } = await newPage(browser);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await serve(page, '/typos', hostPage({
    base: server.url,
    attrs: { mode: 'popup', colour: 'red', 'login-url': 'javascript:alert(1)', customer: 'lonely' },
  }));
  await page.goto(`${server.url}/typos`);
  await widgetReady(page);
  await page.getByRole('button', { name: 'Rewards, Join & earn' }).waitFor();
  const ours = warnings.filter((w) => w.startsWith('[tally]'));
  assert.equal(ours.length, 4, ours.join('\n'));
  await context.close();
});
