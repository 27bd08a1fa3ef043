// The counter, the customers and the codes pages of the console against the real server: a clerk on a
// phone serves a shopper found by a phone typed as spoken, records an order and takes their code; a
// manager's double-clicked adjustment is one ledger entry and needs a reason; axe finds nothing on the
// customer page and the counter in English and Arabic, on a phone and a desktop.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DEMO_OWNER, ROOT, DESKTOP, PHONE, SHOP, addStaff, axeViolations, consoleSignIn, freshCustomer, launchBrowser, merchant,
  newPage, redeemAs, screenshot, signShopper, startServer,
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

// Signed out, the console's first `GET /v1/staff/session` is a 401, which Chromium logs itself. A manager's
// home is the program, whose preview loads the widget: a 404 when only the console was built.
const widgetBuilt = existsSync(join(ROOT, 'dist', 'tally.js'));
const unexpected = (problems) => problems.filter((p) => !p.includes('status of 401')
  && (widgetBuilt || !p.includes('status of 404')));

/** Redeems `rewardId` for `customer` through the shopper API; resolves to the code. */
const redeem = async (customer, rewardId) => (await redeemAs(server.url, customer, rewardId)).code;

/** Answers the feedback question for `customer` as the widget would. */
async function answerFeedback(customer, score, comment) {
  const { id, timestamp, signature } = signShopper(customer);
  const res = await fetch(`${server.url}/v1/shops/${SHOP}/me/feedback`, {
    method: 'POST',
    headers: {
      'x-tally-customer': id, 'x-tally-timestamp': timestamp, 'x-tally-signature': signature,
      'idempotency-key': `e2e-${Math.random()}`, 'content-type': 'application/json',
    },
    body: JSON.stringify({ score, comment }),
  });
  assert.equal(res.status, 201, await res.clone().text());
}

/** A phone number no other test customer has: +1 201 555 01xx. */
let phones = 0;
const newPhone = () => `+1201555${String(100 + (phones++)).padStart(4, '0')}`;

