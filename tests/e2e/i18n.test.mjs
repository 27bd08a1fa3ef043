// Languages: English built in, German, French, Spanish, Turkish and Arabic from catalogs loaded on demand;
// numbers, money and dates through Intl; plural forms through Intl.PluralRules; Arabic laid out right to left
// with the launcher left in the merchant's corner. Screenshots of each at phone and desktop size.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, freshCustomer, hostPage, launchBrowser, merchant, newPage, screenshot, servePage, shopperAttrs, startServer,
  tallyWarnings, widgetReady,
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

const SHOP = 'Tally Coffee Roasters';
// What each language must show a member named Ada with no friends referred yet.
const LANGUAGES = {
  en: { title: `${SHOP} Rewards`, greeting: 'Hi Ada', redeem: 'Redeem', friends: '0 friends joined', close: 'Close' },
  de: { title: `${SHOP} Prämienprogramm`, greeting: 'Hallo Ada', redeem: 'Einlösen', friends: '0 Freunde sind dabei', close: 'Schließen' },
  fr: { title: `Programme fidélité ${SHOP}`, greeting: 'Bonjour Ada', redeem: 'Échanger', friends: '0 ami inscrit', close: 'Fermer' },
  es: { title: `Recompensas de ${SHOP}`, greeting: 'Hola, Ada', redeem: 'Canjear', friends: '0 amigos se han unido', close: 'Cerrar' },
  tr: { title: `${SHOP} Ödül Programı`, greeting: 'Merhaba Ada', redeem: 'Kullan', friends: '0 arkadaşınız katıldı', close: 'Kapat' },
  ar: { title: `مكافآت ${SHOP}`, greeting: 'مرحبًا Ada', redeem: 'استبدال', friends: 'لم ينضم أي صديق بعد', close: 'إغلاق' },
};

