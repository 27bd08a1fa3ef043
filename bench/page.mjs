// Drives bench/page: what the widget costs the shop page that embeds it, in headless Chromium on localhost.
// The same storefront HTML is served three ways on the demo server's origin - without the widget, with the
// one script tag for a signed member, and with it for a guest - and each is loaded N times cold (a fresh
// browser context) and N times warm (the same tab again: HTTP cache, compiled wasm and the sessionStorage
// snapshot of program and shopper in place). Prints a table and writes bench/out/page.json.
//
// Usage: node bench/page.mjs [--runs N] [--cpu-throttle R] [--embed tag|snippet] [--settle MS] [--debug-server]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DESKTOP, ROOT, launchBrowser, signShopper } from '../tests/e2e/harness.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'cpu-throttle': { type: 'string', default: '1' },
    // How the shop embeds the widget: `tag`, the demo's `<script src=… defer>` (the loader is fetched before
    // load), or `snippet`, README's inserting snippet (nothing of ours before load).
    embed: { type: 'string', default: 'tag' },
    // How long after the load event the page is observed (long tasks, layout shifts), at least; the
    // widget's variants are also observed for 1 s after the launcher shows the shopper's data.
    settle: { type: 'string', default: '2000' },
    'debug-server': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('Usage: bench/page [--no-build] [--runs N] [--cpu-throttle R] [--embed tag|snippet] [--settle MS] [--debug-server]');
  process.exit(0);
}
const RUNS = positive(opts.runs, '--runs');
const THROTTLE = positive(opts['cpu-throttle'], '--cpu-throttle');
const SETTLE = positive(opts.settle, '--settle');
const EMBED = opts.embed;
if (!['tag', 'snippet'].includes(EMBED)) throw new Error(`--embed wants tag or snippet, not ${JSON.stringify(EMBED)}`);
function positive(text, name) {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} wants a positive number, not ${JSON.stringify(text)}`);
  return n;
}

const SHOPPER = 'demo-shopper'; // the demo's member with a history: 8 orders, a redemption, a referral
const VARIANTS = ['plain', 'member', 'guest'];
const LABEL = { plain: 'without', member: 'with (member)', guest: 'with (guest)' };
// "Not later" needs a tolerance: the deferred loader is one more request before load, ~1 ms on localhost.
const BUDGET = { loadAddedMs: 5, tbtAddedMs: 20, cls: 0, launcherAfterLoadMs: 300, clickToContentMs: 50 };
const TAG = /<script src="\/widget\/tally\.js"[^>]*><\/script>\s*/;
/** README's inserting snippet for the same tag: the loader is requested from the page's `load` handler, with
 *  the tag's data-* attributes (the demo's signature and all). */
function snippet(tag) {
  const attrs = {};
  for (const m of tag.matchAll(/data-([a-z-]+)="([^"]*)"/g)) attrs[m[1]] = m[2].replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return `<script>addEventListener('load', function () {
  var s = document.createElement('script'), d = ${JSON.stringify(attrs)};
  s.src = '/widget/tally.js';
  for (var k in d) s.setAttribute('data-' + k, d[k]);
  document.body.appendChild(s);
});</script>\n`;
}

// ---------------------------------------------------------------------------------------------- server
/** `tally-server demo` on a free port with a fresh SQLite; the release build unless --debug-server. */
async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-page-'));
  const bin = join(ROOT, opts['debug-server'] ? 'target/debug/tally-server' : 'target/release/tally-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bench/page without --no-build`);
  // TALLY_DIST=DIR measures another build of the widget (bench/page --no-build), e.g. to compare two.
  const dist = process.env.TALLY_DIST ?? join(ROOT, 'dist');
  if (!existsSync(join(dist, 'tally.js'))) throw new Error(`${dist}/tally.js is missing: scripts/build-widget`);
  // A copy of dist/: others rebuild the widget while this runs, and a file changing mid-run would turn
  // warm loads into cold ones (and mix two builds' figures).
  const widgetDir = join(dir, 'widget');
  cpSync(dist, widgetDir, { recursive: true });
  // One client IP loads the page hundreds of times: the per-IP rate limit must not be what we measure.
  const env = { ...process.env, TALLY_RATE_LIMIT_BURST: '1e12', TALLY_RATE_LIMIT_PER_SECOND: '1e12', RUST_LOG: 'warn' };
  const child = spawn(bin, ['demo', '--addr', '127.0.0.1:0', '--database-url', `sqlite://${join(dir, 'tally.db')}`,
    '--widget-dir', widgetDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
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
    return { url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The demo server's storefront for a variant: signed now for the member; the guest's page is also the
 *  plain one, with the script tag cut out of the server's answer in `openTab`. */
function storefrontUrl(base, variant, run) {
  const query = variant === 'member' ? `customer=${SHOPPER}` : 'guest=1';
  return `${base}/?${query}&bench=${variant}&run=${run}`;
}

// ------------------------------------------------------------------------------------------ in the page
// Runs before any of the page's scripts on every navigation. Records into window.__bench, with the page's
// own clock, so no figure includes Playwright's polling latency.
function instrument() {
  const B = (window.__bench = {
    longtasks: [], cls: 0, shifts: [], ours: [],
    launcher: null, launcherFrame: null, data: null, dataFrame: null,
    down: null, downNow: null, content: null, contentFrame: null,
  });
  const frame = (key) => requestAnimationFrame(() => { B[key] = performance.now(); });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch { B.longtasks = null; }
  // Long animation frames (> 50 ms) name the scripts that ran in them: ours are the widget's files.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        for (const x of e.scripts ?? []) {
          if (/\/widget\//.test(x.sourceURL ?? '')) B.ours.push({ start: x.startTime, duration: x.duration, frame: e.duration, invoker: x.invoker });
        }
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { B.ours = null; }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        B.cls += e.value;
        // What moved, for the report: a shift of 0.0001 is still not 0.
        const name = (n) => (n ? `${n.nodeName.toLowerCase()}${n.className ? `.${String(n.className).trim().split(/\s+/).join('.')}` : ''}` : '(not exposed: in the shadow root, or removed)');
        const box = (r) => `${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}×${Math.round(r.height)}`;
        B.shifts.push({ at: e.startTime, value: e.value,
          sources: (e.sources ?? []).map((x) => `${name(x.node)} ${box(x.previousRect)} → ${box(x.currentRect)}`) });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  } catch { B.cls = null; }
  // The input's own timestamp (when the browser received it), so queueing before the handler counts too.
  addEventListener('pointerdown', (e) => { if (B.down === null) { B.down = e.timeStamp; B.downNow = performance.now(); } }, true);

  const check = (root) => {
    const now = performance.now();
    const button = root.querySelector('.tally-launcher');
    if (B.launcher === null && button) {
      const r = button.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) { B.launcher = now; frame('launcherFrame'); }
    }
    // The label carries the shopper's balance (member) or the invitation (guest): the data has arrived.
    if (B.launcher !== null && B.data === null && button && button.querySelector('.tally-sr')) {
      B.data = now; frame('dataFrame');
    }
    if (B.down !== null && B.content === null
        && root.querySelector('.tally-panel__body .tally-summary, .tally-panel__body .tally-guest')) {
      B.content = now; frame('contentFrame');
    }
  };
  let found = false;
  const doc = new MutationObserver(() => {
    const host = !found && document.querySelector('tally-widget');
    if (!host || !host.shadowRoot) return;
    found = true;
    doc.disconnect();
    const root = host.shadowRoot;
    new MutationObserver(() => check(root))
      .observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
    check(root);
  });
  doc.observe(document, { childList: true, subtree: true });
}

// ------------------------------------------------------------------------------------------ one load
/** A tab whose storefront answers pass through CDP Fetch at the response stage: the page still comes
 *  from the server over the network (one connection, as a real shop's), and for `bench=plain` the widget's
 *  tag is cut out. Not page.route: Playwright's routing turns the HTTP cache off, and warm runs need it. */
async function openTab(browser) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(instrument);
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', async ({ requestId, request, responseStatusCode, responseHeaders }) => {
    try {
      const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', { requestId });
      let html = base64Encoded ? Buffer.from(body, 'base64').toString() : body;
      const variant = new URL(request.url).searchParams.get('bench');
      if (!TAG.test(html)) problems.push(`no widget script tag in ${request.url} (${responseStatusCode})`);
      if (variant === 'plain') html = html.replace(TAG, '');
      else if (EMBED === 'snippet') html = html.replace(TAG, (tag) => snippet(tag));
      // Every variant takes this same path, so the only difference between them is the tag.
      await cdp.send('Fetch.fulfillRequest', {
        requestId, responseCode: responseStatusCode,
        responseHeaders: responseHeaders.filter((h) => !/^content-length$/i.test(h.name)),
        body: Buffer.from(html).toString('base64'),
      });
    } catch (e) {
      problems.push(`interception: ${e.message}`);
      await cdp.send('Fetch.continueRequest', { requestId }).catch(() => {});
    }
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*bench=*', resourceType: 'Document', requestStage: 'Response' }] });
  if (THROTTLE !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  // The renderer's main-thread time (all tasks, and script alone), read before and after each load.
  await cdp.send('Performance.enable');
  return { context, page, cdp, problems };
}

const progress = (text) => {
  if (process.stdout.isTTY) process.stdout.write(text === null ? '\n' : `\r${text}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Loads `variant` in `tab`, observes it until the widget is idle, then (with the widget) clicks the launcher. */
async function load(tab, base, variant, run) {
  const { page, cdp } = tab;
  const mainThread = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await mainThread();
  await page.goto(storefrontUrl(base, variant, run), { waitUntil: 'load', timeout: 60_000 });
  const loadAt = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventStart);
  if (variant !== 'plain') {
    await page.waitForFunction(() => window.__bench.dataFrame !== null, null, { timeout: 30_000, polling: 50 })
      .catch(() => { throw new Error(`${variant} run ${run}: the launcher did not show the shopper's data in 30 s\n${tab.problems.join('\n')}`); });
  }
  const until = await page.evaluate(({ loadAt, settle }) => Math.max(loadAt + settle, (window.__bench.data ?? 0) + 1000),
    { loadAt, settle: SETTLE });
  for (;;) {
    const left = until - await page.evaluate(() => performance.now());
    if (left <= 0) break;
    await sleep(Math.min(left, 500));
  }
  const seen = await page.evaluate((loadAt) => {
    const B = window.__bench;
    const widget = performance.getEntriesByType('resource').filter((r) => /\/(widget|v1)\//.test(new URL(r.name).pathname));
    const nav = performance.getEntriesByType('navigation')[0];
    const loader = widget.find((r) => r.name.endsWith('/tally.js'));
    const files = widget.filter((r) => new URL(r.name).pathname.startsWith('/widget/'));
    return {
      load: loadAt,
      // Where the time before the load event goes: the document's answer, DOMContentLoaded, the loader.
      documentEnd: nav.responseEnd,
      dcl: nav.domContentLoadedEventEnd,
      loader: loader ? { start: loader.startTime, connectStart: loader.connectStart, connectEnd: loader.connectEnd, requestStart: loader.requestStart, responseStart: loader.responseStart, end: loader.responseEnd } : null,
      longtasks: B.longtasks?.length ?? null,
      tbt: B.longtasks ? B.longtasks.reduce((s, t) => s + Math.max(0, t.duration - 50), 0) : null,
      // Start (relative to the load event) and length of each long task, to tell what they coincide with.
      tasks: B.longtasks?.map((t) => [Math.round(t.start - loadAt), Math.round(t.duration)]) ?? null,
      longestTask: B.longtasks?.length ? Math.max(...B.longtasks.map((t) => t.duration)) : 0,
      // Long tasks from the load event on: with the snippet, everything of ours runs then.
      longtasksAfterLoad: B.longtasks?.filter((t) => t.start >= loadAt).length ?? null,
      // Our scripts' time inside long animation frames (> 50 ms): the longest one, and their sum.
      oursLongest: B.ours ? Math.max(0, ...B.ours.map((x) => x.duration)) : null,
      oursInLongFrames: B.ours ? B.ours.reduce((s, x) => s + x.duration, 0) : null,
      oursFrames: B.ours?.map((x) => [Math.round(x.start - loadAt), Math.round(x.duration), Math.round(x.frame), x.invoker]) ?? null,
      cls: B.cls,
      shifts: B.shifts.map((x) => ({ ...x, at: x.at - loadAt })),
      launcher: B.launcherFrame === null ? null : B.launcherFrame - loadAt,
      data: B.dataFrame === null ? null : B.dataFrame - loadAt,
      widgetBytes: widget.reduce((s, r) => s + r.transferSize, 0),
      // A page view: the widget's files (loader, glue, wasm) as transferred, headers included, without the API.
      pageViewBytes: files.reduce((s, r) => s + r.transferSize, 0),
      pageViewBodies: files.reduce((s, r) => s + r.encodedBodySize, 0),
      widgetRequests: widget.length,
      // Widget requests started before the load event: only the loader itself should be there.
      beforeLoadCount: widget.filter((r) => r.startTime < loadAt).length,
      beforeLoad: widget.filter((r) => r.startTime < loadAt).map((r) => new URL(r.name).pathname),
    };
  }, loadAt);
  const after = await mainThread();
  // The counters restart with each new document (a reload too); `before` only guards a tab that kept them.
  const since = (k) => (after[k] >= before[k] ? after[k] - before[k] : after[k]) * 1000;
  seen.taskMs = since('TaskDuration');
  seen.scriptMs = since('ScriptDuration');
  await cdp.send('HeapProfiler.collectGarbage');
  seen.heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  if (variant !== 'plain') {
    await page.locator('.tally-launcher').click();
    await page.waitForFunction(() => window.__bench.contentFrame !== null, null, { timeout: 10_000, polling: 50 })
      .catch(() => { throw new Error(`${variant} run ${run}: no panel content 10 s after the click\n${tab.problems.join('\n')}`); });
    seen.click = await page.evaluate(() => window.__bench.contentFrame - window.__bench.down);
    // Everything a shopper who opens the panel has downloaded of ours (files, not the API), a moment after.
    await sleep(500);
    seen.panelOpenBytes = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((r) => new URL(r.name).pathname.startsWith('/widget/')).reduce((s, r) => s + r.transferSize, 0));
  } else {
    seen.click = null;
    seen.panelOpenBytes = null;
  }
  return seen;
}

// ------------------------------------------------------------------------------------------ figures
function quantile(values, q) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]; // nearest rank
}
const METRICS = ['documentEnd', 'dcl', 'load', 'longtasks', 'tbt', 'longestTask', 'longtasksAfterLoad', 'oursLongest', 'oursInLongFrames', 'taskMs', 'scriptMs', 'cls', 'launcher', 'data', 'click', 'heap', 'widgetBytes', 'pageViewBytes', 'pageViewBodies', 'panelOpenBytes', 'widgetRequests', 'beforeLoadCount'];
function summarise(runs) {
  const out = {};
  for (const m of METRICS) {
    const values = runs.map((r) => r[m]);
    out[m] = { median: quantile(values, 0.5), p90: quantile(values, 0.9), max: quantile(values, 1) };
    if (m === 'cls') out[m].values = values;
  }
  out.beforeLoad = [...new Set(runs.flatMap((r) => r.beforeLoad))];
  const shifted = {};
  for (const r of runs) for (const x of r.shifts ?? []) for (const src of x.sources) shifted[src] = (shifted[src] ?? 0) + 1;
  out.shiftSources = shifted;
  return out;
}