test('a clerk on a phone finds a shopper by a phone typed with spaces, records an order, and uses their code', async () => {
  const clerk = await addStaff(server.url, 'clerk');
  const { id } = await freshCustomer(server.url, 12_000, 'Grace');
  const phone = newPhone(); // +1201555NNNN
  await merchant(server.url, 'PATCH', `/customers/${id}`, { phone });
  const code = await redeem(id, '5off');

  const { context, page, problems } = await newPage(browser, PHONE);
  await consoleSignIn(page, server.url, { email: clerk.email, password: clerk.password });
  // A clerk's home is the counter.
  await page.locator('#till-phone').waitFor();
  const spoken = `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
  await page.locator('#till-phone').fill(spoken);
  await page.locator('#till-find').click();
  await page.locator('.shopper-name', { hasText: 'Grace' }).waitFor();
  const before = await merchant(server.url, 'GET', `/customers/${id}`);
  assert.equal(await page.locator('#till-balance').textContent(), String(before.balance));

  // Every target the clerk taps is at least 48 px tall, and nothing is wider than the phone.
  for (const selector of ['#till-total', '#till-record', '#till-next', '#code-input', '#code-lookup']) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(box.height >= 48, `${selector} is ${box.height} px tall`);
  }
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll');

  await page.locator('#till-total').fill('12,5x');
  await page.locator('#till-record').click();
  await page.locator('#till-total-problem', { hasText: 'as a number' }).waitFor();
  await page.locator('#till-total').fill('25.40');
  const orderId = await page.locator('#till-order-id').inputValue();
  await page.locator('#till-record').click();
  await page.locator('#till-earned', { hasText: 'points earned' }).waitFor();
  const after = await merchant(server.url, 'GET', `/customers/${id}`);
  const earned = after.balance - before.balance;
  assert.ok(earned > 0, 'the order earned points');
  assert.equal(await page.locator('#till-earned .earned-points').textContent(), `+${earned}`);
  assert.equal(await page.locator('#till-balance').textContent(), String(after.balance));
  const history = await merchant(server.url, 'GET', `/customers/${id}/activity`);
  assert.equal(history.items.filter((e) => e.kind === 'earn').length, 2, 'one entry for the order at the counter');
  await screenshot(page, 'counter-order-en-phone');

  // The code, read out in small letters with spaces, is used with the order just recorded.
  await page.locator('#code-input').fill(` ${code.toLowerCase()} `);
  await page.locator('#code-lookup').click();
  await page.locator('#code-found .pill', { hasText: 'Ready to use' }).waitFor();
  assert.equal(await page.locator('#code-order-id').inputValue(), orderId);
  await page.locator('#code-use').click();
  await page.locator('#code-status', { hasText: 'Code used' }).waitFor();
  await page.locator('#code-found .pill', { hasText: 'Used' }).waitFor();
  const used = await merchant(server.url, 'GET', `/codes/${code}`);
  assert.equal(used.status, 'used');
  assert.equal(used.order_id, orderId);
  // A clerk may not cancel codes: the button is not offered.
  assert.equal(await page.locator('#code-cancel').count(), 0);
  await screenshot(page, 'counter-code-en-phone');

  // A new shopper is enrolled by phone.
  await page.locator('#till-next').click();
  const newcomer = newPhone();
  await page.locator('#till-phone').fill(newcomer.replace('+1', '+1 ').replace(/(\d{3})(\d{4})$/, '$1 $2'));
  await page.locator('#till-find').click();
  await page.locator('#till-first-name').fill('Linus');
  await page.locator('#till-enrol').click();
  await page.locator('.shopper-name', { hasText: 'Linus' }).waitFor();
  const found = await merchant(server.url, 'GET', `/customers?q=${encodeURIComponent(newcomer)}`);
  assert.equal(found.items.length, 1);
  assert.equal(found.items[0].first_name, 'Linus');
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test('a manager finds a customer, a double-clicked adjustment is one ledger entry, a reason is required, and a code is cancelled', async () => {
  const manager = await addStaff(server.url, 'manager');
  const { id } = await freshCustomer(server.url, 5_000, 'Hedy');
  const { context, page, problems } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, { email: manager.email, password: manager.password });
  await page.goto(`${server.url}/console/customers`);
  await page.locator('#customer-q').fill(id);
  await page.locator('#customer-search').click();
  await page.locator('table.customers a', { hasText: 'Hedy' }).click();
  await page.locator('#adjust-points').waitFor();
  assert.match(page.url(), new RegExp(`/console/customers/${id}$`));
  const before = await merchant(server.url, 'GET', `/customers/${id}`);
  assert.equal(await page.locator('#customer-balance').textContent(), String(before.balance));

  await page.locator('#adjust-points').fill('30');
  await page.locator('#adjust-submit').click();
  await page.locator('#adjust-problem', { hasText: 'A reason is required' }).waitFor();
  const untouched = await merchant(server.url, 'GET', `/customers/${id}/activity`);
  assert.equal(untouched.items.filter((e) => e.kind === 'adjust').length, 0);

  await page.locator('#adjust-reason').fill('Spilled coffee, on the house');
  await page.locator('#adjust-submit').dblclick();
  await page.locator('#adjust-status', { hasText: `New balance: ${before.balance + 30}` }).waitFor();
  await page.locator('#history td', { hasText: 'Spilled coffee, on the house' }).waitFor();
  // Give a second request, had one been sent, time to land.
  await page.waitForTimeout(500);
  const activity = await merchant(server.url, 'GET', `/customers/${id}/activity`);
  const adjustments = activity.items.filter((e) => e.kind === 'adjust');
  assert.equal(adjustments.length, 1, JSON.stringify(activity.items));
  assert.equal(adjustments[0].points, 30);
  assert.equal((await merchant(server.url, 'GET', `/customers/${id}`)).balance, before.balance + 30);
  assert.equal(await page.locator('#customer-balance').textContent(), String(before.balance + 30));

  // A phone that belongs to someone else is refused in place, the typed value kept.
  const other = await freshCustomer(server.url, 0, 'Other');
  const taken = newPhone();
  await merchant(server.url, 'PATCH', `/customers/${other.id}`, { phone: taken });
  await page.locator('#profile-phone').fill(taken);
  await page.locator('#profile-save').click();
  await page.locator('#profile-error', { hasText: /phone/i }).waitFor();
  assert.equal(await page.locator('#profile-phone').inputValue(), taken);
  await screenshot(page, 'customer-detail-en-desktop');

  // From the customer's codes to the codes page, where a manager cancels one (confirmed) and the points
  // come back.
  const code = await redeem(id, '5off');
  await page.reload();
  await page.locator('#customer-codes a', { hasText: code }).click();
  await page.locator('#code-found .pill', { hasText: 'Ready to use' }).waitFor();
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('#code-cancel').click();
  await page.locator('#code-status', { hasText: 'Code cancelled' }).waitFor();
  assert.equal((await merchant(server.url, 'GET', `/codes/${code}`)).status, 'cancelled');
  assert.equal((await merchant(server.url, 'GET', `/customers/${id}`)).balance, before.balance + 30);
  assert.deepEqual(unexpected(problems).filter((p) => !p.includes('status of 409')), []);
  await context.close();
});

for (const lang of ['en', 'ar']) {
  test(`axe finds nothing on the customer page and the counter in ${lang}, at phone and desktop widths`, async () => {
    const { id } = await freshCustomer(server.url, 60_000, 'Noor');
    await merchant(server.url, 'PATCH', `/customers/${id}`, { phone: newPhone(), birthday: '03-14' });
    await redeem(id, '5off');
    await answerFeedback(id, 9, 'The oat flat white is perfect');
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      // bypassCSP only lets the test inject axe-core; the console's own policy is tested by the server.
      const { context, page, problems } = await newPage(browser, viewport, { bypassCSP: true });
      await page.addInitScript((l) => localStorage.setItem('tally-console-lang', l), lang);
      await consoleSignIn(page, server.url, DEMO_OWNER);
      assert.equal(await page.locator('html').getAttribute('dir'), lang === 'ar' ? 'rtl' : 'ltr');

      await page.goto(`${server.url}/console/customers/${id}`);
      await page.locator('#customer-balance').waitFor();
      await page.locator('#customer-codes').waitFor();
      await page.locator('#customer-feedback', { hasText: 'The oat flat white is perfect' }).waitFor();
      await page.waitForTimeout(300);
      assert.deepEqual(await axeViolations(page), [], `customer (${lang}, ${size})`);
      await screenshot(page, `customer-${lang}-${size}`);
      await page.locator('#history-title').scrollIntoViewIfNeeded();
      await screenshot(page, `customer-history-${lang}-${size}`);

      await page.goto(`${server.url}/console/counter`);
      await page.locator('#till-phone').fill('+1 201 555 0999');
      await page.locator('#till-find').click();
      await page.locator('#till-enrol').waitFor();
      assert.deepEqual(await axeViolations(page), [], `counter, enrol (${lang}, ${size})`);
      await screenshot(page, `counter-enrol-${lang}-${size}`);
      await page.goto(`${server.url}/console/customers/${id}`);
      const phone = (await merchant(server.url, 'GET', `/customers?q=${id}`)).items[0].phone;
      await page.goto(`${server.url}/console/counter`);
      await page.locator('#till-phone').fill(phone);
      await page.locator('#till-find').click();
      await page.locator('#till-record').waitFor();
      await page.waitForTimeout(300);
      assert.deepEqual(await axeViolations(page), [], `counter, shopper (${lang}, ${size})`);
      await screenshot(page, `counter-${lang}-${size}`);

      await page.goto(`${server.url}/console/codes`);
      const { items } = await merchant(server.url, 'GET', `/customers/${id}/redemptions`);
      await page.locator('#code-input').fill(items[0].code);
      await page.locator('#code-lookup').click();
      await page.locator('#code-found').waitFor();
      assert.deepEqual(await axeViolations(page), [], `codes (${lang}, ${size})`);
      await screenshot(page, `codes-${lang}-${size}`);
      assert.deepEqual(unexpected(problems), []);
      await context.close();
    }
  });
}
