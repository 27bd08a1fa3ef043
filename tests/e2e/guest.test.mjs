// A guest on the demo storefront: the invitation, how the program works, join and sign-in links.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, PHONE, launchBrowser, newPage, screenshot, startServer, widgetReady } from './harness.mjs';

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

test('a guest is invited to join, with the rewards they could have', async () => {
  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const { context, page, problems } = await newPage(browser, viewport);
    await page.goto(`${server.url}/?guest=1`);
    await widgetReady(page);
    const launcher = page.getByRole('button', { name: 'Rewards, Join & earn' });
    await launcher.waitFor();
    await screenshot(page, `guest-launcher-${label}`);
    await launcher.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Join Tally Coffee Roasters Rewards').waitFor();
    assert.equal(await dialog.getByRole('link', { name: 'Join now' }).getAttribute('href'), '/account/register');
    assert.equal(await dialog.getByRole('link', { name: 'Sign in' }).getAttribute('href'), '/account/login');
    await dialog.getByText('Free bag of beans').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Redeem' }).count(), 0, 'a guest cannot redeem');
    await screenshot(page, `guest-panel-${label}`);
    // A click outside closes the dialog.
    await page.mouse.click(10, viewport.height / 2);
    if (viewport === DESKTOP) await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await context.close();
  }
});
