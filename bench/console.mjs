// Drives bench/console: the staff console's first load, cold, in headless Chromium against the real server
// (release build): bytes transferred (as Chromium counts them, headers included) and the time from
// navigation to the sign-in form on screen, then from signing in to the first page, on a normal CPU and
// a 4× slowed one. Medians of N runs. The console is not on the shopper's path; this says what staff wait.
//
// Usage: node bench/console.mjs [--runs N]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_OWNER, DESKTOP, ROOT, launchBrowser, startServer } from '../tests/e2e/harness.mjs';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(opts.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs wants a positive whole number, not ${opts.runs}`);
process.env.TALLY_SERVER_BIN ??= join(ROOT, 'target/release/tally-server');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const server = await startServer();
const browser = await launchBrowser();
const results = {};
try {
  for (const throttle of [1, 4]) {
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) {
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      if (throttle !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
      let bytes = 0;
      cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
      const t0 = Date.now();
      await page.goto(`${server.url}/console/`);
      await page.locator('#email').waitFor();
      const signInForm = Date.now() - t0;
      const firstLoadBytes = bytes;
      await page.locator('#email').fill(DEMO_OWNER.email);
      await page.locator('#password').fill(DEMO_OWNER.password);
      const t1 = Date.now();
      await page.getByRole('button', { name: /sign in/i }).click();
      await page.locator('main h1').first().waitFor();
      const firstPage = Date.now() - t1;
      runs.push({ signInForm, firstPage, firstLoadBytes });
      await context.close();
    }
    results[`cpu_${throttle}x`] = {
      runs,
      sign_in_form_ms: median(runs.map((r) => r.signInForm)),
      first_page_after_sign_in_ms: median(runs.map((r) => r.firstPage)),
      first_load_bytes: median(runs.map((r) => r.firstLoadBytes)),
    };
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`console first load, cold, medians of ${RUNS}:`);
console.log('cpu   bytes on the wire   navigation → sign-in form   sign in → first page');
for (const [cpu, r] of Object.entries(results)) {
  console.log(`${cpu.padEnd(6)}${String(r.first_load_bytes).padStart(17)} B${String(r.sign_in_form_ms).padStart(25)} ms${String(r.first_page_after_sign_in_ms).padStart(20)} ms`);
}
mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
writeFileSync(join(ROOT, 'bench/out/console.json'), JSON.stringify(results, null, 2));
