// Shared by the benchmarks: start processes, run load, read CPU share.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Spawn a node process and resolve with the first stdout line matching `ready`. */
export function spawnUntil(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited with ${code}: ${out}`)));
  });
}

/** CPU seconds (user+system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user+system, or the system part alone) each thread of a process has used so far, by OS thread id, from /proc. */
export function threadCpuSeconds(pid: number, part: 'all' | 'system' = 'all'): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, ((part === 'all' ? Number(fields[11]) : 0) + Number(fields[12])) / 100);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** Context switches each thread of a process has made so far (voluntary: it slept, so each is a wake-up; involuntary: preempted) and its moves from one core to another, by OS thread id, from /proc. */
export function threadSwitches(pid: number): Map<string, { voluntary: number; involuntary: number; migrations: number }> {
  const out = new Map<string, { voluntary: number; involuntary: number; migrations: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const sched = fs.readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8');
      out.set(tid, {
        voluntary: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
        involuntary: Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
        migrations: Number(/^se\.nr_migrations\s+:\s+(\d+)/m.exec(sched)?.[1] ?? 0),
      });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

export interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 32, duration: 8, ...opts });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A real server (SQLite, real clock, sandbox carrier) with a US SMS number
 * rented and credit topped up: where the messaging-path benchmarks start.
 * `nodeFlags` go to the server's node (e.g. --cpu-prof).
 */
export async function startSmsServer(nodeFlags: string[] = []) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const authId = newAccountAuthId();
  const authToken = newAuthToken();
  const headers = { authorization: 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64'), 'content-type': 'application/json' };
  const server = await spawnUntil(
    [...nodeFlags, path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/,
    { SWITCHBOARD_AUTH_ID: authId, SWITCHBOARD_AUTH_TOKEN: authToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', DATABASE_URL: '', SWITCHBOARD_CLOCK: 'real' },
  );
  const origin = server.match[1]!;
  const base = `${origin}/v1/Account/${authId}`;
  const call = async (p: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(base + p, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers, body: init.json ? JSON.stringify(init.json) : undefined });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const [pick] = (await call('/PhoneNumber/?country_iso=US&services=sms&limit=1')).objects;
  await call(`/PhoneNumber/${pick.number}/`, { json: {} });
  await call('/Sandbox/Credit/', { json: { amount: '1000000' } });
  return {
    origin,
    base,
    authId,
    headers,
    call,
    pid: server.child.pid!,
    number: pick.number as string,
    async stop() {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
