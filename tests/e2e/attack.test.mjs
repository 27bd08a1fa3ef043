// The widget under attack (issue 7, widget half): hostile strings from the shop's own program, a hostile
// theme, a host page that breaks the built-ins, strict Content-Security-Policies, the token's reach, and
// the packaged widget's Subresource Integrity. Every case names what it proves; see SECURITY.md.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import {
  ROOT, SHOP, freshCustomer, hostPage, launchBrowser, merchant, newPage, signShopper, widgetReady,
} from './harness.mjs';

const BIN = join(ROOT, 'target/debug/tally-server');
let server;
let browser;
let original; // the demo program as seeded, restored after each test that changes it

/** `tally-server demo` like the harness's, but it also says where its database is (for `shop create`). */
async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'tally-attack-'));
  const db = `sqlite://${join(dir, 'tally.db')}`;
  const child = spawn(BIN, ['demo', '--addr', '127.0.0.1:0', '--database-url', db, '--widget-dir', join(ROOT, 'dist')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
    });
  });
  child.stdout.resume();
  return {
    url,
    db,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  original = await (await fetch(`${server.url}/v1/shops/${SHOP}/program`)).json();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const ORIGINS = () => [server.url, server.url.replace('127.0.0.1', 'localhost')];

/** `PUT …/program` with `change(rules)` applied to the seeded rules; the demo origins are kept. */
async function putProgram(change) {
  const { shop, ...rules } = structuredClone(original);
  change(rules);
  return fetch(`${server.url}/v1/shops/${SHOP}/program`, {
    method: 'PUT',
    headers: { authorization: 'Bearer sk_demo_tally_coffee_not_secret', 'content-type': 'application/json' },
    body: JSON.stringify({ ...rules, allowed_origins: ORIGINS() }),
  });
}
async function restoreProgram() {
  const res = await putProgram(() => {});
  assert.equal(res.status, 200);
}

/** Serves `html` at `path` on `origin` (the server's unless told), with optional response headers. */
async function serve(page, path, html, headers = {}, origin = server.url) {
  await page.route(`${origin}${path}`, (route) => route.fulfill({ contentType: 'text/html', headers, body: html }));
}

/** The tag attributes that sign `id` in. */
function memberAttrs(id) {
  const t = signShopper(id);
  return { customer: t.id, timestamp: t.timestamp, signature: t.signature };
}

/** Console lines by type, and uncaught errors. */
function listen(page) {
  const seen = { tally: [], errors: [], pageerrors: [], all: [] };
  page.on('console', (m) => {
    seen.all.push(`${m.type()}: ${m.text()}`);
    if (m.text().startsWith('[tally]')) seen.tally.push(m.text());
    else if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.pageerrors.push(e.message));
  return seen;
}

/** Every text node's data in the widget's shadow root, and the tags of every element in it. */
function shadowContent(page) {
  return page.evaluate(() => {
    const root = document.querySelector('tally-widget').shadowRoot;
    const texts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode.data);
    const tags = [...root.querySelectorAll('*')].map((e) => e.localName);
    return { texts, tags, pwned: window.__pwned };
  });
}

async function openMemberPanel(page, id) {
  await page.goto(`${server.url}/?customer=${id}`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-panel .tally-summary').waitFor();
  // The activity feed loads after the summary.
  await page.locator('.tally-activity__item').first().waitFor();
}

// ---------------------------------------------------------------------------------------------------
// Hostile strings from the merchant's own program

const HTML = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '<script>window.__pwned=2</script>';
// Overrides and isolates, one left open, and a stray PDI that tries to close an isolate around it.
const BIDI = ['\u202Egnol', '\u2066x\u2067y\u2068z', '\u2069\u202Eoops'];

/** The program fields that carry shop text, each set to `value(field)`. */
function hostile(rules, value) {
  const r = rules.rewards[0];
  r.name = value('reward name');
  r.description = value('reward description');
  rules.tiers[1].name = value('tier name');
  rules.tiers[1].benefits = [value('tier benefit')];
  rules.earn_rules[0].title = value('earn title');
  rules.points = { singular: value('point'), plural: value('points') };
}
const FIELDS = ['reward name', 'reward description', 'tier name', 'tier benefit', 'earn title', 'point', 'points'];

test('markup in every shop-written field renders as text and runs nothing', async (t) => {
  t.after(restoreProgram);
  const inputs = FIELDS.map((f, i) => (i % 2 ? `${f} ${SCRIPT}` : `${f} ${HTML}`));
  const res = await putProgram((rules) => hostile(rules, (f) => inputs[FIELDS.indexOf(f)]));
  assert.equal(res.status, 200, await res.text());
  const { id } = await freshCustomer(server.url, 12_000);
  const reason = `adjusted ${HTML} ${SCRIPT}`;
  await merchant(server.url, 'POST', `/customers/${id}/adjustments`, { points: 5, reason, idempotency_key: randomUUID() });

  const { context, page } = await newPage(browser);
  const seen = listen(page);
  await openMemberPanel(page, id);
  await page.locator('.tally-activity__item', { hasText: 'adjusted' }).waitFor();
  const { texts, tags, pwned } = await shadowContent(page);
  for (const input of [...inputs.filter((s) => s !== inputs[5]), reason]) {
    assert.ok(texts.some((x) => x.includes(input)), `no text node holds ${JSON.stringify(input)}`);
  }
  // The singular shows only for one point; the plural is in the costs.
  assert.ok(texts.some((x) => x.includes(inputs[6])));
  assert.deepEqual(tags.filter((x) => x === 'img' || x === 'script'), []);
  assert.equal(pwned, undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img[src=x], script:not([src])').length), 0);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

test('a shop name and an adjustment reason carrying markup render as text', async () => {
  const name = `Evil ${HTML}${SCRIPT}`;
  const made = JSON.parse(execFileSync(BIN, ['shop', 'create', '--name', name, '--origin', server.url,
    '--database-url', server.db], { cwd: ROOT }).toString());
  assert.equal(made.name, name);
  const { context, page } = await newPage(browser);
  const seen = listen(page);
  await serve(page, '/evil-shop', hostPage({ base: server.url, attrs: { shop: made.id } }));
  await page.goto(`${server.url}/evil-shop`);
  await widgetReady(page);
  await page.locator('.tally-launcher').click();
  await page.locator('.tally-title').waitFor();
  const { texts, tags, pwned } = await shadowContent(page);
  assert.ok(texts.some((x) => x.includes(name)), texts.join('\n'));
  assert.equal(await page.locator('.tally-title').textContent(), `${name} Rewards`);
  assert.deepEqual(tags.filter((x) => x === 'img' || x === 'script'), []);
  assert.equal(pwned, undefined);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

/**
 * In every block that holds one of `inputs`, the widget's own characters (everything but the inputs) are
 * laid out left to right, in logical order, line by line: bidi controls in shop text reorder only that text.
 * Returns the blocks whose own text came out of order.
 */
function reorderedNeighbours(page, inputs) {
  return page.evaluate((inputs) => {
    const root = document.querySelector('tally-widget').shadowRoot;
    const blocks = new Set();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!inputs.some((s) => node.data.includes(s))) continue;
      let el = node.parentElement;
      while (el && getComputedStyle(el).display.startsWith('inline')) el = el.parentElement;
      if (el) blocks.add(el);
    }
    const bad = [];
    for (const block of blocks) {
      const chars = []; // [x, y, char] of the widget's own letters and digits, in logical order
      const w = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      while (w.nextNode()) {
        const node = w.currentNode;
        const skip = new Array(node.data.length).fill(false);
        for (const s of inputs) {
          for (let i = node.data.indexOf(s); i >= 0; i = node.data.indexOf(s, i + 1)) skip.fill(true, i, i + s.length);
        }
        for (let i = 0; i < node.data.length; i++) {
          if (skip[i] || !/[\p{L}\p{N}]/u.test(node.data[i])) continue;
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getBoundingClientRect();
          if (r.width > 0) chars.push([r.left, r.top, node.data[i]]);
        }
      }
      for (let i = 1; i < chars.length; i++) {
        const [x0, y0] = chars[i - 1];
        const [x1, y1] = chars[i];
        if (Math.abs(y1 - y0) < 2 && x1 < x0) {
          bad.push(`${block.className}: ${JSON.stringify(block.textContent.slice(0, 80))}`);
          break;
        }
      }
    }
    return { blocks: blocks.size, bad };
  }, inputs);
}

test('bidi controls in shop text do not reorder the widget text around them', async (t) => {
  t.after(restoreProgram);
  const value = (f) => `${f} ${BIDI[FIELDS.indexOf(f) % BIDI.length]}`;
  const res = await putProgram((rules) => hostile(rules, value));
  assert.equal(res.status, 200, await res.text());
  // Enough points to hold the hostile tier, so its "your tier" badge follows the name on one line.
  const { id } = await freshCustomer(server.url, 12_000);
  const reason = `adjusted ${BIDI[0]}`;
  await merchant(server.url, 'POST', `/customers/${id}/adjustments`, { points: 5, reason, idempotency_key: randomUUID() });
  const { context, page } = await newPage(browser);
  const seen = listen(page);
  await openMemberPanel(page, id);
  await page.locator('.tally-activity__item', { hasText: 'adjusted' }).waitFor();
  const inputs = [...FIELDS.map(value), reason];
  const { texts } = await shadowContent(page);
  for (const input of inputs.filter((s) => !s.startsWith('point '))) {
    assert.ok(texts.some((x) => x.includes(input)), `no text node holds ${JSON.stringify(input)}`);
  }
  const launcher = page.locator('.tally-launcher');
  const { blocks, bad } = await reorderedNeighbours(page, inputs);
  assert.ok(blocks >= 6, `only ${blocks} blocks hold the hostile text`);
  assert.deepEqual(bad, []);
  assert.ok(await launcher.isVisible());
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

/** The panel's box, and every element inside it that pokes out of it sideways. */
function overflow(page) {
  return page.evaluate(() => {
    const root = document.querySelector('tally-widget').shadowRoot;
    const panel = root.querySelector('.tally-panel');
    const box = panel.getBoundingClientRect();
    const out = [];
    for (const el of panel.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) out.push(`${el.localName}.${el.className?.baseVal ?? el.className}`);
    }
    const body = root.querySelector('.tally-panel__body');
    return { width: box.width, height: box.height, out, scroll: body.scrollWidth - body.clientWidth };
  });
}

test('10,000-character shop strings wrap inside the panel without widening it', async (t) => {
  t.after(restoreProgram);
  const { id } = await freshCustomer(server.url, 12_000);
  const measure = async () => {
    const { context, page } = await newPage(browser);
    const seen = listen(page);
    await openMemberPanel(page, id);
    const m = await overflow(page);
    const { texts } = await shadowContent(page);
    assert.deepEqual(seen.pageerrors, []);
    await context.close();
    return { ...m, texts };
  };
  const normal = await measure();
  // The body limit is 64 KB, so the seven fields go in two rounds of at most four 10,000-character strings.
  const long = (f) => `${f[0]}${'W'.repeat(9_999)}`;
  for (const round of [FIELDS.slice(0, 4), FIELDS.slice(4)]) {
    const res = await putProgram((rules) => hostile(rules, (f) => (round.includes(f) ? long(f) : f)));
    assert.equal(res.status, 200, await res.text());
    const m = await measure();
    for (const f of round.filter((f) => f !== 'point')) assert.ok(m.texts.some((x) => x.includes(long(f))), `${f} not shown`);
    assert.equal(m.width, normal.width, `round ${round}: the panel's width changed`);
    assert.deepEqual(m.out, [], `round ${round}: elements overflow the panel`);
    assert.equal(m.scroll, 0, `round ${round}: the panel body scrolls sideways`);
  }
  // An adjustment's reason is capped at 500 characters by the API (a clear 400 past it).
  const refused = await fetch(`${server.url}/v1/shops/${SHOP}/customers/${id}/adjustments`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_demo_tally_coffee_not_secret', 'content-type': 'application/json' },
    body: JSON.stringify({ points: 1, reason: 'R'.repeat(10_000), idempotency_key: randomUUID() }),
  });
  assert.equal(refused.status, 400);
  await merchant(server.url, 'POST', `/customers/${id}/adjustments`, { points: 1, reason: 'R'.repeat(500), idempotency_key: randomUUID() });
  await restoreProgram();
  const m = await measure();
  assert.ok(m.texts.some((x) => x === 'R'.repeat(500)));
  assert.equal(m.width, normal.width);
  assert.deepEqual(m.out, []);
});

test('a 10,000-character shop name wraps inside the panel', async () => {
  const name = `N${'W'.repeat(9_999)}`;
  const made = JSON.parse(execFileSync(BIN, ['shop', 'create', '--name', name, '--origin', server.url,
    '--database-url', server.db], { cwd: ROOT }).toString());
  const { context, page } = await newPage(browser);
  const seen = listen(page);
  const open = async (shop) => {
    await serve(page, `/long-${shop}`, hostPage({ base: server.url, attrs: { shop } }));
    await page.goto(`${server.url}/long-${shop}`);
    await widgetReady(page);
    await page.locator('.tally-launcher').click();
    await page.locator('.tally-panel .tally-title').waitFor();
    return overflow(page);
  };
  const normal = await open(SHOP);
  const m = await open(made.id);
  assert.ok((await page.locator('.tally-title').textContent()).startsWith(name));
  assert.equal(m.width, normal.width);
  assert.deepEqual(m.out, []);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

// ---------------------------------------------------------------------------------------------------
// A hostile theme on the tag

test('a theme value carrying CSS is refused with one console line and the default applies', async (t) => {
  const launcherColour = async (theme) => {
    const { context, page } = await newPage(browser);
    const seen = listen(page);
    await serve(page, '/themed', hostPage({ base: server.url, attrs: theme ? { theme } : {} }));
    await page.goto(`${server.url}/themed`);
    await widgetReady(page);
    const launcher = page.locator('.tally-launcher');
    await launcher.waitFor();
    const colour = await launcher.evaluate((e) => getComputedStyle(e).backgroundColor);
    const box = await launcher.boundingBox();
    await context.close();
    return { colour, box, seen };
  };
  const plain = await launcherColour(null);
  const wired = await launcherColour(JSON.stringify({ colors: { primary: '#123456' } }));
  if (wired.colour === plain.colour) {
    t.todo('data-theme is not wired into the widget yet: a valid primary colour did not change the launcher');
    return;
  }
  const attack = await launcherColour(JSON.stringify({ colors: { primary: 'red;}*{display:none}' } }));
  assert.equal(attack.colour, plain.colour);
  assert.ok(attack.box && attack.box.width >= 44, 'the launcher is hidden');
  assert.equal(attack.seen.tally.length, 1, attack.seen.tally.join('\n'));
  assert.match(attack.seen.tally[0], /primary/);
  assert.deepEqual(attack.seen.pageerrors, []);
});

// ---------------------------------------------------------------------------------------------------
// A host page that breaks the built-ins the widget relies on

const PATCHES = {
  'fetch throws': 'window.fetch = () => { throw new Error("host broke fetch"); };',
  'fetch returns a non-promise': 'window.fetch = () => 42;',
  'fetch resolves to garbage': 'window.fetch = () => Promise.resolve("garbage");',
  'fetch rejects': 'window.fetch = () => Promise.reject(new TypeError("host says no"));',
  'JSON.parse throws': 'JSON.parse = () => { throw new SyntaxError("host broke JSON.parse"); };',
  'Array.prototype has an enumerable method': 'Array.prototype.evil = function () { return 1; };',
  'Array.prototype.map throws': 'Array.prototype.map = function () { throw new Error("host broke map"); };',
  'Array.prototype.forEach throws': 'Array.prototype.forEach = function () { throw new Error("host broke forEach"); };',
  // The harness's own event log (window.__tallyEvents) is spared, or it would be what throws.
  'Array.prototype.push throws': 'const push = Array.prototype.push; Array.prototype.push = function (...a) { '
    + 'if (this === window.__tallyEvents) return push.apply(this, a); throw new Error("host broke push"); };',
  'Object.prototype has an enumerable property': 'Object.prototype.evil = "x";',
  'fetch throws once the page has loaded': 'addEventListener("load", () => { window.fetch = () => { throw new Error("late"); }; });',
  'JSON.parse throws once the page has loaded': 'addEventListener("load", () => { JSON.parse = () => { throw new Error("late"); }; });',
};

for (const [name, patch] of Object.entries(PATCHES)) {
  test(`a host page where ${name}: the widget works or fails cleanly, the page is intact`, async () => {
    const { id, me } = await freshCustomer(server.url, 3_000);
    const { context, page } = await newPage(browser);
    const seen = listen(page);
    await serve(page, '/patched', hostPage({
      base: server.url,
      attrs: memberAttrs(id),
      body: `<script>${patch}</script><main id="own">Shop content</main>`,
    }));
    await page.goto(`${server.url}/patched`);
    // Either the launcher shows the balance (it works), or a [tally] line says why it does not.
    const works = page.locator('.tally-launcher', { hasText: String(me.balance) });
    const failed = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[tally]'), timeout: 20_000 });
    const outcome = await Promise.race([works.waitFor({ timeout: 20_000 }).then(() => 'works'), failed.then(() => 'failed')]);
    if (outcome === 'works') {
      await works.click();
      await page.locator('.tally-panel .tally-summary').waitFor();
    }
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    assert.deepEqual(seen.pageerrors, [], `uncaught: ${seen.pageerrors.join('\n')}`);
    assert.ok(seen.tally.length <= 1, seen.tally.join('\n'));
    assert.equal(await page.locator('#own').textContent(), 'Shop content');
    assert.ok(await page.locator('#own').isVisible());
    t_outcomes.push(`${name}: ${outcome}${seen.tally.length ? ` (${seen.tally[0]})` : ''}`);
    await context.close();
  });
}
const t_outcomes = [];
after(() => { if (t_outcomes.length) console.log(`patched built-ins:\n  ${t_outcomes.join('\n  ')}`); });

// ---------------------------------------------------------------------------------------------------
// Content-Security-Policy on the host page

/**
 * A page on `localhost:PORT` whose CSP is `csp`, with the loader from `127.0.0.1:PORT` (Tally's origin:
 * loader, glue, wasm and API), so that 'self' covers nothing of Tally's. The widget's files get the CORS
 * header a CDN sends (the demo server's /widget/ has none, so a cross-origin import() needs it), and the
 * context may reach the loopback address (Chromium's Local Network Access: the page is route-fulfilled).
 */
async function cspPage(csp, attrs = {}) {
  const tally = server.url;
  const shop = server.url.replace('127.0.0.1', 'localhost');
  const { context, page } = await newPage(browser);
  await context.grantPermissions(['local-network-access']);
  await page.route(`${tally}/widget/**`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'access-control-allow-origin': '*' } });
  });
  const seen = listen(page);
  await serve(page, '/csp', hostPage({ base: tally, attrs, body: '<main id="own">Shop content</main>' })
    .replace('src="/widget/tally.js"', `src="${tally}/widget/tally.js"`), { 'Content-Security-Policy': csp }, shop);
  await page.goto(`${shop}/csp`);
  return { context, page, seen };
}

const DOCUMENTED_CSP = (tally) => `default-src 'self'; script-src 'self' ${tally} 'wasm-unsafe-eval'; `
  + `connect-src 'self' ${tally}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`; // img-src: the host's favicon

test("a strict CSP without 'wasm-unsafe-eval' gets one console line naming it, and nothing uncaught", async () => {
  const { context, page, seen } = await cspPage(`default-src 'self'; script-src 'self' ${server.url}; connect-src 'self' ${server.url}`);
  const line = await page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[tally]'), timeout: 20_000 });
  assert.match(line.text(), /'wasm-unsafe-eval'/);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.equal(seen.tally.length, 1, seen.tally.join('\n'));
  assert.deepEqual(seen.pageerrors, []);
  assert.equal(await page.locator('tally-widget').count(), 0);
  assert.equal(await page.locator('#own').textContent(), 'Shop content');
  await context.close();
});

test('the documented CSP is enough for a member session', async () => {
  const { id, me } = await freshCustomer(server.url, 3_000);
  const { context, page, seen } = await cspPage(DOCUMENTED_CSP(server.url), memberAttrs(id));
  await widgetReady(page);
  const launcher = page.locator('.tally-launcher', { hasText: String(me.balance) });
  await launcher.waitFor();
  // The widget's own stylesheet applied (a fixed launcher), not the browser's default button.
  assert.equal(await launcher.evaluate((e) => getComputedStyle(e).position), 'fixed');
  await launcher.click();
  await page.locator('.tally-panel .tally-summary').waitFor();
  await page.locator('.tally-activity__item').first().waitFor();
  assert.deepEqual(seen.tally, []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

test('the documented CSP lets the widget fetch a language catalog from its own origin', async () => {
  const { context, page, seen } = await cspPage(DOCUMENTED_CSP(server.url), { locale: 'de' });
  const catalog = page.waitForResponse((r) => r.url().endsWith('/widget/i18n/de.json'));
  await widgetReady(page);
  assert.equal((await catalog).status(), 200);
  await page.locator('.tally-launcher', { hasText: 'Mitmachen' }).click();
  await page.locator('.tally-panel .tally-title', { hasText: 'Prämienprogramm' }).waitFor();
  assert.deepEqual(seen.tally, []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

test('each part of the documented CSP is needed', async () => {
  const { id } = await freshCustomer(server.url, 3_000);
  const tally = server.url;
  // Without Tally's origin in connect-src, the wasm (fetched) and the API are blocked.
  {
    const { context, page, seen } = await cspPage(DOCUMENTED_CSP(tally).replace(`connect-src 'self' ${tally}`, "connect-src 'self'"), memberAttrs(id));
    await page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[tally]'), timeout: 20_000 });
    assert.deepEqual(seen.pageerrors, []);
    await context.close();
  }
  // Without 'unsafe-inline' in style-src, the shadow root's <style> is blocked: the launcher is unstyled.
  {
    const { context, page, seen } = await cspPage(DOCUMENTED_CSP(tally).replace(" 'unsafe-inline'", ''), memberAttrs(id));
    await widgetReady(page);
    const launcher = page.locator('.tally-launcher');
    await launcher.waitFor({ state: 'attached' });
    assert.notEqual(await launcher.evaluate((e) => getComputedStyle(e).position), 'fixed');
    assert.deepEqual(seen.pageerrors, []);
    await context.close();
  }
});

// ---------------------------------------------------------------------------------------------------
// The token on the tag goes nowhere else

test('the signature on the tag never reaches storage, URLs or the console', async () => {
  const { id, me } = await freshCustomer(server.url, 3_000);
  const attrs = memberAttrs(id);
  const { context, page } = await newPage(browser);
  const seen = listen(page);
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  await serve(page, '/member', hostPage({ base: server.url, attrs }));
  await page.goto(`${server.url}/member`);
  await widgetReady(page);
  await page.locator('.tally-launcher', { hasText: String(me.balance) }).click();
  await page.locator('.tally-panel .tally-summary').waitFor();
  await page.locator('.tally-activity__item').first().waitFor();
  const stored = await page.evaluate(() => {
    const all = [];
    for (const s of [sessionStorage, localStorage]) for (let i = 0; i < s.length; i++) all.push(s.key(i), s.getItem(s.key(i)));
    return { all, cookie: document.cookie, entries: performance.getEntries().map((e) => e.name) };
  });
  assert.ok(stored.all.length > 0, 'the widget stores its instant view; the check would be empty without it');
  for (const s of [...stored.all, stored.cookie, ...stored.entries, ...urls, ...seen.all]) {
    assert.ok(!s.includes(attrs.signature), `the signature leaked into ${s.slice(0, 200)}`);
  }
  assert.ok(urls.some((u) => u.includes('/me')), 'no member request was seen');
  await context.close();
});

// ---------------------------------------------------------------------------------------------------
// The packaged widget: hashed names and Subresource Integrity

function sri(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** Runs scripts/package-widget on dist/ into a temporary directory; its files and its printed snippet. */
function packageWidget() {
  const out = mkdtempSync(join(tmpdir(), 'tally-release-'));
  const stdout = execFileSync(join(ROOT, 'scripts/package-widget'), [join(ROOT, 'dist'), out],
    { cwd: ROOT, env: { ...process.env, TALLY_WIDGET_URL: `${server.url}/release` } }).toString();
  const files = Object.fromEntries(readdirSync(out).filter((f) => statSync(join(out, f)).isFile()).map((f) => [f, readFileSync(join(out, f))]));
  return { out, files, stdout };
}

/** A page that pastes `snippet`, with `/release/*` served from `files`. */
async function releasePage(files, snippet, attrs = {}) {
  const { context, page } = await newPage(browser);
  const seen = listen(page);
  await page.route(`${server.url}/release/**`, (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const body = files[name];
    if (!body) return route.fulfill({ status: 404, body: 'missing' });
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return route.fulfill({ body, contentType: type, headers: { 'access-control-allow-origin': '*' } });
  });
  const extra = Object.entries(attrs).map(([k, v]) => ` data-${k}="${v}"`).join('');
  const tag = snippet.replace('></script>', `${extra}></script>`);
  await serve(page, '/paste', `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><main id="own">Shop content</main>${tag}</body></html>`);
  await page.goto(`${server.url}/paste`);
  return { context, page, seen };
}

test('package-widget writes hashed files whose integrity values the loader and the snippet carry', async () => {
  const { out, files, stdout } = packageWidget();
  try {
    const names = Object.keys(files);
    const loader = names.find((n) => /^tally\.[0-9a-f]{8,}\.js$/.test(n));
    const glue = names.find((n) => /^tally-widget\.[0-9a-f]{8,}\.js$/.test(n));
    const wasm = names.find((n) => /^tally-widget_bg\.[0-9a-f]{8,}\.wasm$/.test(n));
    assert.ok(loader && glue && wasm, names.join(' '));
    const text = files[loader].toString();
    assert.ok(text.includes(glue) && text.includes(sri(files[glue])), 'the loader names the hashed glue and its integrity');
    assert.ok(text.includes(wasm) && text.includes(sri(files[wasm])), 'the loader names the hashed wasm and its integrity');
    // The panel's views (scripts/split-widget): their import and module, hashed, named by the loader with
    // their integrity, and the glue imports the hashed name.
    const split = names.find((n) => /^__wasm_split\.[0-9a-f]{8,}\.js$/.test(n));
    const views = names.filter((n) => n.endsWith('.wasm') && n !== wasm);
    assert.ok(split && views.length > 0, names.join(' '));
    assert.ok(text.includes(split) && text.includes(sri(files[split])), 'the loader names the hashed split import and its integrity');
    assert.ok(files[glue].toString().includes(`from "./${split}"`) && !/from ["']\.\/__wasm_split\.js/.test(files[glue].toString()),
      'the glue imports the hashed split import, and nothing by the unhashed name');
    for (const v of views) {
      assert.ok(files[split].toString().includes(`"./${v}"`), `the split import fetches ${v}`);
      assert.ok(text.includes(`"${v}":"${sri(files[v])}"`), `the loader carries ${v}'s integrity`);
    }
    assert.match(stdout, new RegExp(`<script src="[^"]*/${loader.replace(/\./g, '\\.')}" integrity="${sri(files[loader]).replace(/[+/]/g, '\\$&')}" crossorigin="anonymous" defer data-shop=`));
    // The unhashed dist is untouched.
    assert.equal(readFileSync(join(ROOT, 'dist/tally.js')).toString().includes('sha384-'), false);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a packaged panel module with one byte changed is refused when the shopper opens the panel: one line, the launcher stays", async () => {
  const { out, files, stdout } = packageWidget();
  rmSync(out, { recursive: true, force: true });
  const name = Object.keys(files).find((n) => n.endsWith('.wasm') && !n.startsWith('tally-widget_bg.'));
  assert.ok(name, Object.keys(files).join(' '));
  const tampered = Buffer.from(files[name]);
  tampered[tampered.length >> 1] ^= 0x01;
  const snippet = snippetOf(stdout).replace(/data-shop="[^"]*"/, `data-shop="${SHOP}" data-api="${server.url}"`);
  const { context, page, seen } = await releasePage({ ...files, [name]: tampered }, snippet);
  await widgetReady(page);
  const line = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[tally]'), timeout: 20_000 });
  await page.locator('.tally-launcher').click();
  assert.match((await line).text(), /could not load the panel/);
  assert.deepEqual(seen.pageerrors, []);
  assert.equal(await page.locator('.tally-panel').count(), 0);
  assert.equal(await page.locator('.tally-launcher').getAttribute('aria-expanded'), 'false');
  await context.close();
});

function snippetOf(stdout) {
  return /<script [^\n]*<\/script>/.exec(stdout)[0];
}

test('the packaged widget works from the pasted snippet', async () => {
  const { out, files, stdout } = packageWidget();
  rmSync(out, { recursive: true, force: true });
  const { id, me } = await freshCustomer(server.url, 3_000);
  const snippet = snippetOf(stdout).replace(/data-shop="[^"]*"/, `data-shop="${SHOP}" data-api="${server.url}"`);
  const { context, page, seen } = await releasePage(files, snippet, memberAttrs(id));
  await widgetReady(page);
  await page.locator('.tally-launcher', { hasText: String(me.balance) }).click();
  await page.locator('.tally-panel .tally-summary').waitFor();
  assert.deepEqual(seen.tally, []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.pageerrors, []);
  await context.close();
});

for (const part of ['wasm', 'glue']) {
  test(`a packaged ${part} with one byte changed is refused with one console line and nothing uncaught`, async () => {
    const { out, files, stdout } = packageWidget();
    rmSync(out, { recursive: true, force: true });
    const name = Object.keys(files).find((n) => n.startsWith(part === 'wasm' ? 'tally-widget_bg.' : 'tally-widget.'));
    const tampered = Buffer.from(files[name]);
    // A byte in the middle: for the glue, inside code, where it still parses (a space becomes a tab).
    let at = tampered.length >> 1;
    if (part === 'glue') at = tampered.indexOf(0x20, at);
    tampered[at] = part === 'glue' ? 0x09 : tampered[at] ^ 0x01;
    const snippet = snippetOf(stdout).replace(/data-shop="[^"]*"/, `data-shop="${SHOP}" data-api="${server.url}"`);
    const { context, page, seen } = await releasePage({ ...files, [name]: tampered }, snippet);
    const line = await page.waitForEvent('console', { predicate: (m) => m.text().startsWith('[tally]'), timeout: 20_000 });
    assert.match(line.text(), /integrity/);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    assert.equal(seen.tally.length, 1, seen.tally.join('\n'));
    assert.deepEqual(seen.pageerrors, []);
    assert.equal(await page.evaluate(() => window.__tallyEvents.some((e) => e.type === 'tally:ready')), false);
    assert.equal(await page.locator('tally-widget').count(), 0);
    assert.equal(await page.locator('#own').textContent(), 'Shop content');
    await context.close();
  });
}
