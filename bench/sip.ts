// SIPp (Debian's sip-tester) against our SIP stack running in its own
// process (bench/sip-server.ts), over loopback UDP, at rising rates:
//   register: Digest REGISTER/s — every REGISTER is challenged (401) and
//             answered with Digest, so each registration is two transactions;
//   calls:    call set-ups/s, signalling only (INVITE, 180, 200, ACK, 1 s,
//             BYE): the stack's share of the driver's call set-up target;
//   app:      whole calls through a Switchboard server in --telephony sip:
//             a carrier's caller (SIPp, echoing RTP) reaches an application
//             that answers, speaks about 2 s and hangs up (BYE from us):
//             call set-ups/s with RTP both ways, per core of the server.
// For each rate (BENCH_RATES, BENCH_SECONDS each, default 8) it prints what
// completed per second, the failures, the stack process's CPU share and the
// rate per CPU-second of the stack; a ladder stops at the first rate with
// failures or that SIPp could not hold. BENCH_ONLY=register|calls|app runs
// one; BENCH_PHASE_PROFILE=dir writes the app server's CPU profile per rate,
// BENCH_ALLOC_PROFILE=dir what it allocates, BENCH_SIPP_TRACE=1 keeps SIPp's
// error log. The app ladder also prints each step's CPU per call by thread.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuSeconds, fmt, ROOT, spawnUntil, threadCpuSeconds, threadSwitches } from './lib.ts';
import type { WorkerStats } from '../src/telephony/sip/rtp/rtp-protocol.ts';
import { latenessPercentile, stepFigures } from './rtp-figures.ts';
import { startServer, type CollectorStats } from './server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ONLY = process.env.BENCH_ONLY;
const LADDERS = [
  { name: 'register', what: 'Digest REGISTER', scenario: path.join(ROOT, 'test/telephony/sip/sipp/register-digest.xml'), args: ['-s', 'alice', '-au', 'alice', '-ap', 'pw'], rates: '1000,2000,3000,4000,5000,6000', target: 2000, holdSeconds: 0 },
  { name: 'calls', what: 'call set-ups (signalling only)', scenario: path.join(ROOT, 'bench/sipp/call-setup.xml'), args: ['-s', '15550100'], rates: '250,500,1000,2000,3000', target: 300, holdSeconds: 1 },
  { name: 'app', what: 'app call set-ups with RTP (answer, Speak ~2 s, hang up)', scenario: path.join(ROOT, 'bench/sipp/call-app.xml'), args: ['-s', '15557770100', '-rtp_echo', '-mi', '127.0.0.1'], rates: '25,50,100,200,300,400', target: 300, holdSeconds: 2.5 },
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
  const child = spawn('sipp', ['-sf', ladder.scenario, '-i', '127.0.0.1', '-r', String(rate), '-rp', '1000', '-m', String(calls), '-l', String(rate * 4), ...ladder.args, '-nostdin', '-timeout', `${SECONDS * 4}s`, '-max_socket', '50000', ...(process.env.BENCH_SIPP_TRACE ? ['-trace_err'] : []), `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
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

type ThreadRole = 'main' | 'media workers' | 'other workers' | 'V8 and libuv helpers';

/** A per-thread counter's growth (CPU seconds, context switches) per completed call of each kind of thread over a step, from two /proc snapshots. */
function perThread(before: Map<string, number>, after: Map<string, number>, roles: Map<string, ThreadRole>, calls: number): Map<ThreadRole, number> {
  const perCall = new Map<ThreadRole, number>();
  for (const [tid, count] of after) {
    const role = roles.get(tid) ?? 'V8 and libuv helpers';
    perCall.set(role, (perCall.get(role) ?? 0) + (count - (before.get(tid) ?? 0)) / calls);
  }
  return perCall;
}

/** What the main thread's collector did over a step, per completed call (the scavenges' copying is what objects alive at a scavenge cost). */
function collectorText(c: CollectorStats, calls: number): string {
  const kb = (bytes: number) => fmt(bytes / 1024 / calls, 1);
  return (
    `${fmt(c.scavenges)} scavenges (${fmt(calls / Math.max(1, c.scavenges))} calls each), survived ${kb(c.survivedBytes)} KB and promoted ${kb(c.promotedBytes)} KB a call, ` +
    `pauses ${fmt(c.scavengeMs / calls, 3)} ms a call (wall clock, preemptions included); ${fmt(c.markCompacts)} mark-compacts (${fmt(c.markCompactMs, 1)} ms)`
  );
}

/** The media workers' steps and packets over a step (from two readings of their counters): what the real-time priority is there for. */
function mediaText(before: WorkerStats[], stats: WorkerStats[], calls: number): string {
  const { steps, lateSteps, fill50, fill99 } = stepFigures(stats);
  const grown = (of: (s: WorkerStats) => number) => stats.reduce((n, s) => n + of(s), 0) - before.reduce((n, s) => n + of(s), 0);
  const demotions = stats.reduce((n, s) => n + s.demotions, 0);
  const packets = (q: number) => fmt(latenessPercentile(stats, q), 1);
  return (
    `${fmt(grown((s) => s.totals.packetsSent) / calls)} packets sent per call, ${fmt(grown((s) => s.skippedTicks))} steps skipped (a worker more than 100 ms behind drops them); ` +
    `packets late p50 ${packets(0.5)}, p99 ${packets(0.99)}, p99.9 ${packets(0.999)} ms; steps ${fmt((lateSteps * 1000) / Math.max(1, steps), 1)} ‰ late of ${fmt(steps)}, ` +
    `fill p50 ${fmt(fill50 * 100)}%, p99 ${fmt(fill99 * 100)}%; real-time at the end ${stats.filter((s) => s.realtime).length}/${stats.length}${demotions ? ` (sent back ${demotions} times so far)` : ''}`
  );
}

/** The process SIPp talks to: our bare stack (bench/sip-server.ts), or a whole server in SIP mode with its application. */
interface Target {
  pid: number;
  port: number;
  /** The server's CPU profile of one step (BENCH_PHASE_PROFILE, app ladder only). */
  profiled<T>(name: string, step: () => Promise<T>): Promise<T>;
  /** What each of the process's threads is, by OS thread id (app ladder only): its CPU per call is split by these. */
  threadRoles?(): Promise<Map<string, ThreadRole>>;
  /** The media workers' counters since the last reset (app ladder only). */
  mediaStats?(reset: boolean): Promise<WorkerStats[]>;
  /** The main thread's garbage collections during a step (app ladder only). */
  collectorStart?(): Promise<unknown>;
  collectorStop?(): Promise<CollectorStats>;
  stop(): Promise<void>;
}

/** A UDP port nobody holds now (the kernel's pick): a fixed range collided with other programs' sockets (EADDRINUSE). */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function target(ladder: (typeof LADDERS)[number]): Promise<Target> {
  if (ladder.name !== 'app') {
    const { child, match } = await spawnUntil(['--import', 'tsx', 'bench/sip-server.ts'], /SIP on (\d+)/);
    return { pid: child.pid!, port: Number(match[1]), profiled: (_name, step) => step(), stop: async () => void child.kill() };
  }
  const answers = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end('<Response><Speak>Thank you for calling the benchmark line.</Speak></Response>'));
  await new Promise<void>((r) => answers.listen(0, '127.0.0.1', r));
  const port = await freeUdpPort();
  const server = await startServer({ SWITCHBOARD_TELEPHONY: 'sip', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${port}`, SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1', SWITCHBOARD_RTP_PORTS: '20000-40000', SWITCHBOARD_SIP_MAX_CALLS_PER_ACCOUNT: '100000' });
  const app = await server.api('POST', '/Application/', { app_name: 'bench', answer_url: `http://127.0.0.1:${(answers.address() as AddressInfo).port}/answer` });
  const carrier = await server.api('POST', '/IncomingCarrier/', { name: 'sipp', ip_set: '127.0.0.1' });
  await server.api('POST', '/Number/', { numbers: '15557770100', carrier: carrier.carrier_id, region: 'Bench', app_id: app.app_id });
  return {
    pid: server.pid,
    port,
    profiled: server.profiled,
    mediaStats: server.mediaStats,
    collectorStart: server.collectorStart,
    collectorStop: server.collectorStop,
    async threadRoles() {
      const roles = new Map<string, ThreadRole>([[String(server.pid), 'main']]);
      for (const [tid, name] of await server.workerThreads()) roles.set(tid, name.endsWith('rtp-media') ? 'media workers' : 'other workers');
      return roles;
    },
    stop: async () => {
      await server.stop();
      answers.close();
    },
  };
}

for (const ladder of LADDERS) {
  const t = await target(ladder);
  console.log(`\n${ladder.what} over loopback UDP, SIPp at rising rates, ${SECONDS} s each; ${ladder.name === 'app' ? 'server' : 'stack'} process pid ${t.pid}`);
  console.log('rate asked   completed/s  failed  its CPU  per core');
  const steps: Step[] = [];
  // Warm-up: JIT and the first garbage collections out of the way. The app ladder's at 200/s: at 25/s the first
  // measured step still paid for the main thread's and the workers' optimising compiles (V8 helpers 0.6 ms a call
  // against 0.2 after) and the ladder often stopped there, SIPp short of the asked rate.
  await sipp(t.port, ladder.name === 'app' ? 200 : 250, ladder);
  const roles = await t.threadRoles?.();
  for (const rate of (process.env.BENCH_RATES ?? ladder.rates).split(',').map(Number)) {
    const cpu0 = cpuSeconds(t.pid);
    const threads0 = threadCpuSeconds(t.pid);
    const kernel0 = threadCpuSeconds(t.pid, 'system');
    const switches0 = threadSwitches(t.pid);
    const media0 = await t.mediaStats?.(true);
    await t.collectorStart?.();
    const r = await t.profiled(`sip-${ladder.name}-${rate}`, () => sipp(t.port, rate, ladder));
    const collector = await t.collectorStop?.();
    const cpu = cpuSeconds(t.pid) - cpu0;
    steps.push({ rate, ...r, cpu });
    console.log(`${fmt(rate).padStart(10)}  ${fmt(r.cps).padStart(12)}  ${fmt(r.failed).padStart(6)}  ${fmt((cpu / r.seconds) * 100).padStart(6)}%  ${fmt(r.done / cpu).padStart(8)}`);
    if (roles && r.done > 0) {
      const all = perThread(threads0, threadCpuSeconds(t.pid), roles, r.done);
      const kernel = perThread(kernel0, threadCpuSeconds(t.pid, 'system'), roles, r.done);
      const shares = [...all].map(([role, v]) => `${role} ${fmt(v * 1000, 2)} ms${role === 'main' ? ` (kernel ${fmt((kernel.get(role) ?? 0) * 1000, 2)})` : ''}`);
      console.log(`            CPU per call: ${shares.join(', ')}; load average ${fmt(os.loadavg()[0]!, 1)}`);
      const switches1 = threadSwitches(t.pid);
      const pick = (m: ReturnType<typeof threadSwitches>, k: 'voluntary' | 'involuntary' | 'migrations') => new Map([...m].map(([tid, v]) => [tid, v[k]]));
      const woke = perThread(pick(switches0, 'voluntary'), pick(switches1, 'voluntary'), roles, r.done);
      const preempted = perThread(pick(switches0, 'involuntary'), pick(switches1, 'involuntary'), roles, r.done);
      const moved = perThread(pick(switches0, 'migrations'), pick(switches1, 'migrations'), roles, r.done);
      console.log(`            wake-ups per call (voluntary context switches; preempted; moved to the other core): ${[...woke].map(([role, v]) => `${role} ${fmt(v, 2)} (${fmt(preempted.get(role) ?? 0, 2)}; ${fmt(moved.get(role) ?? 0, 2)})`).join(', ')}`);
      const media = await t.mediaStats?.(false);
      if (media?.length && media0) console.log(`            media workers: ${mediaText(media0, media, r.done)}`);
      if (collector) console.log(`            main thread's collector: ${collectorText(collector, r.done)}`);
    }
    if (r.failed > 0 || r.cps < rate * 0.9) break;
  }
  await t.stop();
  const clean = steps.filter((s) => s.failed === 0);
  const best = clean.reduce<Step | undefined>((a, b) => (a && a.cps >= b.cps ? a : b), undefined);
  if (!best) {
    console.log('no rate passed without failures');
    continue;
  }
  console.log(`highest rate with no failure: ${fmt(best.cps)}/s; per core of its CPU: ${fmt(best.done / best.cpu)}/s (target ${fmt(ladder.target)})`);
  const last = steps.at(-1)!;
  if (last.failed === 0 && last.cpu / last.seconds < 0.9) console.log('(not saturated: SIPp, sharing the machine, set the ceiling)');
}
