// A signed-in shopper on the demo storefront: balance, tiers, redeeming, activity paging, referral link.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, freshCustomer, launchBrowser, merchant, newPage, screenshot, startServer, widgetReady,
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

test('the launcher shows the balance and the panel the way to the next tier', async () => {
  // $120.00 spent: 120 stars + 50 for joining; $80.00 short of Silver.
  const { id, me } = await freshCustomer(server.url, 12_000, 'Ada');
  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const { context, page, problems } = await newPage(browser, viewport);
    await page.goto(`${server.url}/?customer=${id}`);
    await widgetReady(page);
    const launcher = page.getByRole('button', { name: `Rewards, ${me.balance} stars` });
    await launcher.waitFor();
    await screenshot(page, `member-launcher-${label}`);
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Tally Coffee Roasters Rewards' });
    await dialog.waitFor();
    await dialog.getByText('Hi Ada').waitFor();
    await dialog.getByText(`Spend $${(me.next_tier.remaining / 100).toFixed(2)} more to reach ${me.next_tier.name}`).waitFor();
    const bar = dialog.getByRole('progressbar');
    assert.equal(await bar.getAttribute('aria-valuenow'), String(Math.round(me.tier_progress * 100)));
    // Focus moved into the dialog; Escape closes it and gives focus back to the launcher.
    assert.ok(await page.evaluate(() => document.querySelector('tally-widget').shadowRoot.activeElement !== null));
    await screenshot(page, `member-panel-${label}`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.querySelector('tally-widget').shadowRoot.activeElement?.className), 'tally-launcher');
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('redeeming shows the code and the new balance, once, and tells the page', async () => {
  const { id, me } = await freshCustomer(server.url, 12_000);
  const { context, page, problems } = await newPage(browser);
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const card = page.locator('.tally-reward', { hasText: '$5 off' });
  await card.getByRole('button', { name: 'Redeem' }).click();
  await card.getByText('Spend 100 stars on $5 off?').waitFor();
  // A double click on the confirmation must not redeem twice.
  await card.getByRole('button', { name: 'Yes, redeem' }).dblclick();
  const code = await card.locator('.tally-code__value').textContent();
  assert.ok(code && code.length > 3, `code: ${code}`);
  await card.getByText('Enter this code at checkout.').waitFor();
  await page.getByRole('button', { name: `Rewards, ${me.balance - 100} stars` }).waitFor();
  await page.locator('.tally-summary__points', { hasText: `${me.balance - 100} stars` }).waitFor();
  // The live region announces it.
  await page.locator('[role=status]', { hasText: `Your code is ${code}` }).waitFor();
  const events = await page.evaluate(() => window.__tallyEvents.filter((e) => e.type === 'tally:redeemed'));
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].detail, { reward_id: '5off', code, points_spent: 100, balance: me.balance - 100 });
  const after = await merchant(server.url, 'GET', `/customers/${id}`);
  assert.equal(after.balance, me.balance - 100, 'exactly one redemption');
  await screenshot(page, 'member-redeemed-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('activity pages with "Show more"', async () => {
  const { id } = await freshCustomer(server.url, 0);
  for (let i = 0; i < 24; i += 1) {
    await merchant(server.url, 'POST', '/orders', { order_id: `o-${id}-${i}`, customer_id: id, total_minor: 1000 + i * 100, currency: 'USD' });
  }
  const { context, page, problems } = await newPage(browser);
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const items = page.locator('.tally-activity__item');
  await items.nth(19).waitFor();
  assert.equal(await items.count(), 20);
  await page.getByRole('button', { name: 'Show more' }).click();
  await items.nth(24).waitFor(); // 24 orders + joining
  assert.equal(await items.count(), 25);
  assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the referral link copies to the clipboard', async () => {
  const { id, me } = await freshCustomer(server.url, 5_000);
  const { context, page, problems } = await newPage(browser, DESKTOP, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const referral = page.locator('.tally-referral');
  await referral.getByRole('button', { name: 'Copy your referral link' }).click();
  await referral.getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), me.referral.url);
  assert.ok(await referral.getByRole('link', { name: 'Email' }).getAttribute('href').then((h) => h.startsWith('mailto:')));
  await referral.scrollIntoViewIfNeeded();
  await screenshot(page, 'member-referral-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('inline mode renders the same content in the page', async () => {
  const { context, page, problems } = await newPage(browser);
  await page.goto(`${server.url}/rewards`);
  await widgetReady(page);
  await page.locator('#rewards .tally-inline').waitFor();
  assert.equal(await page.locator('.tally-launcher').count(), 0);
  await page.locator('.tally-summary__points').waitFor();
  await screenshot(page, 'inline-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a failed redeem keeps its Idempotency-Key, so the retry redeems once', async () => {
  const { id, me } = await freshCustomer(server.url, 12_000);
  const { context, page } = await newPage(browser);
  const keys = [];
  await page.route('**/me/redemptions', async (route) => {
    // The panel also lists the shopper's codes (GET): only the redeem calls are under test.
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    // The first attempt reaches the server but its answer is lost on the way back.
    if (keys.length === 1) {
      await route.fetch();
      await route.abort();
    } else {
      await route.continue();
    }
  });
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const card = page.locator('.tally-reward', { hasText: '$5 off' });
  await card.getByRole('button', { name: 'Redeem' }).click();
  await card.getByRole('button', { name: 'Yes, redeem' }).click();
  await card.getByText('We could not reach the rewards service.').waitFor();
  await card.getByRole('button', { name: 'Try again' }).click();
  await card.locator('.tally-code__value').waitFor();
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], `keys ${keys}`);
  const after = await merchant(server.url, 'GET', `/customers/${id}`);
  assert.equal(after.balance, me.balance - 100, 'one redemption, not two');
  await context.close();
});

test('a reload shows the last view at once, even while the API is unreachable', async () => {
  const { id, me } = await freshCustomer(server.url, 6_000);
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.getByRole('button', { name: `Rewards, ${me.balance} stars` }).waitFor();
  await page.route('**/v1/shops/**', (route) => route.abort());
  await page.reload();
  await widgetReady(page);
  await page.getByRole('button', { name: `Rewards, ${me.balance} stars` }).waitFor();
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-summary__points', { hasText: `${me.balance} stars` }).waitFor();
  await context.close();
});
