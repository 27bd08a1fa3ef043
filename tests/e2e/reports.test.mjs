// The console's Reports page against the real server: a manager reads the charts of a seeded shop, and
// the numbers in each chart's table are the API's own (timeseries, summary, insights); axe in English and
// Arabic, with screenshots at phone and desktop widths.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, addStaff, axeViolations, consoleSignIn, launchBrowser, merchant, newPage, screenshot,
  redeemAs, startServer,
} from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // Online and in-store orders, and a redemption, today.
  for (const [channel, total] of [['online', 4_500], ['pos', 12_000], ['pos', 800], ['online', 31_000]]) {
    const id = `rep-${randomUUID().slice(0, 8)}`;
    await merchant(server.url, 'POST', '/orders', { order_id: `o-${id}`, customer_id: id, total_minor: total, currency: 'USD', channel });
  }
  const rich = `rep-${randomUUID().slice(0, 8)}`;
  await merchant(server.url, 'POST', '/orders', { order_id: `o-${rich}`, customer_id: rich, total_minor: 25_000, currency: 'USD' });
  await redeemAs(server.url, rich, '5off');
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The table of a chart as `{period: [cells…]}`, the table opened first. */
async function chartTable(page, id) {
  const chart = page.locator(`#chart-${id}`);
  await chart.locator('summary').click();
  return chart.locator('table.numbers tbody tr').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [
    r.querySelector('th').textContent.trim(), [...r.querySelectorAll('td')].map((td) => td.textContent.trim()),
  ])));
}

const series = (query) => merchant(server.url, 'GET', `/reports/timeseries?${query}`);

test('a manager reads the charts of a seeded shop, and every table holds the API\'s numbers', async () => {
  const manager = await addStaff(server.url, 'manager');
  const { context, page, problems } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, manager);
  await page.goto(`${server.url}/console/reports`);
  await page.locator('#chart-orders').waitFor();
  // The chart itself is drawn (SVG with a line per series).
  await page.locator('#chart-orders .chart-box svg').first().waitFor();

  const range = `interval=day&from=${day(-89)}&to=${day(0)}`;
  const [online, pos, issued, redeemed, expired] = await Promise.all([
    series(`metric=orders&channel=online&${range}`), series(`metric=orders&channel=pos&${range}`),
    series(`metric=points_issued&${range}`), series(`metric=points_redeemed&${range}`),
    series(`metric=points_expired&${range}`),
  ]);
  const orders = await chartTable(page, 'orders');
  assert.equal(Object.keys(orders).length, online.points.length);
  for (const [n, p] of online.points.entries()) {
    assert.deepEqual(orders[p.start], [String(p.value), String(pos.points[n].value)], p.start);
  }
  assert.ok(online.points.some((p) => p.value > 0) && pos.points.some((p) => p.value > 0), 'seeded orders are counted');
  const points = await chartTable(page, 'points');
  for (const [n, p] of issued.points.entries()) {
    assert.deepEqual(points[p.start], [String(p.value), String(redeemed.points[n].value), String(expired.points[n].value)]);
  }

  // Weekly, over another range: the table follows.
  await page.locator('#report-interval').selectOption('week');
  await page.locator('#report-from').fill(day(-30));
  await page.locator('#report-from').dispatchEvent('change');
  await page.getByRole('button', { name: 'Show' }).click();
  const weekly = await series(`metric=redemptions&interval=week&from=${day(-30)}&to=${day(0)}`);
  await page.waitForFunction((n) => document.querySelectorAll('#chart-redemptions table.numbers tbody tr').length === n, weekly.points.length);
  const redemptions = await chartTable(page, 'redemptions');
  for (const p of weekly.points) assert.deepEqual(redemptions[p.start], [String(p.value)]);

  // The cards are the summary's.
  const summary = await merchant(server.url, 'GET', '/reports/summary');
  assert.equal((await page.locator('#stat-members dd').first().textContent()).trim(), String(summary.members));
  assert.equal((await page.locator('#stat-outstanding dd').first().textContent()).trim(), String(summary.points_outstanding));
  assert.equal((await page.locator('#stat-redemptions dd').first().textContent()).trim(), String(summary.redemptions));
  // Outstanding points as money, at the fixed discount that gives the most per point (integers, rounded down).
  const program = await fetch(`${server.url}/v1/shops/demo-coffee/program`).then((r) => r.json());
  const [value, cost] = program.rewards.filter((r) => r.kind === 'fixed_discount')
    .map((r) => [BigInt(r.value), BigInt(r.points_cost)])
    .reduce((best, r) => (r[0] * best[1] > best[0] * r[1] ? r : best));
  const minor = BigInt(summary.points_outstanding) * value / cost;
  assert.equal((await page.locator('#stat-liability dd').first().textContent()).trim(),
    `${minor / 100n}.${String(minor % 100n).padStart(2, '0')} USD`);
  await screenshot(page, 'console-reports-desktop');
  // Signed out, the console's first `GET /v1/staff/session` is a 401, which Chromium logs itself.
  assert.deepEqual(problems.filter((p) => !p.includes('status of 401')), []);
  await context.close();
});

for (const lang of ['en', 'ar']) {
  test(`axe finds nothing on the Reports page with its tables open in ${lang}, phone and desktop`, async () => {
    const manager = await addStaff(server.url, 'manager');
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const { context, page } = await newPage(browser, viewport, { bypassCSP: true });
      await page.addInitScript((l) => localStorage.setItem('tally-console-lang', l), lang);
      await consoleSignIn(page, server.url, manager);
      await page.goto(`${server.url}/console/reports`);
      await page.locator('#chart-nps .chart-box svg').first().waitFor();
      for (const summary of await page.locator('.chart summary').all()) await summary.click();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true,
        `no sideways scroll (${lang}, ${size})`);
      assert.deepEqual(await axeViolations(page), [], `reports (${lang}, ${size})`);
      await screenshot(page, `console-reports-tables-${lang}-${size}`);
      await context.close();
    }
  });
}
