// "Your codes": a redeemed code appears with a copy button and its expiry, a code used at the shop's
// checkout (the merchant API) moves under "Used and expired codes"; in English and Arabic, on a phone and a
// desktop, axe-clean.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, SHOP, freshCustomer, hostPage, launchBrowser, merchant, newPage, screenshot, servePage,
  redeemAs, shopperAttrs, startServer, widgetReady,
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

/** Redeems `rewardId` for `customer` as the widget would, straight through the shopper API. */
const redeem = (customer, rewardId) => redeemAs(server.url, customer, rewardId);

/** The widget for `customer` in `locale` on a page of its own, the panel open. */
async function openPanel(customer, { locale = 'en', viewport = DESKTOP, permissions } = {}) {
  const { context, page, problems } = await newPage(browser, viewport, permissions ? { permissions } : {});
  const attrs = { locale, ...shopperAttrs(customer) };
  await servePage(page, server.url, '/shop', hostPage({ base: server.url, attrs, body: '<main><h1>Shop</h1></main>' }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-summary__points').waitFor();
  return { context, page, problems };
}

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector('tally-widget'), { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' > ')} ${n.failureSummary}`).join(' | ')}`);
  });
}

test('a redeemed code appears under "Your codes" and its copy button copies it', async () => {
  const { id } = await freshCustomer(server.url, 12_000, 'Ada');
  const { context, page, problems } = await openPanel(id, { permissions: ['clipboard-read', 'clipboard-write'] });
  // Nothing redeemed yet: no section.
  await page.locator('.tally-earn__item').first().waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Your codes' }).count(), 0);
  const card = page.locator('.tally-reward', { hasText: '$5 off' });
  await card.getByRole('button', { name: 'Redeem' }).click();
  await card.getByRole('button', { name: 'Yes, redeem' }).click();
  const code = (await card.locator('.tally-code__value').textContent()).trim();
  const item = page.locator('.tally-codes__item', { hasText: code });
  await item.waitFor();
  await item.getByText('$5 off').waitFor();
  assert.equal(await page.locator('.tally-codes__item').count(), 1, 'once, even after the list is fetched again');
  await item.getByRole('button', { name: 'Copy' }).click();
  await item.getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a code used at checkout moves to the used ones when the panel opens again', async () => {
  const { id } = await freshCustomer(server.url, 30_000, 'Ada');
  const first = await redeem(id, '5off');
  const second = await redeem(id, '5off');
  const { context, page, problems } = await openPanel(id);
  for (const { code } of [first, second]) await page.locator('.tally-codes__item', { hasText: code }).waitFor();
  assert.equal(await page.locator('.tally-codes__past').count(), 0, 'nothing used yet');

  const used = await merchant(server.url, 'POST', `/codes/${first.code}/use`, { order_id: `o-use-${id}` });
  assert.equal(used.status, 'used');
  await page.keyboard.press('Escape');
  await page.locator('.tally-launcher').click();
  const past = page.locator('.tally-codes__past');
  await past.waitFor();
  assert.equal(await page.locator('.tally-codes__item', { hasText: first.code }).count(), 0);
  await page.locator('.tally-codes__item', { hasText: second.code }).waitFor();
  const summary = past.locator('summary');
  assert.equal((await summary.textContent()).trim(), 'Used and expired codes (1)');
  assert.equal(await past.getByText(first.code).isVisible(), false, 'folded away');
  await summary.click();
  await past.locator('.tally-codes__past-item', { hasText: first.code }).getByText('Used').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('"Your codes" in English and Arabic, phone and desktop: screenshots and axe', async () => {
  const { id } = await freshCustomer(server.url, 30_000, 'Ada');
  const used = await redeem(id, '5off');
  await merchant(server.url, 'POST', `/codes/${used.code}/use`, { order_id: `o-use-${id}` });
  const good = await redeem(id, '5off');
  for (const locale of ['en', 'ar']) {
    for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const { context, page, problems } = await openPanel(id, { locale, viewport });
      const item = page.locator('.tally-codes__item', { hasText: good.code });
      await item.waitFor();
      if (locale === 'ar') {
        assert.equal(await page.locator('.tally').getAttribute('dir'), 'rtl');
        await page.locator('.tally-codes__past summary', { hasText: 'الرموز المستخدمة والمنتهية' }).click();
      } else {
        await page.locator('.tally-codes__past summary').click();
      }
      await page.locator('.tally-codes__past-item', { hasText: used.code }).waitFor();
      await page.locator('.tally-codes__past').scrollIntoViewIfNeeded();
      await item.scrollIntoViewIfNeeded();
      await screenshot(page, `codes-${locale}-${label}`);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${locale} ${label}:\n${violations.join('\n')}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});