async function main() {
  const started = Date.now();
  const server = await startServer();
  let browser;
  const tabs = [];
  const cleanup = async () => {
    await Promise.allSettled(tabs.map((t) => t.context.close()));
    await browser?.close().catch(() => {});
    await server.stop();
  };
  const onSignal = (sig) => { cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const raw = { cold: { plain: [], member: [], guest: [] }, warm: { plain: [], member: [], guest: [] } };
  const problems = new Set();
  try {
    browser = await launchBrowser();
    const base = server.url;
    console.log(`server ${base}, Chromium ${browser.version()}, ${RUNS} runs per variant, CPU throttle ${THROTTLE}×, embed ${EMBED}, `
      + `observed until load + ${SETTLE} ms`);
    // Cold: a fresh context (empty HTTP cache, no sessionStorage) per load; the variants interleaved so
    // that a noisy neighbour hits all three alike.
    for (let i = 0; i < RUNS; i += 1) {
      for (const v of VARIANTS) {
        const tab = await openTab(browser);
        tabs.push(tab);
        try {
          raw.cold[v].push(await load(tab, base, v, `cold-${i}`));
        } finally {
          tab.problems.forEach((p) => problems.add(`${v}: ${p}`));
          tabs.splice(tabs.indexOf(tab), 1);
          await tab.context.close();
        }
      }
      progress(`cold ${i + 1}/${RUNS}`);
    }
    // Warm: one tab per variant, loaded once unmeasured, then reloaded N times (cached widget files,
    // cached program and shopper in sessionStorage, the program's ETag).
    const warm = {};
    for (const v of VARIANTS) {
      warm[v] = await openTab(browser);
      tabs.push(warm[v]);
      await load(warm[v], base, v, 'prime');
    }
    for (let i = 0; i < RUNS; i += 1) {
      for (const v of VARIANTS) raw.warm[v].push(await load(warm[v], base, v, `warm-${i}`));
      progress(`cold ${RUNS}/${RUNS}, warm ${i + 1}/${RUNS}`);
    }
    for (const v of VARIANTS) warm[v].problems.forEach((p) => problems.add(`${v}: ${p}`));
    progress(null);
  } finally {
    await cleanup();
  }

  const summary = {};
  for (const mode of ['cold', 'warm']) {
    summary[mode] = {};
    for (const v of VARIANTS) summary[mode][v] = summarise(raw[mode][v]);
  }
  const verdict = report(summary);
  if (problems.size) {
    console.log(`\nthe pages reported ${problems.size} distinct console errors or warnings:`);
    for (const p of [...problems].slice(0, 10)) console.log(`  ${p.slice(0, 200)}`);
  }
  mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
  const out = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg() },
    config: { runs: RUNS, cpu_throttle: THROTTLE, embed: EMBED, settle_ms: SETTLE, server: opts['debug-server'] ? 'debug' : 'release',
      viewport: DESKTOP, shopper: SHOPPER },
    budgets: BUDGET, verdict, summary, runs: raw, problems: [...problems],
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(join(ROOT, 'bench/out/page.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/out/page.json');
}

// ------------------------------------------------------------------------------------------ the table
function report(summary) {
  const ms = (x) => (x === null ? '-' : x.toFixed(1));
  const fmt = {
    documentEnd: ms, dcl: ms, load: ms, tbt: ms, longestTask: ms, launcher: ms, data: ms, click: ms,
    oursLongest: ms, oursInLongFrames: ms, taskMs: ms, scriptMs: ms,
    longtasksAfterLoad: (x) => (x === null ? '-' : String(x)),
    pageViewBytes: (x) => (x === null ? '-' : String(Math.round(x))),
    pageViewBodies: (x) => (x === null ? '-' : String(Math.round(x))),
    panelOpenBytes: (x) => (x === null ? '-' : String(Math.round(x))),
    longtasks: (x) => (x === null ? '-' : String(x)),
    widgetRequests: (x) => (x === null ? '-' : String(x)),
    beforeLoadCount: (x) => (x === null ? '-' : String(x)),
    cls: (x) => (x === null ? '-' : x === 0 ? '0' : x.toPrecision(2)),
    heap: (x) => (x === null ? '-' : (x / 1048576).toFixed(2)),
    widgetBytes: (x) => (x === null ? '-' : (x / 1024).toFixed(1)),
  };
  const cell = (s, m) => `${fmt[m](s[m].median)} / ${fmt[m](s[m].p90)}`;
  const verdict = {};
  const yes = (ok) => (ok === null ? '' : ok ? 'met' : 'MISSED');
  const rows = [];
  for (const mode of ['cold', 'warm']) {
    const S = summary[mode];
    const withs = ['member', 'guest'];
    const added = (m) => Math.max(...withs.map((v) => S[v][m].median - S.plain[m].median));
    const v = {
      // The loader is a deferred script, so it is fetched and run before load; nothing else may be.
      only_loader_before_load: withs.every((w) => S[w].beforeLoad.every((p) => p.endsWith('/tally.js'))),
      load_added_ms: added('load'),
      tbt_added_ms: added('tbt'),
      tbt_within_budget: added('tbt') <= BUDGET.tbtAddedMs,
      cls_max: Math.max(...VARIANTS.map((x) => S[x].cls.max ?? 0)),
      runs_with_shift: Object.fromEntries(VARIANTS.map((x) => [x, S[x].cls.values.filter((c) => c > 0).length])),
      launcher_median_ms: Math.max(...withs.map((w) => S[w].launcher.median)),
      launcher_within_budget: withs.every((w) => S[w].launcher.median <= BUDGET.launcherAfterLoadMs),
      click_median_ms: Math.max(...withs.map((w) => S[w].click.median)),
      click_within_budget: withs.every((w) => S[w].click.median <= BUDGET.clickToContentMs),
      heap_added_bytes: added('heap'),
      task_added_ms: added('taskMs'),
      script_added_ms: added('scriptMs'),
    };
    v.cls_zero = v.cls_max === 0;
    v.load_not_later = v.load_added_ms <= BUDGET.loadAddedMs;
    verdict[mode] = v;
    const row = (name, m, budget, ok) => rows.push([name, ...VARIANTS.map((x) => cell(S[x], m)), budget, yes(ok)]);
    rows.push([`${mode}: ${mode === 'cold' ? 'fresh context per load' : 'same tab reloaded, widget and program cached'}`]);
    row('document received, ms', 'documentEnd', '', null);
    row('DOMContentLoaded end, ms', 'dcl', '', null);
    row('widget requests before load', 'beforeLoadCount', 'only the loader, tally.js', v.only_loader_before_load);
    row('load event, ms', 'load', `≤ without + ${BUDGET.loadAddedMs} (+${v.load_added_ms.toFixed(1)})`, v.load_not_later);
    row('long tasks', 'longtasks', '', null);
    row('longest task, ms', 'longestTask', '', null);
    row('long tasks from the load event on', 'longtasksAfterLoad', '', null);
    row('our scripts in long frames: longest, ms', 'oursLongest', '≤ 50', null);
    row('our scripts in long frames: sum, ms', 'oursInLongFrames', '', null);
    row('main-thread time (all tasks), ms', 'taskMs', `report (+${v.task_added_ms.toFixed(1)})`, null);
    row('script time, ms', 'scriptMs', `report (+${v.script_added_ms.toFixed(1)})`, null);
    row('total blocking time, ms', 'tbt', `added ≤ ${BUDGET.tbtAddedMs} (+${v.tbt_added_ms.toFixed(1)})`, v.tbt_within_budget);
    row('layout shift (CLS)', 'cls', `0 (max ${fmt.cls(v.cls_max)})`, v.cls_zero);
    row('load → launcher visible, ms', 'launcher', `≤ ${BUDGET.launcherAfterLoadMs}`, v.launcher_within_budget);
    row('load → launcher shows data, ms', 'data', '', null);
    row('click → panel content, ms', 'click', mode === 'warm' ? `≤ ${BUDGET.clickToContentMs}` : `(≤ ${BUDGET.clickToContentMs} warm)`,
      mode === 'warm' ? v.click_within_budget : null);
    row('JS heap used after GC, MB', 'heap', `report (+${(v.heap_added_bytes / 1048576).toFixed(2)} MB)`, null);
    row('widget bytes transferred (files and API), KB', 'widgetBytes', 'report', null);
    row('page view: widget files transferred, B', 'pageViewBytes', mode === 'cold' ? '< 100,000' : '', mode === 'cold' ? withs.every((w) => S[w].pageViewBytes.median < 100000) : null);
    row('page view: their bodies (no headers), B', 'pageViewBodies', '', null);
    row('panel open: widget files transferred, B', 'panelOpenBytes', mode === 'cold' ? '< 120,000' : '', mode === 'cold' ? withs.every((w) => S[w].panelOpenBytes.median < 120000) : null);
    row('widget requests', 'widgetRequests', 'report', null);
  }
  const head = ['metric (median / p90)', ...VARIANTS.map((x) => LABEL[x]), 'budget', 'met?'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 1).map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ');
  console.log(`\n${line(head)}`);
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(r.length === 1 ? `-- ${r[0]}` : line(r));
  for (const mode of ['cold', 'warm']) {
    for (const x of VARIANTS) {
      const n = verdict[mode].runs_with_shift[x];
      if (!n) continue;
      console.log(`${mode} ${LABEL[x]}: layout shifts in ${n} of ${summary[mode][x].cls.values.length} loads; what moved (how often):`);
      for (const [src, k] of Object.entries(summary[mode][x].shiftSources)) console.log(`  ${src} (${k}×)`);
    }
  }
  if (THROTTLE !== 1) console.log(`(CPU throttled ${THROTTLE}× through CDP: a mid-range phone's figures, roughly)`);
  return verdict;
}

main().catch((e) => {
  console.error(`\nbench/page failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});