/** A member's page in `locale`, with the panel open. */
async function memberPanel(locale, viewport, customer) {
  const { context, page, problems } = await newPage(browser, viewport);
  const warnings = tallyWarnings(page);
  await servePage(page, server.url, '/shop', hostPage({ base: server.url, attrs: { locale, ...shopperAttrs(customer) } }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  const dialog = page.getByRole('dialog', { name: LANGUAGES[locale.slice(0, 2)].title });
  await dialog.waitFor();
  return { context, page, problems, warnings, dialog };
}

for (const [lang, text] of Object.entries(LANGUAGES)) {
  test(`${lang}: every text, number and amount of a member's panel is in ${lang}`, async () => {
    // $120.00 spent: 120 stars + 50 for joining, $80.00 short of Silver.
    const { id, me } = await freshCustomer(server.url, 12_000, 'Ada');
    for (const [viewport, label] of [[PHONE, 'phone'], [DESKTOP, 'desktop']]) {
      const { context, page, problems, warnings, dialog } = await memberPanel(lang, viewport, id);
      await dialog.getByText(text.greeting, { exact: true }).waitFor();
      await dialog.getByRole('button', { name: text.redeem }).first().waitFor();
      await dialog.getByRole('button', { name: text.close }).waitFor();
      await dialog.getByText(text.friends).waitFor();
      // The balance, the amount to the next tier and the points name go through Intl for this locale.
      const expected = await page.evaluate(([l, balance, remaining]) => ({
        balance: `${new Intl.NumberFormat(l).format(balance)} stars`,
        remaining: new Intl.NumberFormat(l, { style: 'currency', currency: 'USD' }).format(remaining / 100),
      }), [lang, me.balance, me.next_tier.remaining]);
      await dialog.locator('.tally-summary__points', { hasText: expected.balance }).waitFor();
      await dialog.locator('.tally-tier__remaining', { hasText: expected.remaining }).waitFor();
      const root = page.locator('.tally');
      assert.equal(await root.getAttribute('lang'), lang);
      assert.equal(await root.getAttribute('dir'), lang === 'ar' ? 'rtl' : 'ltr');
      await screenshot(page, `i18n-${lang}-${label}`);
      assert.deepEqual(warnings, []);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}

test('ar: the panel is mirrored, the progress bar fills from the right, the launcher keeps its corner', async () => {
  const { id } = await freshCustomer(server.url, 12_000, 'Ada');
  const { context, page, dialog } = await memberPanel('ar', DESKTOP, id);
  const box = async (selector) => page.locator(selector).first().boundingBox();
  const launcher = await box('.tally-launcher');
  assert.ok(launcher.x + launcher.width > DESKTOP.width - 40, `launcher stays bottom-right: ${JSON.stringify(launcher)}`);
  const [title, close] = [await box('.tally-title'), await box('.tally-close')];
  assert.ok(close.x < title.x, 'the close button is on the left, after the title');
  const [bar, fill] = [await box('.tally-progress'), await box('.tally-progress__fill')];
  assert.ok(fill.width > 0 && fill.width < bar.width - 4, 'partly filled');
  assert.ok(Math.abs(bar.x + bar.width - (fill.x + fill.width)) <= 2, 'the fill starts at the right edge');
  assert.equal(await dialog.getByRole('progressbar').getAttribute('aria-valuenow'), '60');
  await context.close();
});

test('ar: counted messages take the Arabic plural forms (two, few) from Intl.PluralRules', async () => {
  const { id, me } = await freshCustomer(server.url, 12_000, 'Ada');
  const refer = async (n) => {
    for (let i = 0; i < n; i += 1) {
      const friend = `${id}-f${Math.random().toString(36).slice(2, 8)}`;
      await merchant(server.url, 'POST', '/orders', {
        order_id: `o-${friend}`, customer_id: friend, total_minor: 1_000, currency: 'USD', referral_code: me.referral.code,
      });
    }
  };
  await refer(2);
  let { context, dialog } = await memberPanel('ar', DESKTOP, id);
  await dialog.getByText('انضم صديقان').waitFor(); // "two friends joined": the dual, no number
  await context.close();
  await refer(1);
  ({ context, dialog } = await memberPanel('ar', DESKTOP, id));
  const three = await dialog.page().evaluate(() => new Intl.NumberFormat('ar').format(3));
  await dialog.getByText(`انضم ${three} أصدقاء`).waitFor(); // "few": 3 to 10
  await context.close();
});

test('without data-locale the shop\'s locale wins over the browser\'s; the browser\'s serves when the shop is unknown', async () => {
  const { context, page } = await newPage(browser, DESKTOP, { locale: 'de-DE' });
  await servePage(page, server.url, '/shop', hostPage({ base: server.url }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  // The demo shop's locale is en.
  await page.getByRole('button', { name: 'Rewards, Join & earn' }).waitFor();
  await context.close();

  const down = await newPage(browser, DESKTOP, { locale: 'de-DE' });
  await down.page.route('**/v1/shops/**', (route) => route.abort());
  await servePage(down.page, server.url, '/shop', hostPage({ base: server.url }));
  await down.page.goto(`${server.url}/shop`);
  await widgetReady(down.page);
  await down.page.locator('.tally-launcher').click();
  await down.page.getByText('Der Prämienservice ist gerade nicht erreichbar.').waitFor();
  await down.context.close();
});

test('a language without a catalog shows English, and only one catalog is fetched', async () => {
  const { context, page } = await newPage(browser);
  const catalogs = [];
  page.on('request', (r) => { if (r.url().includes('/i18n/')) catalogs.push(new URL(r.url()).pathname); });
  await servePage(page, server.url, '/shop', hostPage({ base: server.url, attrs: { locale: 'pt-BR' } }));
  await page.goto(`${server.url}/shop`);
  await widgetReady(page);
  await page.getByRole('button', { name: 'Rewards, Join & earn' }).waitFor();
  assert.deepEqual(catalogs, []);
  await context.close();

  const de = await newPage(browser);
  const fetched = [];
  de.page.on('request', (r) => { if (r.url().includes('/i18n/')) fetched.push(new URL(r.url()).pathname); });
  await servePage(de.page, server.url, '/shop', hostPage({ base: server.url, attrs: { locale: 'de-AT' } }));
  await de.page.goto(`${server.url}/shop`);
  await widgetReady(de.page);
  await de.page.getByRole('button', { name: 'Prämien, Mitmachen & sammeln' }).waitFor();
  assert.deepEqual(fetched, ['/widget/i18n/de.json']);
  await de.context.close();
});
