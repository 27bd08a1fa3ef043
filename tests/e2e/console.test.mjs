// The staff console at /console/ against the real server: sign-in and its errors, the program editor and
// the storefront widget, a manager's restore, what a clerk may not do, the lockout, sign-out on the
// server, axe on every page in English and Arabic, and screenshots at phone and desktop widths.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEMO_OWNER, DESKTOP, PHONE, SHOP, addStaff, axeViolations, consoleSignIn, launchBrowser, merchant, newPage, screenshot,
  startServer, widgetReady,
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

// Signed out, the console's first `GET /v1/staff/session` is a 401, which Chromium logs itself.
const unexpected = (problems) => problems.filter((p) => !p.includes('status of 401'));
const program = () => fetch(`${server.url}/v1/shops/${SHOP}/program`).then((r) => r.json());

test('an owner signs in, renames a reward, sees what changes, saves, and the storefront widget shows it', async () => {
  const before = await program();
  const { context, page, problems } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, DEMO_OWNER);
  await page.goto(`${server.url}/console/program`);
  const name = page.locator('#f-rewards-0-name');
  await name.waitFor();
  assert.equal(await name.inputValue(), before.rewards[0].name);
  await name.fill('E2E Espresso on us');
  await page.locator('.changes', { hasText: `${before.rewards[0].name}: renamed to E2E Espresso on us.` }).waitFor();
  // A field checked as it is typed, with the server's rule, beside the field; saving is blocked meanwhile.
  await page.locator('#f-rewards-0-points_cost').fill('-5');
  await page.locator('#f-rewards-0-points_cost-problem', { hasText: 'must be > 0' }).waitFor();
  assert.equal(await page.locator('#save-program').isDisabled(), true);
  await page.locator('#f-rewards-0-points_cost').fill(String(before.rewards[0].points_cost));
  await page.locator('#save-program').click();
  await page.locator('.savebar .status', { hasText: 'Saved.' }).waitFor();
  assert.equal((await program()).rewards[0].name, 'E2E Espresso on us');

  const shop = await context.newPage();
  await shop.goto(`${server.url}/`);
  await shop.waitForFunction(() => document.querySelector('tally-widget'), null, { timeout: 20_000 });
  await shop.evaluate(() => window.Tally.open());
  await shop.locator('.tally-reward', { hasText: 'E2E Espresso on us' }).waitFor({ timeout: 20_000 });
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test('a new owner goes through the first-run guide, saves, and is sent to the install step', async () => {
  const { context, page } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, DEMO_OWNER);
  await page.goto(`${server.url}/console/welcome`);
  await page.locator('text=Step 1 of 6').waitFor();
  await page.locator('#guide-next').click();
  await page.locator('text=Step 2 of 6').waitFor();
  await page.locator('#f-earn_rules-1-points').fill('75');
  for (const n of [3, 4, 5, 6]) {
    await page.locator('#guide-next').click();
    await page.locator(`text=Step ${n} of 6`).waitFor();
  }
  await page.locator('#save-program').click();
  await page.locator('text=Your program is saved. Next: put the widget on your shop.').waitFor();
  assert.equal((await program()).earn_rules[1].points, 75);
  await page.getByRole('main').getByRole('link', { name: 'Install' }).click();
  await page.locator('pre', { hasText: `data-shop="${SHOP}"` }).first().waitFor();
  await context.close();
});

test('a manager changes a reward, saves, and restores the previous version from the history', async () => {
  const manager = await addStaff(server.url, 'manager');
  const before = await program();
  const { context, page } = await newPage(browser, DESKTOP);
  page.on('dialog', (d) => d.accept());
  await consoleSignIn(page, server.url, manager);
  assert.equal(await page.getByRole('link', { name: 'Staff and keys' }).count(), 0);
  await page.goto(`${server.url}/console/program`);
  const cost = page.locator('#f-rewards-0-points_cost');
  await cost.fill(String(before.rewards[0].points_cost + 40));
  await page.locator('.changes', { hasText: 'members need more to redeem it' }).waitFor();
  await page.locator('#save-program').click();
  await page.locator('.savebar .status', { hasText: 'Saved.' }).waitFor();
  assert.equal((await program()).rewards[0].points_cost, before.rewards[0].points_cost + 40);

  await page.goto(`${server.url}/console/history`);
  const newest = page.locator('.version').first();
  await newest.locator('text=Current').waitFor();
  await newest.locator(`text=${manager.email}`).waitFor();
  await page.locator('.version').nth(1).getByRole('button', { name: /^Restore/ }).click();
  await page.locator('text=Restored: this version is now the program.').waitFor();
  assert.equal((await program()).rewards[0].points_cost, before.rewards[0].points_cost);
  await context.close();
});

