// The demo's whole program in the widget: the paid "Gold Club" offered and a member's own membership, a
// monthly free sample used up until the next month, a way to earn limited to once a month, and the
// feedback question answered with the keyboard alone; in English and Arabic, on a phone and a desktop,
// axe-clean.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, SHOP, freshCustomer, hostPage, launchBrowser, merchant, newPage, screenshot, servePage,
  shopperAttrs, signShopper, startServer, widgetReady,
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

/** The widget for `customer` (or a guest) in `locale` on a page of its own, the panel open. */
async function openPanel({ customer, locale = 'en', viewport = DESKTOP } = {}) {
  const { context, page, problems } = await newPage(browser, viewport);
  const attrs = { locale, ...(customer ? shopperAttrs(customer) : {}) };
  await servePage(page, server.url, '/shop', hostPage({ base: server.url, attrs, body: '<main><h1>Shop</h1></main>' }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator(customer ? '.tally-summary__points' : '.tally-guest').waitFor();
  await page.locator('.tally-tiers__item').first().waitFor();
  return { context, page, problems };
}

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector('tally-widget'), { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' > ')} ${n.failureSummary}`).join(' | ')}`);
  });
}

/** A customer with an order of `totalMinor` who bought the Gold Club; returns the id and the membership. */
async function clubMember(totalMinor = 12_000) {
  const { id } = await freshCustomer(server.url, totalMinor, 'Ada');
  const membership = await merchant(server.url, 'POST', `/customers/${id}/memberships`, { tier_id: 'club', order_id: `club-${id}` });
  return { id, membership };
}

const mediumDate = (iso) => new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(iso));
/** "January 1": the first day of next month (UTC), when a monthly limit starts again. */
const nextMonth = () => {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long' }).format(first);
};

/** The element focused inside the widget's shadow root, described. */
const focused = (page) => page.evaluate(() => {
  const el = document.querySelector('tally-widget')?.shadowRoot?.activeElement;
  return el ? { tag: el.tagName.toLowerCase(), type: el.type ?? null, value: el.value ?? null, text: el.textContent.trim() } : null;
});

