// Accessibility (WCAG 2.1 AA): axe-core finds nothing on the guest and member views in English and
// Arabic, light and dark; a reward is redeemed with the keyboard alone; the dialog keeps focus inside and
// gives it back; touch targets are at least 44 px; reduced motion stops the animations.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, freshCustomer, hostPage, launchBrowser, newPage, screenshot, servePage, shopperAttrs, startServer,
  widgetReady,
} from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core');

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

/** A page with the widget for `customer` (or a guest) in `locale`, the panel open. */
async function openPanel({ locale = 'en', customer, colorScheme = 'light', viewport = DESKTOP, reducedMotion, theme } = {}) {
  const { context, page, problems } = await newPage(browser, viewport);
  await page.emulateMedia({ colorScheme, ...(reducedMotion ? { reducedMotion } : {}) });
  const attrs = { locale, ...(customer ? shopperAttrs(customer) : {}), ...(theme ? { theme: JSON.stringify(theme) } : {}) };
  await servePage(page, server.url, '/shop', hostPage({ base: server.url, attrs, body: '<main><h1>Shop</h1></main>' }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await page.locator(customer ? '.tally-summary__points' : '.tally-guest').waitFor();
  await page.locator('.tally-earn__item').first().waitFor();
  return { context, page, problems, dialog };
}

/** The element focused inside the widget's shadow root, described. */
const focused = (page) => page.evaluate(() => {
  const el = document.querySelector('tally-widget')?.shadowRoot?.activeElement;
  return el ? { tag: el.tagName.toLowerCase(), className: el.className, text: el.textContent.trim() } : null;
});

/** axe-core's violations inside the widget (it walks the open shadow root), one line each. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector('tally-widget'), { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' > ')} ${n.failureSummary}`).join(' | ')}`);
  });
}

test('axe does see inside the widget: a pale muted colour is a contrast violation', async () => {
  const { context, page } = await openPanel({ theme: { mode: 'light', colors: { muted: '#c8c8c8' } } });
  const violations = await axeViolations(page);
  assert.ok(violations.some((v) => v.startsWith('color-contrast')), violations.join('\n'));
  await context.close();
});

for (const locale of ['en', 'ar']) {
  for (const colorScheme of ['light', 'dark']) {
    test(`axe finds no violations on the guest and member views (${locale}, ${colorScheme})`, async () => {
      const { id } = await freshCustomer(server.url, 12_000, 'Ada');
      for (const customer of [undefined, id]) {
        const { context, page, problems } = await openPanel({ locale, customer, colorScheme });
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], `${customer ? 'member' : 'guest'}:\n${violations.join('\n')}`);
        if (colorScheme === 'dark') await screenshot(page, `a11y-${customer ? 'member' : 'guest'}-${locale}-dark`);
        assert.deepEqual(problems, []);
        await context.close();
      }
    });
  }
}

test('a reward is redeemed with the keyboard alone, and focus follows every step', async () => {
  const { id, me } = await freshCustomer(server.url, 12_000, 'Ada');
  const { context, page, problems } = await newPage(browser);
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.getByRole('button', { name: `Rewards, ${me.balance} stars` }).waitFor();
  const tabTo = async (matches, what, key = 'Tab') => {
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press(key);
      if (matches(await focused(page))) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabTo((f) => f?.className === 'tally-launcher', 'the launcher');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  await tabTo((f) => f?.tag === 'button' && f.text === 'Redeem', 'the first Redeem button');
  // The first reward with a Redeem button is the $5 off.
  await page.keyboard.press('Space');
  await page.getByText('Spend 100 stars on $5 off?').waitFor();
  assert.equal((await focused(page))?.text, 'Yes, redeem', 'focus moves to the confirmation');
  await page.keyboard.press('Enter');
  const code = await page.locator('.tally-code__value').textContent();
  assert.equal((await focused(page))?.className, 'tally-code', 'focus moves to the code');
  await page.locator('[role=status]', { hasText: `Your code is ${code}` }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal((await focused(page))?.className, 'tally-launcher', 'focus returns to the launcher');
  await page.getByRole('button', { name: `Rewards, ${me.balance - 100} stars` }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('Tab and Shift+Tab stay inside the open dialog', async () => {
  const { context, page } = await openPanel();
  const inside = () => page.evaluate(() => {
    const root = document.querySelector('tally-widget').shadowRoot;
    return document.activeElement === root.host && root.querySelector('.tally-panel').contains(root.activeElement);
  });
  const stops = await page.evaluate(() => document.querySelector('tally-widget').shadowRoot
    .querySelectorAll('.tally-panel button:not([disabled]), .tally-panel a[href], .tally-panel input').length);
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < stops + 2; i += 1) {
      await page.keyboard.press(key);
      assert.ok(await inside(), `${key} #${i + 1} left the dialog`);
    }
  }
  await context.close();
});

test('every control in the panel is at least 44 by 44 px, on a phone too', async () => {
  const { id } = await freshCustomer(server.url, 12_000, 'Ada');
  for (const viewport of [DESKTOP, PHONE]) {
    const { context, page } = await openPanel({ customer: id, viewport });
    const small = await page.evaluate(() => [...document.querySelector('tally-widget').shadowRoot
      .querySelectorAll('button, a[href], input')]
      .map((el) => ({ el: `${el.tagName} ${el.textContent.trim() || el.getAttribute('aria-label')}`, box: el.getBoundingClientRect() }))
      // A tolerance for float noise: the panel slides in with a fractional translate.
      .filter(({ box }) => box.width < 43.99 || box.height < 43.99)
      .map(({ el, box }) => `${el}: ${box.width.toFixed(3)}x${box.height.toFixed(3)}`));
    assert.deepEqual(small, []);
    await context.close();
  }
});

test('prefers-reduced-motion stops the panel animation', async () => {
  const moving = await openPanel();
  const animation = (p) => p.locator('.tally-panel').evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(await animation(moving.page), 'tally-in');
  await moving.context.close();
  const still = await openPanel({ reducedMotion: 'reduce' });
  assert.equal(await animation(still.page), 'none');
  await still.context.close();
});
