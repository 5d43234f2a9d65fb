// Digest REGISTER/s: SIPp (Debian's sip-tester) registers one endpoint over
// loopback UDP at rising rates against our SIP stack running in its own
// process (bench/sip-registrar.ts). Every REGISTER is challenged (401) and
// answered with Digest, so each counted registration is two transactions.
// For each rate (BENCH_RATES, default 1000 to 6000 by 1000, BENCH_SECONDS
// each, default 8) it prints the registrations completed per second, the
// failed ones, the stack process's CPU share and the rate per core of that
// CPU; it stops at the first rate with failures or that SIPp could not hold.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { cpuSeconds, fmt, ROOT, spawnUntil } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RATES = (process.env.BENCH_RATES ?? '1000,2000,3000,4000,5000,6000').split(',').map(Number);
const SCENARIO = path.join(ROOT, 'test/telephony/sip/sipp/register-digest.xml');

if (spawnSync('sipp', ['-v']).error) {
  console.error('bench:sip needs SIPp: run scripts/ensure-sip-tools.sh (Debian package sip-tester)');
  process.exit(1);
}

interface Step {
  rate: number;
  done: number;
  failed: number;
  seconds: number;
  cps: number;
  cpu: number;
}

/** SIPp's own cumulative figures: calls that succeeded and failed, and its call rate (calls started per second). */
function sipp(port: number, rate: number): Promise<{ done: number; failed: number; seconds: number; cps: number }> {
  const calls = rate * SECONDS;
  const started = process.hrtime.bigint();
  const child = spawn('sipp', ['-sf', SCENARIO, '-i', '127.0.0.1', '-r', String(rate), '-rp', '1000', '-m', String(calls), '-l', String(rate * 4), '-s', 'alice', '-au', 'alice', '-ap', 'pw', '-nostdin', '-timeout', `${SECONDS * 4}s`, '-max_socket', '50000', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  return new Promise((resolve) => {
    child.on('exit', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cumulative = (label: string) => Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(out)?.[1] ?? 0);
      const cps = Number(/Call Rate\s*\|\s*[\d.]+ cps\s*\|\s*([\d.]+) cps/.exec(out)?.[1] ?? 0);
      const done = cumulative('Successful call');
      resolve({ done, failed: cumulative('Failed call') + Math.max(0, calls - done - cumulative('Failed call')), seconds, cps });
    });
  });
}

const { child, match } = await spawnUntil(['--import', 'tsx', 'bench/sip-registrar.ts'], /SIP on (\d+)/);
const port = Number(match[1]);
console.log(`Digest REGISTER over loopback UDP, SIPp at rising rates, ${SECONDS} s each; stack process pid ${child.pid}`);
console.log('rate asked  registered/s  failed  stack CPU  per core');
const steps: Step[] = [];
// Warm-up: JIT and the first garbage collections out of the way.
await sipp(port, 500);
for (const rate of RATES) {
  const cpu0 = cpuSeconds(child.pid!);
  const r = await sipp(port, rate);
  const cpu = cpuSeconds(child.pid!) - cpu0;
  const step = { rate, ...r, cpu };
  steps.push(step);
  const perSecond = r.cps;
  const share = cpu / r.seconds;
  console.log(`${fmt(rate).padStart(10)}  ${fmt(perSecond).padStart(12)}  ${fmt(r.failed).padStart(6)}  ${fmt(share * 100).padStart(8)}%  ${fmt(r.done / cpu).padStart(8)}`);
  if (r.failed > 0 || perSecond < rate * 0.9) break;
}
child.kill();
const clean = steps.filter((s) => s.failed === 0);
const best = clean.reduce<Step | undefined>((a, b) => (a && a.cps >= b.cps ? a : b), undefined);
if (best) {
  console.log(`\nhighest rate with no failure: ${fmt(best.cps)} registrations/s; per core of the stack's CPU: ${fmt(best.done / best.cpu)} /s (target 2,000)`);
  const last = steps.at(-1)!;
  if (last.failed === 0 && last.cpu / last.seconds < 0.9) console.log('(the stack was not saturated: SIPp, sharing the machine, set the ceiling)');
} else {
  console.log('\nno rate passed without failures');
}
