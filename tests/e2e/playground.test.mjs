// /playground moved into the staff console (Appearance): the old address points people there, with a link
// at once and a redirect after a moment; the theme itself is edited and saved in console.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, newPage, startServer } from './harness.mjs';

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

test('/playground links to the console’s Appearance page and then goes there', async () => {
  const { context, page, problems } = await newPage(browser);
  const response = await page.goto(`${server.url}/playground`);
  assert.equal(response.status(), 200);
  const link = page.getByRole('link', { name: 'Open Appearance in the console' });
  assert.equal(await link.getAttribute('href'), '/console/appearance');
  await page.waitForURL(`${server.url}/console/appearance`, { timeout: 10_000 });
  // Signed out, the console asks for a sign-in first.
  await page.locator('#email').waitFor();
  assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
  await context.close();
});
