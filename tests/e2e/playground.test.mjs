// The theme playground at /playground: live re-theming of the real widget, contrast warnings from the
// widget's own checks, exports, and saving the theme to the shop with the secret key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SECRET, launchBrowser, newPage, screenshot, startServer, widgetReady } from './harness.mjs';

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

const background = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

async function openPlayground(page) {
  await page.goto(`${server.url}/playground`);
  await page.locator('html[data-ready=true]').waitFor();
  const preview = page.frameLocator('#preview');
  await preview.locator('.tally-panel').waitFor();
  return preview;
}

test('a colour changed in the playground re-themes the preview, warns on poor contrast and exports', async () => {
  const { context, page, problems } = await newPage(browser, { width: 1400, height: 900 });
  const preview = await openPlayground(page);
  await page.locator('#problems', { hasText: 'Every colour pair passes WCAG AA contrast.' }).waitFor();
  await page.locator('#colors-primary').fill('#8b1e3f');
  await page.waitForFunction(() => getComputedStyle(document.querySelector('#preview').contentDocument
    .querySelector('tally-widget').shadowRoot.querySelector('.tally-launcher')).backgroundColor === 'rgb(139, 30, 63)');
  assert.deepEqual(JSON.parse(await page.locator('#theme-json').inputValue()), { colors: { primary: '#8b1e3f' } });
  const tag = await page.locator('#script-tag').inputValue();
  assert.ok(tag.includes(`data-theme='{"colors":{"primary":"#8b1e3f"}}'`), tag);
  assert.ok(tag.startsWith(`<script src="${server.url}/widget/tally.js" defer data-shop="demo-coffee"`), tag);
  // A pale primary fails against white text: the warning comes from tally-core's contrast check.
  await page.locator('#colors-primary').fill('#ffe066');
  await page.locator('#problems li', { hasText: 'on_primary on primary: contrast' }).waitFor();
  await screenshot(page, 'playground-contrast-warning');
  assert.equal(await background(preview.locator('.tally-launcher')), 'rgb(255, 224, 102)');
  assert.deepEqual(problems, []);
  await context.close();
});

test('saving with the secret key stores the theme: the storefront shows it after a reload', async () => {
  const { context, page, problems } = await newPage(browser, { width: 1400, height: 900 });
  await openPlayground(page);
  await page.locator('#colors-primary').fill('#00695c');
  await page.locator('#launcher_icon').selectOption('star');
  // Without the key nothing is sent.
  await page.locator('#save').click();
  await page.locator('#status', { hasText: 'Type the shop’s secret key first.' }).waitFor();
  await page.locator('#secret').fill('sk_wrong');
  await page.locator('#save').click();
  await page.locator('#status', { hasText: 'Not saved' }).waitFor();
  await page.locator('#secret').fill(SECRET);
  await page.locator('#save').click();
  await page.locator('#status', { hasText: 'Saved to Tally Coffee Roasters.' }).waitFor();
  // The key is in no URL and no storage.
  const leaks = await page.evaluate((key) => [location.href, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })]
    .filter((s) => s.includes(key)), SECRET);
  assert.deepEqual(leaks, []);

  await page.goto(`${server.url}/`);
  await widgetReady(page);
  const launcher = page.locator('.tally-launcher');
  await launcher.waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('tally-widget').shadowRoot
    .querySelector('.tally-launcher')).backgroundColor === 'rgb(0, 105, 92)');
  // The origins were kept: the storefront on localhost still reaches the API through CORS.
  const cross = await newPage(browser);
  await cross.page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/`);
  await widgetReady(cross.page);
  await cross.page.locator('.tally-launcher', { hasText: 'stars' }).waitFor();
  await cross.context.close();
  const program = await (await fetch(`${server.url}/v1/shops/demo-coffee/program`)).json();
  assert.deepEqual(program.theme, { colors: { primary: '#00695c' }, launcher_icon: 'star' });
  // Only the wrong key's 401, which the browser logs itself.
  assert.deepEqual(problems, ['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  await context.close();
});