test('the paid tier is offered with its price and a link; a member sees their membership instead', async () => {
  const guest = await openPanel();
  const offer = guest.page.locator('.tally-tiers__item', { hasText: 'Gold Club' });
  await offer.getByText('For members: $49 a year').waitFor();
  await offer.getByText('Free shipping on every order').waitFor();
  const link = offer.getByRole('link', { name: 'Become a member' });
  assert.equal(await link.getAttribute('href'), `${server.url}/#gold-club`);
  assert.equal(await guest.page.locator('.tally-feedback').count(), 0, 'a guest is not asked for feedback');
  assert.deepEqual(guest.problems, []);
  await guest.context.close();

  const { id, membership } = await clubMember();
  const { context, page, problems } = await openPanel({ customer: id });
  const card = page.locator('.tally-tiers__item', { hasText: 'Gold Club' });
  await card.getByText(`Member until ${mediumDate(membership.expires_at)}`).waitFor();
  await card.getByText('Your tier').waitFor();
  assert.equal(await card.getByRole('link').count(), 0);
  await page.locator('.tally-tier__current', { hasText: 'Gold Club' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the monthly sample is free once a month, then used up until the next month with its code kept', async () => {
  const { id } = await clubMember();
  const { context, page, problems } = await openPanel({ customer: id });
  const card = page.locator('.tally-reward', { hasText: 'Sample of the month' });
  await card.getByText('Once a month').waitFor();
  await card.locator('.tally-reward__cost', { hasText: 'Free' }).waitFor();
  await card.getByRole('button', { name: 'Redeem' }).click();
  await card.getByRole('button', { name: 'Yes, redeem' }).click();
  const code = (await card.locator('.tally-code__value').textContent()).trim();
  await card.getByRole('button', { name: 'Done' }).click();
  const used = `Used this month — again on ${nextMonth()}`;
  await card.getByText(used).waitFor();
  const button = card.getByRole('button', { name: 'Redeem' });
  assert.equal(await button.getAttribute('aria-disabled'), 'true');
  assert.equal(await button.getAttribute('aria-describedby'), 'tally-limit-sample');
  // Playwright refuses to click what is aria-disabled; a shopper can, and nothing happens.
  await button.click({ force: true });
  assert.equal(await card.getByText('Yes, redeem').count(), 0, 'an inert button asks nothing');
  // The code, valid for 30 days, is under "Your codes".
  await page.locator('.tally-codes__item', { hasText: code }).getByText(/^Valid until /).waitFor();

  // The server says so too: after a reload, from /me's limits.
  await page.reload();
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-reward', { hasText: 'Sample of the month' }).getByText(used).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a way to earn limited to once a month says so, and when it is used up', async () => {
  const { id } = await freshCustomer(server.url, 12_000, 'Ada');
  const first = await openPanel({ customer: id });
  const recycle = first.page.locator('.tally-earn__item', { hasText: 'Recycle a bag at the counter' });
  await recycle.getByText('Once a month').waitFor();
  await first.context.close();
  await merchant(server.url, 'POST', `/customers/${id}/activities`, { rule_id: 'recycle', idempotency_key: randomUUID() });
  const { context, page, problems } = await openPanel({ customer: id });
  await page.locator('.tally-earn__item', { hasText: 'Recycle a bag at the counter' })
    .getByText(`Used this month — again on ${nextMonth()}`).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the feedback question is answered with the keyboard alone, thanked, and not asked again', async () => {
  const { id, me } = await freshCustomer(server.url, 12_000, 'Ada');
  const { context, page, problems } = await openPanel({ customer: id });
  const prompt = page.locator('.tally-feedback');
  const group = prompt.getByRole('group', { name: 'How likely are you to recommend Tally Coffee to a friend?' });
  await group.waitFor();
  await group.getByRole('radio', { name: '0 — not at all likely' }).waitFor();
  await group.getByRole('radio', { name: '10 — extremely likely' }).waitFor();
  await prompt.getByText('Earn 25 stars for your answer').waitFor();
  // Tab reaches the group once, on its first radio; the arrow keys choose.
  await prompt.scrollIntoViewIfNeeded();
  await group.getByRole('radio', { name: '0 — not at all likely' }).focus();
  for (let i = 0; i < 9; i += 1) await page.keyboard.press('ArrowRight');
  assert.deepEqual(await focused(page).then((f) => [f.type, f.value]), ['radio', '9']);
  assert.ok(await group.getByRole('radio', { name: '9' }).isChecked());
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).tag, 'textarea');
  await page.keyboard.type('The house blend is lovely.');
  await prompt.getByText('26 of 2,000 characters').waitFor();
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Send');
  await screenshot(page, 'program-feedback-answered-en-desktop');
  await page.keyboard.press('Enter');
  await prompt.getByText('Thank you for your answer!').waitFor();
  await prompt.getByText('25 stars added to your balance.').waitFor();
  await prompt.getByText(/^We will ask again after /).waitFor();
  assert.ok((await focused(page)).text.startsWith('Thank you'), 'focus moves to the thanks');
  await page.locator('.tally-summary__points', { hasText: `${me.balance + 25} stars` }).waitFor();
  assert.equal((await merchant(server.url, 'GET', `/customers/${id}`)).balance, me.balance + 25);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], violations.join('\n'));
  await screenshot(page, 'program-feedback-thanks-en-desktop');

  // Not asked again: neither when the panel opens again nor after a reload.
  await page.keyboard.press('Escape');
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-summary__points').waitFor();
  await page.locator('.tally-earn__item').first().waitFor();
  assert.equal(await page.locator('.tally-feedback').count(), 0);
  await page.reload();
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-earn__item').first().waitFor();
  assert.equal(await page.locator('.tally-feedback').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the whole program in English and Arabic, phone and desktop: screenshots and axe', async () => {
  const { id } = await clubMember(30_000);
  const { id: sid, timestamp, signature } = signShopper(id);
  const res = await fetch(`${server.url}/v1/shops/${SHOP}/me/redemptions`, {
    method: 'POST',
    headers: {
      'x-tally-customer': sid, 'x-tally-timestamp': timestamp, 'x-tally-signature': signature,
      'idempotency-key': randomUUID(), 'content-type': 'application/json',
    },
    body: JSON.stringify({ reward_id: 'sample' }),
  });
  assert.equal(res.status, 201);
  const { id: other } = await freshCustomer(server.url, 1_000, 'Ada');
  await merchant(server.url, 'POST', `/customers/${other}/activities`, { rule_id: 'recycle', idempotency_key: randomUUID() });
  for (const locale of ['en', 'ar']) {
    for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const { context, page, problems } = await openPanel({ customer: id, locale, viewport });
      if (locale === 'ar') assert.equal(await page.locator('.tally').getAttribute('dir'), 'rtl');
      const sample = page.locator('.tally-reward', { hasText: 'Sample of the month' });
      await sample.locator('.tally-reward__status').waitFor();
      await page.locator('.tally-codes__item').first().waitFor();
      await sample.scrollIntoViewIfNeeded();
      await screenshot(page, `program-reward-${locale}-${label}`);
      const scale = page.locator('.tally-nps');
      await scale.getByRole('radio').nth(8).check();
      await page.locator('.tally-feedback').scrollIntoViewIfNeeded();
      await screenshot(page, `program-feedback-${locale}-${label}`);
      await page.locator('.tally-tiers__item').last().scrollIntoViewIfNeeded();
      await screenshot(page, `program-tiers-${locale}-${label}`);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${locale} ${label}:\n${violations.join('\n')}`);
      assert.deepEqual(problems, []);
      await context.close();
      // A shopper who is not a member: the offer and its link, and a way to earn used up.
      const guest = await openPanel({ customer: other, locale, viewport });
      await guest.page.locator('.tally-tiers__item').last().scrollIntoViewIfNeeded();
      await screenshot(guest.page, `program-offer-${locale}-${label}`);
      const more = await axeViolations(guest.page);
      assert.deepEqual(more, [], `${locale} ${label} (not a member):\n${more.join('\n')}`);
      await guest.context.close();
    }
  }
});
