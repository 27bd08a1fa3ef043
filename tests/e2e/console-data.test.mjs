// The console's Webhooks and "Data in and out" pages against the real server (`tally-server demo` with
// private webhook URLs allowed) and a Node receiver on 127.0.0.1: an endpoint added in the page (its
// secret shown once), a failing delivery retried from the page and verified as Standard Webhooks; a
// Smile.io file dry-run and imported twice without doubling a balance; the customers export downloaded;
// axe and screenshots of both pages with content, in English and Arabic, at phone and desktop widths.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
  DEMO_OWNER, DESKTOP, PHONE, ROOT, SHOP, SECRET, addStaff, axeViolations, consoleSignIn, freshCustomer, launchBrowser,
  merchant, newPage, screenshot, startServer,
} from './harness.mjs';

let server;
let browser;
let receiver;
// What the receiver got, and the status it answers with (the test switches it).
const received = [];
let answer = 500;

before(async () => {
  // The receiver is on loopback over plain http: allowed only with the development flag. One retry a
  // second after the first attempt, then `failed`: the page's retry is what delivers it.
  process.env.TALLY_ALLOW_PRIVATE_WEBHOOKS = '1';
  process.env.TALLY_WEBHOOK_RETRY_SCHEDULE = '1s';
  server = await startServer();
  browser = await launchBrowser();
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const status = req.url.startsWith('/ok') ? 204 : answer;
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await browser?.close();
  await server?.stop();
});

// Chromium logs every 4xx answer without its address ("Failed to load resource"): the test records each
// failed answer with its address instead and names the ones it provokes (a refused URL, a refused file).
// Signed out, the console's first `GET /v1/staff/session` is a 401.
function failedAnswers(page) {
  const answers = [];
  page.on('response', (r) => { if (r.status() >= 400) answers.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  return answers;
}
const unexpected = (problems) => problems.filter((p) => !p.includes('Failed to load resource'));
// A worktree without the widget's build (scripts/build-widget) has no /widget/tally.js for the preview.
const widgetBuilt = existsSync(join(ROOT, 'dist/tally.js'));
const expectedAnswers = (answers, ...wanted) => answers.filter((a) => a !== '401 /v1/staff/session' && !wanted.includes(a)
  && (widgetBuilt || a !== '404 /widget/tally.js'));
const hookUrl = (path) => `http://127.0.0.1:${receiver.address().port}${path}`;

/** Whether `headers` carry a Standard Webhooks signature of `body` made with `secret` (`whsec_…`). */
function signedWith(secret, headers, body) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return headers['webhook-signature'].split(' ').some((s) => s === `v1,${expected}`);
}

async function customer(id) {
  const res = await fetch(`${server.url}/v1/shops/${SHOP}/customers/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${SECRET}` },
  });
  return res.status === 200 ? res.json() : null;
}

