// Theming: the tag's data-theme, the shop's saved theme, Tally.setTheme, a shop stylesheet's own
// --tally-* properties and ::part() rules, custom CSS, and invalid values falling back with one warning.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  hostPage, launchBrowser, merchant, newPage, servePage, startServer, tallyWarnings, widgetReady,
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

const DEFAULT_PRIMARY = 'rgb(47, 93, 80)'; // #2f5d50, tally-core's LIGHT_DEFAULTS[0]

/** A guest page with the loader tag carrying `attrs`; resolves once the launcher is there. */
async function guestPage({ attrs = {}, css = '', colorScheme } = {}) {
  const { context, page, problems } = await newPage(browser, undefined, colorScheme ? { colorScheme } : {});
  const warnings = tallyWarnings(page);
  await servePage(page, server.url, '/themed', hostPage({ base: server.url, attrs: { locale: 'en', ...attrs }, css }));
  await page.goto(`${server.url}/themed`);
  await widgetReady(page);
  const launcher = page.locator('.tally-launcher');
  await launcher.waitFor();
  return { context, page, problems, warnings, launcher };
}

const style = (locator, property) => locator.evaluate((el, p) => getComputedStyle(el)[p], property);

test('data-theme colours the launcher, moves it and sets the radius and panel width', async () => {
  const theme = { colors: { primary: '#8b1e3f', on_primary: '#ffffff' }, launcher_position: 'top-left', radius: 4, panel_width: 480 };
  const { context, page, problems, warnings, launcher } = await guestPage({ attrs: { theme: JSON.stringify(theme) } });
  assert.equal(await style(launcher, 'backgroundColor'), 'rgb(139, 30, 63)');
  const box = await launcher.boundingBox();
  assert.ok(box.x < 40 && box.y < 40, `launcher at ${JSON.stringify(box)}`);
  await launcher.click();
  const panel = page.locator('.tally-panel');
  await panel.waitFor();
  assert.equal(await style(panel, 'borderTopLeftRadius'), '4px');
  assert.equal(Math.round((await panel.boundingBox()).width), 480);
  assert.deepEqual(warnings, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an invalid data-theme value gives one [tally] warning naming it, and the default applies', async () => {
  const theme = { colors: { primary: 'blue' } };
  const { context, warnings, launcher } = await guestPage({ attrs: { theme: JSON.stringify(theme) } });
  assert.equal(await style(launcher, 'backgroundColor'), DEFAULT_PRIMARY);
  assert.deepEqual(warnings, ['[tally] theme.colors.primary: "blue" is not a hex colour like #1a73e8']);
  await context.close();
});

test('a data-theme that is not JSON is one warning and the widget still starts', async () => {
  const { context, warnings, launcher } = await guestPage({ attrs: { theme: '{colors: red' } });
  assert.equal(await style(launcher, 'backgroundColor'), DEFAULT_PRIMARY);
  assert.deepEqual(warnings, ["[tally] data-theme is not JSON; the shop's theme stands"]);
  await context.close();
});

test("a shop stylesheet's --tally-primary on tally-widget wins over data-theme", async () => {
  const { context, launcher } = await guestPage({
    attrs: { theme: JSON.stringify({ colors: { primary: '#8b1e3f' } }) },
    css: 'tally-widget { --tally-primary: #00aa00 }',
  });
  assert.equal(await style(launcher, 'backgroundColor'), 'rgb(0, 170, 0)');
  await context.close();
});

test('a shop stylesheet reaches the launcher and the panel through ::part()', async () => {
  const { context, page, launcher } = await guestPage({
    css: 'tally-widget::part(launcher) { border-radius: 3px } tally-widget::part(panel) { outline: 5px solid rgb(255, 0, 0) }',
  });
  assert.equal(await style(launcher, 'borderTopLeftRadius'), '3px');
  await launcher.click();
  const panel = page.locator('.tally-panel');
  await panel.waitFor();
  assert.equal(await style(panel, 'outlineColor'), 'rgb(255, 0, 0)');
  await context.close();
});

test('custom_css is applied inside the shadow root as CSS text, never as markup', async () => {
  const theme = { custom_css: '.tally-launcher { letter-spacing: 3px } </style><img src=x onerror="window.__owned=1">' };
  const { context, page, launcher } = await guestPage({ attrs: { theme: JSON.stringify(theme) } });
  assert.equal(await style(launcher, 'letterSpacing'), '3px');
  const img = await page.evaluate(() => document.querySelector('tally-widget').shadowRoot.querySelectorAll('img').length);
  assert.equal(img, 0);
  assert.equal(await page.evaluate(() => window.__owned), undefined);
  await context.close();
});

test('Tally.setTheme re-themes the live widget: colours, icon and texts', async () => {
  const { context, page, launcher } = await guestPage();
  assert.equal(await style(launcher, 'backgroundColor'), DEFAULT_PRIMARY);
  await page.evaluate(() => window.Tally.setTheme({
    colors: { primary: '#123456' }, launcher_icon: 'none', launcher_label: 'Collect beans', texts: { join: 'Sign me up' },
  }));
  await page.getByRole('button', { name: 'Rewards, Collect beans' }).waitFor();
  assert.equal(await style(launcher, 'backgroundColor'), 'rgb(18, 52, 86)');
  assert.equal(await launcher.locator('svg').count(), 0);
  await launcher.click();
  await page.getByRole('dialog').getByRole('link', { name: 'Sign me up' }).waitFor();
  await context.close();
});

test('mode auto follows prefers-color-scheme; mode light does not', async () => {
  const auto = await guestPage({ colorScheme: 'dark' });
  assert.equal(await style(auto.launcher, 'backgroundColor'), 'rgb(143, 212, 191)'); // DARK_DEFAULTS[0]
  await auto.context.close();
  const light = await guestPage({ colorScheme: 'dark', attrs: { theme: JSON.stringify({ mode: 'light' }) } });
  assert.equal(await style(light.launcher, 'backgroundColor'), DEFAULT_PRIMARY);
  await light.context.close();
});

test("the shop's saved theme applies, and the tag's data-theme overrides it value by value", async () => {
  const program = await (await fetch(`${server.url}/v1/shops/demo-coffee/program`)).json();
  const { shop, ...rules } = program;
  const origins = [server.url, server.url.replace('127.0.0.1', 'localhost')];
  await merchant(server.url, 'PUT', '/program', {
    ...rules, theme: { colors: { primary: '#5a2d82' }, launcher_position: 'bottom-left' }, allowed_origins: origins,
  });
  try {
    const saved = await guestPage();
    assert.equal(await style(saved.launcher, 'backgroundColor'), 'rgb(90, 45, 130)');
    assert.ok((await saved.launcher.boundingBox()).x < 100, 'bottom-left from the saved theme');
    await saved.context.close();
    const tag = await guestPage({ attrs: { theme: JSON.stringify({ colors: { primary: '#00695c' } }) } });
    assert.equal(await style(tag.launcher, 'backgroundColor'), 'rgb(0, 105, 92)');
    assert.ok((await tag.launcher.boundingBox()).x < 100, 'the saved corner stands');
    await tag.context.close();
  } finally {
    await merchant(server.url, 'PUT', '/program', { ...rules, allowed_origins: origins });
  }
});
