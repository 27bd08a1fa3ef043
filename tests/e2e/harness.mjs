// Shared by the end-to-end tests: the real server (`tally-server demo`) on a free port with a fresh SQLite
// file, Debian's Chromium through playwright-core, shopper signatures, merchant calls and screenshots.
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHOP = 'demo-coffee';
export const SECRET = 'sk_demo_tally_coffee_not_secret';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Starts `tally-server demo`; resolves once it prints `listening on http://ADDR`. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'tally-e2e-'));
  const bin = process.env.TALLY_SERVER_BIN ?? join(ROOT, 'target/debug/tally-server');
  const child = spawn(bin, ['demo', '--addr', '127.0.0.1:0', '--database-url', `sqlite://${join(dir, 'tally.db')}`,
    '--widget-dir', join(ROOT, 'dist')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
    });
  });
  child.stdout.resume();
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The three shopper attributes for `customer`, signed now with the demo shop's secret. */
export function signShopper(customer, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = createHmac('sha256', SECRET).update(`${SHOP}:${customer}:${timestamp}`).digest('hex');
  return { id: customer, timestamp: String(timestamp), signature };
}

/** The script tag's `data-customer`, `data-timestamp` and `data-signature` for `customer`, signed now. */
export function shopperAttrs(customer) {
  const { id, timestamp, signature } = signShopper(customer);
  return { customer: id, timestamp, signature };
}

/** Serves `html` at `path` on the server's origin, for this page only. */
export async function servePage(page, base, path, html) {
  await page.route(`${base}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
}

/** The `[tally]` console warnings of a page, as they come. */
export function tallyWarnings(page) {
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning' && m.text().startsWith('[tally]')) warnings.push(m.text()); });
  return warnings;
}

/** A merchant call (Bearer secret key) to `/v1/shops/demo-coffee{path}`. */
export async function merchant(base, method, path, body) {
  const res = await fetch(`${base}/v1/shops/${SHOP}${path}`, {
    method,
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Redeems `rewardId` for `customer` as the widget would, through the shopper API; resolves to the
 *  redemption (its `code` among the rest). Throws unless the answer is 201. */
export async function redeemAs(base, customer, rewardId) {
  const { id, timestamp, signature } = signShopper(customer);
  const res = await fetch(`${base}/v1/shops/${SHOP}/me/redemptions`, {
    method: 'POST',
    headers: {
      'x-tally-customer': id, 'x-tally-timestamp': timestamp, 'x-tally-signature': signature,
      'idempotency-key': `e2e-${randomUUID()}`, 'content-type': 'application/json',
    },
    body: JSON.stringify({ reward_id: rewardId }),
  });
  if (res.status !== 201) throw new Error(`redeem ${rewardId} for ${customer}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A new customer with one order of `totalMinor`; returns their id and `/customers/{id}` view. */
export async function freshCustomer(base, totalMinor = 12_000, name = 'Ada') {
  const id = `e2e-${randomUUID().slice(0, 8)}`;
  await merchant(base, 'PATCH', `/customers/${id}`, { first_name: name });
  if (totalMinor > 0) {
    await merchant(base, 'POST', '/orders', { order_id: `o-${id}`, customer_id: id, total_minor: totalMinor, currency: 'USD' });
  }
  return { id, me: await merchant(base, 'GET', `/customers/${id}`) };
}

/**
 * A page that records console errors, page errors and every `tally:*` event (in `window.__tallyEvents`).
 * `problems` holds what went wrong for the happy-path assertions.
 */
export async function newPage(browser, viewport = DESKTOP, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    window.__tallyEvents = [];
    for (const name of ['ready', 'open', 'close', 'redeemed', 'error']) {
      document.addEventListener(`tally:${name}`, (e) => window.__tallyEvents.push({ type: e.type, detail: e.detail ?? null }));
    }
  });
  return { context, page, problems };
}

/** Waits for the widget to have mounted (`tally:ready`). */
export async function widgetReady(page) {
  await page.waitForFunction(() => window.__tallyEvents?.some((e) => e.type === 'tally:ready'), null, { timeout: 20_000 });
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Finished animations: the panel slides in with an opacity fade.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** The storefront's own HTML with the loader tag for `attrs` (a hostile or single-page host). */
export function hostPage({ base, attrs = {}, css = '', body = '', after = '' }) {
  const data = Object.entries({ shop: SHOP, api: base, ...attrs })
    .map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, '&quot;')}"`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title><style>${css}</style></head>
<body>${body}<script src="/widget/tally.js" defer${data}></script>${after}</body></html>`;
}

// ---- The staff console (tests/e2e/console*.test.mjs) ----

/** The demo's owner sign-in, as `tally-server demo` creates and prints it. */
export const DEMO_OWNER = { email: 'owner@demo-coffee.test', password: 'demo-owner-not-secret' };

/** Adds a staff member to the demo shop with the secret key; resolves to `{id, email, role, password}`. */
export async function addStaff(base, role, email = `${role}-${randomUUID().slice(0, 8)}@demo-coffee.test`) {
  return merchant(base, 'POST', '/staff', { email, role });
}

/** Signs in through the console's form at /console/ and waits for the navigation to show. */
export async function consoleSignIn(page, base, { email, password }) {
  await page.goto(`${base}/console/`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: /sign in|anmelden|se connecter|iniciar|giriş|تسجيل الدخول/i }).click();
  await page.locator('nav.side').waitFor();
}

const AXE = createRequire(import.meta.url).resolve('axe-core');

/** axe-core's violations on the page, one line each (the page needs `bypassCSP: true` to take the script). */
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'], iframes: false });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' > ')).join(' | ')}`);
  });
}
