// SIPp (Debian's sip-tester) against our SIP stack running in its own
// process (bench/sip-server.ts), over loopback UDP, at rising rates:
//   register: Digest REGISTER/s — every REGISTER is challenged (401) and
//             answered with Digest, so each registration is two transactions;
//   calls:    call set-ups/s, signalling only (INVITE, 180, 200, ACK, 1 s,
//             BYE): the stack's share of the driver's call set-up target.
// For each rate (BENCH_RATES, BENCH_SECONDS each, default 8) it prints what
// completed per second, the failures, the stack process's CPU share and the
// rate per CPU-second of the stack; a ladder stops at the first rate with
// failures or that SIPp could not hold. BENCH_ONLY=register|calls runs one.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { cpuSeconds, fmt, ROOT, spawnUntil } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ONLY = process.env.BENCH_ONLY;
const LADDERS = [
  { name: 'register', what: 'Digest REGISTER', scenario: path.join(ROOT, 'test/telephony/sip/sipp/register-digest.xml'), args: ['-s', 'alice', '-au', 'alice', '-ap', 'pw'], rates: '1000,2000,3000,4000,5000,6000', target: 2000, holdSeconds: 0 },
  { name: 'calls', what: 'call set-ups (signalling only)', scenario: path.join(ROOT, 'bench/sipp/call-setup.xml'), args: ['-s', '15550100'], rates: '250,500,1000,2000,3000', target: 300, holdSeconds: 1 },
].filter((l) => !ONLY || l.name === ONLY);

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
function sipp(port: number, rate: number, ladder: (typeof LADDERS)[number]): Promise<{ done: number; failed: number; seconds: number; cps: number }> {
  const calls = rate * SECONDS;
  const started = process.hrtime.bigint();
  const child = spawn('sipp', ['-sf', ladder.scenario, '-i', '127.0.0.1', '-r', String(rate), '-rp', '1000', '-m', String(calls), '-l', String(rate * 4), ...ladder.args, '-nostdin', '-timeout', `${SECONDS * 4}s`, '-max_socket', '50000', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  return new Promise((resolve) => {
    child.on('exit', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cumulative = (label: string) => Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(out)?.[1] ?? 0);
      const done = cumulative('Successful call');
      // SIPp's cumulative rate is calls over its whole run, which ends one call length after the last call starts.
      const sippRate = Number(/Call Rate\s*\|\s*[\d.]+ cps\s*\|\s*([\d.]+) cps/.exec(out)?.[1] ?? 0);
      const cps = sippRate > 0 ? done / (done / sippRate - ladder.holdSeconds) : 0;
      resolve({ done, failed: cumulative('Failed call') + Math.max(0, calls - done - cumulative('Failed call')), seconds, cps });
    });
  });
}

const { child, match } = await spawnUntil(['--import', 'tsx', 'bench/sip-server.ts'], /SIP on (\d+)/);
const port = Number(match[1]);
for (const ladder of LADDERS) {
  console.log(`\n${ladder.what} over loopback UDP, SIPp at rising rates, ${SECONDS} s each; stack process pid ${child.pid}`);
  console.log('rate asked   completed/s  failed  stack CPU  per core');
  const steps: Step[] = [];
  // Warm-up: JIT and the first garbage collections out of the way.
  await sipp(port, 250, ladder);
  for (const rate of (process.env.BENCH_RATES ?? ladder.rates).split(',').map(Number)) {
    const cpu0 = cpuSeconds(child.pid!);
    const r = await sipp(port, rate, ladder);
    const cpu = cpuSeconds(child.pid!) - cpu0;
    steps.push({ rate, ...r, cpu });
    console.log(`${fmt(rate).padStart(10)}  ${fmt(r.cps).padStart(12)}  ${fmt(r.failed).padStart(6)}  ${fmt((cpu / r.seconds) * 100).padStart(8)}%  ${fmt(r.done / cpu).padStart(8)}`);
    if (r.failed > 0 || r.cps < rate * 0.9) break;
  }
  const clean = steps.filter((s) => s.failed === 0);
  const best = clean.reduce<Step | undefined>((a, b) => (a && a.cps >= b.cps ? a : b), undefined);
  if (!best) {
    console.log('no rate passed without failures');
    continue;
  }
  console.log(`highest rate with no failure: ${fmt(best.cps)}/s; per core of the stack's CPU: ${fmt(best.done / best.cpu)}/s (target ${fmt(ladder.target)})`);
  const last = steps.at(-1)!;
  if (last.failed === 0 && last.cpu / last.seconds < 0.9) console.log('(the stack was not saturated: SIPp, sharing the machine, set the ceiling)');
}
child.kill();
