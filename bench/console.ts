// The web console's weight and speed in a real browser (Debian's Chromium)
// against a real server on loopback: the script a first load transfers
// (compressed, as served), and for each page the time from navigation to
// interactive (its heading shown and nothing left loading). Run:
//   npm run bench:console        (BENCH_ROUNDS=5 by default)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import { fmt, ROOT, spawnUntil } from './lib.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!fs.existsSync(chromiumPath)) {
  console.log(`bench/console: no Chromium at ${chromiumPath}; run scripts/ensure-chromium.sh`);
  process.exit(0);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
const authId = newAccountAuthId();
const authToken = newAuthToken();
const server = await spawnUntil(
  [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
  /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/,
  { SWITCHBOARD_AUTH_ID: authId, SWITCHBOARD_AUTH_TOKEN: authToken, LOG_LEVEL: 'info', DATABASE_URL: '', SWITCHBOARD_CLOCK: 'real' },
);
const base = server.match[1];
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${base}/console/`);
  await page.getByLabel('Auth ID').fill(authId);
  await page.getByLabel('Auth token').fill(authToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();

  // A first load with an empty cache, signed in: every script it transfers, compressed.
  const first = await browser.newPage();
  await first.route('**/*', (route) => route.continue({ headers: { ...route.request().headers(), 'cache-control': 'no-cache' } }));
  await first.goto(`${base}/console/#/calls`);
  await first.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
  await first.waitForLoadState('networkidle');
  const scripts = (await first.evaluate(() =>
    performance.getEntriesByType('resource').filter((e) => /\.(m?js)$/.test(new URL(e.name).pathname)).map((e) => ({ name: new URL(e.name).pathname, bytes: (e as PerformanceResourceTiming).encodedBodySize })),
  )) as { name: string; bytes: number }[];
  const firstBytes = scripts.reduce((n, s) => n + s.bytes, 0);
  await first.close();
  const elk = gzipSync(fs.readFileSync(path.join(ROOT, 'node_modules/elkjs/lib/elk.bundled.js'))).length;

  console.log(`bench/console: Chromium ${browser.browser()?.version()}, ${os.cpus().length} cores, ${rounds} rounds per page\n`);
  console.log(`first load (calls page, signed in): ${scripts.length} scripts, ${fmt(firstBytes / 1024, 1)} KiB compressed (budget 300 KiB)`);
  console.log(`flows page adds elkjs: ${fmt(elk / 1024, 1)} KiB gzip, loaded only there\n`);

  // The example IVR flow to draw: its page loads elkjs and lays the graph out before its heading shows.
  const created = await fetch(`${base}/v1/Account/${authId}/Phlo/`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`, 'content-type': 'application/json' },
    body: fs.readFileSync(path.join(ROOT, 'examples/phlo/ivr-voicemail.json')),
  });
  const flow = (await created.json()) as { phlo_id: string; name: string; error?: string };
  if (created.status !== 201) throw new Error(`the example flow was refused: ${flow.error}`);
  const pages: [string, string][] = [['calls', 'Calls'], ['phone', 'Softphone'], ['applications', 'Applications'], ['numbers', 'Numbers'], ['endpoints', 'Endpoints'], ['messages', 'Messages'], ['recordings', 'Recordings'], ['flows', 'Flows'], [`flows/${flow.phlo_id}`, `Flow ${flow.name}`], ['subaccounts', 'Subaccounts'], ['billing', 'Balance']];
  let worst = 0;
  for (const [route, heading] of pages) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(`${base}/console/#/${route}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    worst = Math.max(worst, times[times.length - 1]!);
    console.log(`${(route.startsWith('flows/') ? 'a flow (elk)' : route).padEnd(13)} interactive in ${fmt(median)} ms median, ${fmt(times[times.length - 1]!)} ms worst (full page load, signed in)`);
  }
  console.log(`\nslowest page load: ${fmt(worst)} ms (target < 1000 ms on loopback)`);
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  fs.rmSync(profile, { recursive: true, force: true });
}
