// A real Switchboard server process for the benchmarks (SQLite in a temp
// data dir, its own main account, plenty of credit), with its inspector
// open so a benchmark can ask for a full garbage collection and the heap in
// use, and a keep-alive API client. BENCH_PROFILE=dir writes the server's
// CPU profile (node --cpu-prof) there when it stops; BENCH_PHASE_PROFILE=dir
// writes one profile per measured phase (e.g. bench:calls' held set-up and
// tear-down), taken over the inspector; BENCH_ALLOC_PROFILE=dir likewise
// samples what each phase allocates (includes what was collected since).
// BENCH_NODE_ARGS="--perf-prof --interpreted-frames-native-stack" (space-
// separated) adds node flags to the server, e.g. for `perf record` of its
// threads with exact JIT symbols (`perf inject --jit`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request, WebSocket } from 'undici';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import type { WorkerStats } from '../src/telephony/sip/rtp/rtp-protocol.ts';
import { ROOT } from './lib.ts';

/** Keep-alive connections of the API client. */
const API_CONNECTIONS = 48;

/**
 * The server process with its inspector open on a random local port: the
 * benchmark asks it for a full garbage collection and the heap in use, so
 * memory per call is measured on live objects, not on uncollected garbage.
 */
function spawnServer(dataDir: string, env: Record<string, string>): Promise<{ child: ReturnType<typeof spawn>; base: string; inspector: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let base: string | undefined;
    let inspector: string | undefined;
    const check = () => {
      base ??= /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/.exec(out)?.[1];
      inspector ??= /(ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(err)?.[1];
      if (base && inspector) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, base, inspector });
      }
    };
    child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => ((err += c.toString()), check()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}${err}`)));
  });
}

/** A minimal DevTools protocol client: enough to collect garbage and read the heap. */
async function devtools(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let id = 0;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  const events = new Map<string, (params: Record<string, unknown>) => void>();
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data)) as { id?: number; result?: Record<string, unknown>; method?: string; params?: Record<string, unknown> };
    if (m.id !== undefined) pending.get(m.id)?.(m.result ?? {});
    else if (m.method) events.get(m.method)?.(m.params ?? {});
  };
  const send = (method: string, params?: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async heapAfterGc(): Promise<number> {
      await send('HeapProfiler.collectGarbage');
      return (await send('Runtime.getHeapUsage')).usedSize as number;
    },
    /** Start the server's CPU profiler (one phase of a benchmark). */
    async startProfile(): Promise<void> {
      await send('Profiler.enable');
      await send('Profiler.setSamplingInterval', { interval: 500 });
      await send('Profiler.start');
    },
    /** Start sampling the server's allocations (one phase of a benchmark). */
    async startAllocations(): Promise<void> {
      await send('HeapProfiler.enable');
      await send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    },
    /** Stop it and write what it sampled to `file` (a .heapprofile: Chrome DevTools' Memory tab). */
    async stopAllocations(file: string): Promise<void> {
      const { profile } = await send('HeapProfiler.stopSampling');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
    },
    /** `expression` evaluated on the server's main thread (by value). */
    async evaluate(expression: string): Promise<unknown> {
      const r = (await send('Runtime.evaluate', { expression, returnByValue: true })) as { result?: { value?: unknown } };
      return r.result?.value;
    },
    /** Stop it and write what it sampled to `file` (open it in Chrome DevTools or speedscope). */
    async stopProfile(file: string): Promise<void> {
      const { profile } = await send('Profiler.stop');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
    },
    /**
     * `expression` evaluated in each worker thread (by value), with the
     * worker's title (its name, e.g. `… rtp-media`).
     */
    async inWorkers(expression: string): Promise<{ title: string; value: unknown }[]> {
      const out: { title: string; value: unknown }[] = [];
      const asked = new Map<string, string>();
      const answered = new Promise<void>((resolve) => {
        events.set('NodeWorker.receivedMessageFromWorker', (p) => {
          const m = JSON.parse(p.message as string) as { id?: number; result?: { result?: { value?: unknown } } };
          if (m.id === 1) out.push({ title: asked.get(p.sessionId as string)!, value: m.result?.result?.value });
          if (out.length === asked.size) resolve();
        });
      });
      events.set('NodeWorker.attachedToWorker', (p) => {
        const sessionId = p.sessionId as string;
        asked.set(sessionId, (p.workerInfo as { title: string }).title);
        void send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }) });
      });
      await send('NodeWorker.enable', { waitForDebuggerOnStart: false });
      if (asked.size > 0) await answered;
      await send('NodeWorker.disable');
      return out;
    },
    close: () => ws.close(),
  };
}

/**
 * What the server's main-thread collector did in a phase: scavenges (the young generation) and their pauses on the
 * main thread, what they left in the young generation (survived) and moved to the old one (promoted), and full
 * mark-compacts. Survived and promoted are what each scavenge copies: what the objects alive at that moment cost.
 */
export interface CollectorStats {
  scavenges: number;
  scavengeMs: number;
  survivedBytes: number;
  promotedBytes: number;
  markCompacts: number;
  markCompactMs: number;
}

const COLLECTOR_START = `(() => {
  globalThis.benchCollector?.stop();
  globalThis.benchCollector = new (process.getBuiltinModule('node:v8').GCProfiler)();
  globalThis.benchCollector.start();
})()`;

// GCProfiler's cost is in microseconds; a scavenge's survivors are the new space after it, its promoted bytes the old space's growth.
const COLLECTOR_STOP = `(() => {
  const { statistics } = globalThis.benchCollector.stop();
  globalThis.benchCollector = undefined;
  const used = (s, name) => s.heapSpaceStatistics.find((x) => x.spaceName === name)?.spaceUsedSize ?? 0;
  const o = { scavenges: 0, scavengeMs: 0, survivedBytes: 0, promotedBytes: 0, markCompacts: 0, markCompactMs: 0 };
  for (const g of statistics) {
    if (g.gcType === 'Scavenge') {
      o.scavenges++;
      o.scavengeMs += g.cost / 1000;
      o.survivedBytes += used(g.afterGC, 'new_space');
      o.promotedBytes += used(g.afterGC, 'old_space') - used(g.beforeGC, 'old_space');
    } else if (g.gcType === 'MarkSweepCompact') {
      o.markCompacts++;
      o.markCompactMs += g.cost / 1000;
    }
  }
  return o;
})()`;

export type BenchServer = Awaited<ReturnType<typeof startServer>>;

export async function startServer(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const authId = newAccountAuthId();
  const authToken = newAuthToken();
  const s = await spawnServer(dataDir, {
    SWITCHBOARD_AUTH_ID: authId,
    SWITCHBOARD_AUTH_TOKEN: authToken,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    DATABASE_URL: '',
    SWITCHBOARD_CALLS_PER_SECOND: '1000000',
    ...env,
  });
  const base = s.base;
  const inspector = await devtools(s.inspector);
  const dispatcher = new Agent({ connections: API_CONNECTIONS, keepAliveTimeout: 60_000 });
  /** An API client with an account's credentials: the main account's, or a subaccount's. */
  const client = (creds: { authId: string; authToken: string }) => {
    const authorization = 'Basic ' + Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64');
    return async (method: 'GET' | 'POST' | 'DELETE', p: string, json?: unknown) => {
      const res = await request(`${base}/v1/Account/${creds.authId}${p}`, {
        method,
        dispatcher,
        headers: { authorization, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${p} → ${res.statusCode} ${text}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
  };
  const api = client({ authId, authToken });
  // Enough credit for every minute the benchmark bills.
  await api('POST', '/Sandbox/Credit/', { amount: '9000000.00' });
  return {
    pid: s.child.pid!,
    api,
    client,
    heapAfterGc: () => inspector.heapAfterGc(),
    /** OS thread id → name of the server's worker threads (e.g. `rtp-media`): each is asked which thread it runs on. */
    async workerThreads(): Promise<Map<string, string>> {
      const answers = await inspector.inWorkers("process.getBuiltinModule('node:fs').readlinkSync('/proc/thread-self')");
      return new Map(answers.map(({ title, value }) => [String(value).split('/').pop()!, title]));
    },
    /** The media workers' counters since the last reset (rtp-worker.ts gives them to the inspector); `reset` restarts them. */
    async mediaStats(reset: boolean): Promise<WorkerStats[]> {
      const answers = await inspector.inWorkers(`globalThis.rtpWorkerStats?.(${reset})`);
      return answers.filter((a) => a.title.endsWith('rtp-media') && a.value).map((a) => a.value as WorkerStats);
    },
    /** Start recording the main thread's garbage collections (v8.GCProfiler), for `collectorStop`. */
    collectorStart: () => inspector.evaluate(COLLECTOR_START),
    /** What the main thread's collector did since `collectorStart`. */
    collectorStop: async () => (await inspector.evaluate(COLLECTOR_STOP)) as CollectorStats,
    /**
     * Profile one phase: with BENCH_PHASE_PROFILE=dir the server's CPU
     * profile of `phase` alone is written to dir/<name>.cpuprofile.
     */
    async profiled<T>(name: string, phase: () => Promise<T>): Promise<T> {
      const dir = process.env.BENCH_PHASE_PROFILE;
      const allocations = process.env.BENCH_ALLOC_PROFILE;
      if (dir) await inspector.startProfile();
      if (allocations) await inspector.startAllocations();
      const result = await phase();
      if (allocations) await inspector.stopAllocations(path.join(allocations, `${name}.heapprofile`));
      if (dir) await inspector.stopProfile(path.join(dir, `${name}.cpuprofile`));
      return result;
    },
    async stop() {
      inspector.close();
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
      await dispatcher.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