test('a clerk cannot reach the program editor, and the API refuses their write with 403', async () => {
  const clerk = await addStaff(server.url, 'clerk');
  const { context, page } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, clerk);
  assert.equal(await page.getByRole('link', { name: 'Program' }).count(), 0);
  await page.goto(`${server.url}/console/program`);
  await page.locator('text=This page is for owners and managers.').waitFor();
  assert.equal(await page.locator('#save-program').count(), 0);
  const status = await page.evaluate(async (shop) => {
    const session = await fetch('/v1/staff/session').then((r) => r.json());
    const body = await fetch(`/v1/shops/${shop}/program`).then((r) => r.json());
    delete body.shop;
    const res = await fetch(`/v1/shops/${shop}/program`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-tally-csrf': session.csrf_token },
      body: JSON.stringify({ ...body, allowed_origins: [] }),
    });
    return res.status;
  }, SHOP);
  assert.equal(status, 403);
  await context.close();
});

test('five wrong passwords lock the email: the right one is then refused too, and the form keeps the email', async () => {
  const member = await addStaff(server.url, 'manager');
  const { context, page } = await newPage(browser, PHONE);
  await page.goto(`${server.url}/console/`);
  await page.locator('#email').fill(member.email);
  const attempt = async (password) => {
    await page.locator('#password').fill(password);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/staff/session') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return answer.status();
  };
  for (let i = 0; i < 5; i++) {
    assert.equal(await attempt(`wrong-password-${i}`), 401, `attempt ${i + 1}`);
    await page.locator('[role=alert]', { hasText: 'That email and password do not match.' }).waitFor();
  }
  assert.equal(await attempt(member.password), 429);
  await page.locator('[role=alert]', { hasText: 'Too many attempts for this email.' }).waitFor();
  assert.equal(await page.locator('#email').inputValue(), member.email);
  await screenshot(page, 'console-signin-locked-phone');
  await context.close();
});

test('sign-out ends the session on the server: the old cookie then gets 401', async () => {
  const { context, page } = await newPage(browser, DESKTOP);
  await consoleSignIn(page, server.url, DEMO_OWNER);
  const cookie = (await context.cookies()).find((c) => c.name === 'tally_session');
  assert.ok(cookie, 'the session cookie is set');
  const withCookie = () => fetch(`${server.url}/v1/staff/session`, { headers: { cookie: `tally_session=${cookie.value}` } });
  assert.equal((await withCookie()).status, 200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#email').waitFor();
  assert.equal((await withCookie()).status, 401);
  await context.close();
});

const PAGES = ['counter', 'customers', 'codes', 'reports', 'welcome', 'program', 'history', 'appearance', 'install',
  'webhooks', 'data', 'staff'];
for (const lang of ['en', 'ar']) {
  test(`axe finds nothing on every console page in ${lang}, at phone and desktop widths`, async () => {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      // bypassCSP only lets the test inject axe-core; the console's own policy is tested by the server.
      const { context, page, problems } = await newPage(browser, viewport, { bypassCSP: true });
      await page.addInitScript((l) => localStorage.setItem('tally-console-lang', l), lang);
      await page.goto(`${server.url}/console/`);
      await page.locator('#email').waitFor();
      assert.equal(await page.locator('html').getAttribute('dir'), lang === 'ar' ? 'rtl' : 'ltr');
      assert.deepEqual(await axeViolations(page), [], `sign-in (${lang}, ${size})`);
      await screenshot(page, `console-signin-${lang}-${size}`);
      await consoleSignIn(page, server.url, DEMO_OWNER);
      for (const name of PAGES) {
        await page.goto(`${server.url}/console/${name}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForTimeout(300);
        assert.deepEqual(await axeViolations(page), [], `${name} (${lang}, ${size})`);
        await screenshot(page, `console-${name}-${lang}-${size}`);
      }
      assert.deepEqual(unexpected(problems), []);
      await context.close();
    }
  });
}