test('a manager adds an endpoint, sees its secret once, watches a delivery fail, retries it and it arrives signed', async () => {
  const manager = await addStaff(server.url, 'manager');
  const { context, page, problems } = await newPage(browser, DESKTOP);
  const answers = failedAnswers(page);
  page.on('dialog', (d) => d.accept());
  await consoleSignIn(page, server.url, manager);
  await page.goto(`${server.url}/console/webhooks`);

  // A refused URL shows the server's own words.
  const refusedUrl = 'ftp://example.com/hooks';
  const refused = await fetch(`${server.url}/v1/shops/${SHOP}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: refusedUrl, events: ['*'] }),
  });
  assert.equal(refused.status, 400);
  const { error } = await refused.json();
  await page.locator('#wh-url').fill(refusedUrl);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.locator('[role=alert]', { hasText: error.message }).waitFor();
  assert.equal((await page.locator('p.error[role=alert]').first().textContent()).trim(), error.message);

  // Only the events checked: one type of the contract's list.
  await page.locator('#wh-url').fill(hookUrl('/hooks'));
  await page.locator('#wh-new-some').check();
  await page.locator('#wh-new-tier-changed').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secretBox = page.locator('#wh-secret');
  await secretBox.waitFor();
  const secret = (await secretBox.textContent()).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
  await page.locator('.once', { hasText: 'you will not see it again' }).waitFor();
  const { items } = await merchant(server.url, 'GET', '/webhooks');
  const endpoint = items.find((e) => e.url === hookUrl('/hooks'));
  assert.deepEqual(endpoint.events, ['tier.changed']);

  // The receiver answers 500: the test event's delivery fails (two attempts), with the status shown.
  const item = page.locator('li.endpoint', { hasText: hookUrl('/hooks') });
  await item.getByRole('button', { name: 'Send test event' }).click();
  const row = page.locator('tr.delivery', { hasText: 'webhook.test' }).first();
  await page.locator('tr.delivery.failed', { hasText: 'webhook.test' }).waitFor({ timeout: 20_000 });
  assert.equal((await row.locator('td.answer').textContent()).trim(), '500');
  assert.equal((await row.locator('td').nth(2).textContent()).trim(), '2');
  // Its attempt log: two answers of 500.
  await row.getByRole('button', { name: /^Details/ }).click();
  await page.locator('.delivery-detail tbody tr').nth(1).waitFor();
  assert.equal(await page.locator('.delivery-detail tbody tr', { hasText: '500' }).count(), 2);
  await screenshot(page, 'console-webhooks-failed-desktop');

  // Fixed receiver, one click: the delivery succeeds, signed with the secret the page showed.
  answer = 200;
  const before = received.length;
  await row.getByRole('button', { name: /^Retry now/ }).click();
  await page.locator('[role=status]', { hasText: 'Retry queued' }).waitFor();
  await page.locator('tr.delivery.succeeded', { hasText: 'webhook.test' }).waitFor({ timeout: 20_000 });
  assert.equal((await row.locator('td.answer').textContent()).trim(), '200');
  const delivered = received.slice(before).find((r) => r.status === 200);
  assert.ok(delivered, 'the retry reached the receiver');
  assert.equal(JSON.parse(delivered.body).type, 'webhook.test');
  assert.ok(signedWith(secret, delivered.headers, delivered.body), 'a valid Standard Webhooks signature');
  // Every attempt carried the same event id.
  assert.equal(new Set(received.filter((r) => r.path === '/hooks').map((r) => r.headers['webhook-id'])).size, 1);
  await page.locator('.delivery-detail tbody tr').nth(2).waitFor();

  // Disable, change events, delete (confirmed).
  await item.getByRole('button', { name: 'Disable' }).click();
  await item.locator('.badge', { hasText: 'Disabled' }).waitFor();
  assert.equal((await merchant(server.url, 'GET', `/webhooks/${endpoint.id}`)).enabled, false);
  await item.getByRole('button', { name: 'Change events' }).click();
  await item.locator('#wh-edit-all').check();
  await item.getByRole('button', { name: 'Save events' }).click();
  await item.locator('text=Events: All events').waitFor();
  assert.deepEqual((await merchant(server.url, 'GET', `/webhooks/${endpoint.id}`)).events, ['*']);

  // The secret is not shown again.
  await page.reload();
  await page.locator('li.endpoint', { hasText: hookUrl('/hooks') }).waitFor();
  assert.equal(await page.locator('#wh-secret').count(), 0);
  await page.locator('li.endpoint', { hasText: hookUrl('/hooks') }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('[role=status]', { hasText: 'Endpoint deleted.' }).waitFor();
  assert.equal((await merchant(server.url, 'GET', '/webhooks')).items.some((e) => e.id === endpoint.id), false);
  assert.deepEqual(unexpected(problems), []);
  assert.deepEqual(expectedAnswers(answers, `400 /v1/shops/${SHOP}/webhooks`), []);
  await context.close();
});

const smileFile = (rows) => ({
  name: 'smile-points.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(['email,points,first_name', ...rows].join('\r\n') + '\r\n'),
});

test('a Smile.io file: the dry run shows each row, the import posts the balances, and a second import changes nothing', async () => {
  const tag = randomUUID().slice(0, 6);
  const [mara, lee] = [`Mara.${tag}@Example.com`, `lee.${tag}@example.com`];
  const file = smileFile([`${mara},120,Mara`, `${lee},45,Lee`]);
  const { context, page, problems } = await newPage(browser, DESKTOP);
  const answers = failedAnswers(page);
  await consoleSignIn(page, server.url, DEMO_OWNER);
  await page.goto(`${server.url}/console/data`);
  await page.locator('#import-format').selectOption('smile');
  await page.locator('#import-columns', { hasText: 'email' }).waitFor();
  assert.match(await page.locator('#import-columns').textContent(), /email, points/);

  // A file refused whole: the server's message, naming the missing column.
  await page.locator('#import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('email,balance\na@b.co,5\n') });
  await page.locator('#import-dry-run:not([disabled])').click();
  await page.locator('[role=alert]', { hasText: 'has no points balance column' }).waitFor();

  // Refused rows: each with its line and the server's message; Import stays off.
  await page.locator('#import-file').setInputFiles(smileFile([`${mara},120,Mara`, `no-email-${tag},5,X`, `${lee},"1,200",Lee`]));
  await page.locator('#import-dry-run:not([disabled])').click();
  await page.locator('#import-summary', { hasText: '2 refused' }).waitFor();
  const errors = page.locator('tr.import-row.error');
  assert.equal(await errors.count(), 2);
  assert.match(await errors.nth(0).textContent(), /^3.*line 3: email/);
  assert.match(await errors.nth(1).textContent(), /^4.*line 4: points balance/);
  assert.equal(await page.locator('#import-run').isDisabled(), true);
  await page.locator('.import-report').scrollIntoViewIfNeeded();
  await screenshot(page, 'console-data-refused-desktop');

  // The good file: the dry run changes nothing …
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#import-dry-run:not([disabled])').click();
  await page.locator('h3', { hasText: 'Dry run: nothing has changed yet' }).waitFor();
  await page.locator('#import-summary', { hasText: '2 new, 0 updated, 0 unchanged, 0 refused' }).waitFor();
  await page.locator('tr.import-row.create', { hasText: mara.toLowerCase() }).waitFor();
  assert.match(await page.locator('tr.import-row', { hasText: lee }).textContent(), /New customer.*→ 45.*balance \+45/);
  assert.equal((await customer(mara.toLowerCase()))?.balance ?? 0, 0);

  // … the import posts each balance once …
  await page.locator('#import-run').click();
  await page.locator('h3', { hasText: 'Imported' }).waitFor();
  await page.locator('#import-summary', { hasText: '2 new' }).waitFor();
  assert.equal((await customer(mara.toLowerCase())).balance, 120);
  assert.equal((await customer(lee)).balance, 45);

  // … and the same file again changes nothing.
  await page.locator('#import-run').click();
  await page.locator('#import-summary', { hasText: '0 new, 0 updated, 2 unchanged, 0 refused' }).waitFor();
  assert.equal((await customer(mara.toLowerCase())).balance, 120);
  assert.equal((await customer(lee)).balance, 45);
  const activity = await merchant(server.url, 'GET', `/customers/${encodeURIComponent(lee)}/activity`);
  assert.equal(JSON.stringify(activity).match(/Imported balance/g)?.length, 1);
  assert.deepEqual(unexpected(problems), []);
  assert.deepEqual(expectedAnswers(answers, `400 /v1/shops/${SHOP}/imports/customers`), []);
  await context.close();
});

test('the customers export downloads a CSV with the header row and a seeded customer', async () => {
  const seeded = await freshCustomer(server.url, 12_000, 'Exporta');
  const { context, page, problems } = await newPage(browser, DESKTOP, { acceptDownloads: true });
  const answers = failedAnswers(page);
  await consoleSignIn(page, server.url, DEMO_OWNER);
  await page.goto(`${server.url}/console/data`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-customers').click()]);
  assert.equal(download.suggestedFilename(), `${SHOP}-customers.csv`);
  const lines = readFileSync(await download.path(), 'utf8').split('\r\n');
  assert.equal(lines[0], 'customer_id,first_name,email,phone,birthday,balance,lifetime_points,tier,membership_tier,'
    + 'membership_expires_at,referral_code,created_at');
  const row = lines.find((l) => l.startsWith(`${seeded.id},`))?.split(',');
  assert.ok(row, 'the seeded customer is in the file');
  assert.equal(row[1], 'Exporta');
  assert.equal(Number(row[5]), seeded.me.balance);

  // The ledger for a range of days, from the date inputs.
  const today = new Date().toISOString().slice(0, 10);
  await page.locator('#ledger-from').fill(today);
  await page.locator('#ledger-to').fill(today);
  assert.match(await page.locator('#export-ledger').getAttribute('href'), new RegExp(`ledger\\.csv\\?from=${today}&to=${today}$`));
  const [ledger] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger').click()]);
  const entries = readFileSync(await ledger.path(), 'utf8').split('\r\n');
  assert.match(entries[0], /^entry_id,customer_id,kind,points,balance_after,/);
  assert.ok(entries.some((l) => l.includes(`,${seeded.id},`)), 'the seeded customer\'s entries are in the ledger');
  assert.deepEqual(unexpected(problems), []);
  assert.deepEqual(expectedAnswers(answers), []);
  await context.close();
});

for (const lang of ['en', 'ar']) {
  test(`axe finds nothing on the webhooks and data pages with content in ${lang}, phone and desktop`, async () => {
    const endpoint = await merchant(server.url, 'POST', '/webhooks', { url: hookUrl(`/ok-${lang}`), events: ['code.used', 'tier.changed'] });
    await merchant(server.url, 'POST', `/webhooks/${endpoint.id}/test`);
    const csv = smileFile([`axe.${lang}@example.com,30,Axe`, `not-an-email,5,X`]);
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const { context, page, problems } = await newPage(browser, viewport, { bypassCSP: true });
      const answers = failedAnswers(page);
      await page.addInitScript((l) => localStorage.setItem('tally-console-lang', l), lang);
      await consoleSignIn(page, server.url, DEMO_OWNER);
      const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

      await page.goto(`${server.url}/console/webhooks`);
      const item = page.locator('li.endpoint', { hasText: hookUrl(`/ok-${lang}`) });
      await item.locator('.actions button').first().click();
      await page.locator('tr.delivery.succeeded').first().waitFor({ timeout: 20_000 });
      await page.locator('tr.delivery .row-actions button').first().click();
      await page.locator('.delivery-detail tbody tr').first().waitFor();
      assert.deepEqual(await axeViolations(page), [], `webhooks (${lang}, ${size})`);
      assert.ok(await noSideScroll(), `webhooks scrolls sideways (${lang}, ${size})`);
      await page.locator('#wh-deliveries-title').scrollIntoViewIfNeeded();
      await screenshot(page, `console-webhooks-content-${lang}-${size}`);

      await page.goto(`${server.url}/console/data`);
      await page.locator('#import-file').setInputFiles(csv);
      await page.locator('#import-dry-run:not([disabled])').click();
      await page.locator('tr.import-row.error').waitFor();
      assert.deepEqual(await axeViolations(page), [], `data (${lang}, ${size})`);
      assert.ok(await noSideScroll(), `data scrolls sideways (${lang}, ${size})`);
      await page.locator('.import-report').scrollIntoViewIfNeeded();
      await screenshot(page, `console-data-content-${lang}-${size}`);
      assert.deepEqual(unexpected(problems), []);
      assert.deepEqual(expectedAnswers(answers), []);
      await context.close();
    }
  });
}
