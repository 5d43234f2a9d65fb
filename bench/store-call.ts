// The store's share of one bench:sip app call, alone: the statements such a
// call runs, through the same classes the server uses (Numbers' carrier
// check and routing, the CallLog, the CdrWriter and billing, the webhook
// queue's job rows), STORE_PER_TURN calls a turn sharing its transaction as
// the TurnWriter makes them under load. Prints per call: the main thread's
// CPU (µs) and wall time, statements run (by kind), and WAL pages written
// (SQLite: bytes the main thread wrote, 4,120 a frame).
//
//   npm run bench:store-call                          (this tree)
//   STORE_TREES=/work/main,/work/wt/x npm run bench:store-call
//     (each tree's src/ on a store of its own in one process, rounds alternating; a ratio per pair of rounds)
//   STORE_CALLS (per round, 3000), STORE_ROUNDS (8), STORE_PER_TURN (5), STORE_TIMING=1 (wall time per kind of
//   statement), STORE_SQL_<i>="…;…" (an experiment's schema change on the i-th tree's store, e.g. an index dropped);
//   TEST_DATABASE_URL=postgres://… for PostgreSQL (a throw-away database per tree).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';

const trees = (process.env.STORE_TREES ?? '').split(',').filter(Boolean);
const TREE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CALLS = Number(process.env.STORE_CALLS ?? 3000);
const ROUNDS = Number(process.env.STORE_ROUNDS ?? 8);
const PER_TURN = Number(process.env.STORE_PER_TURN ?? 5);
const PG = process.env.TEST_DATABASE_URL;

/** Bytes the main thread has written with write/pwrite (the WAL's frames: the checkpoint thread's writes are its own). */
const written = () => Number(/wchar: (\d+)/.exec(fs.readFileSync(`/proc/self/task/${process.pid}/io`, 'utf8'))![1]);

/** The main thread's time on a CPU, µs (the scheduler's count, in ns: the checkpoint thread and V8's helpers are not in it). */
const mainCpuUs = () => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

/** STORE_TIMING=1: wall time inside each kind of statement (µs), printed with the last round. */
const TIMING = Boolean(process.env.STORE_TIMING);
const timing = new Map<string, number>();

/** Where statements are counted now, and the webhook jobs written: the round's tree's. */
let counting = new Map<string, number>();
let queued: string[] = [];
const patched = new WeakSet<object>();

async function setup(TREE: string, index: number) {
  const src = (p: string) => import(path.join(TREE, 'src', p));
  const { openStore } = await src('store/db.ts');
  const { VirtualClock } = await src('clock/clock.ts');
  const { resolveConfig } = await src('config.ts');
  const { createServices } = await src('services.ts');
  const { CdrWriter } = await src('voice/engine/cdrs.ts');
  const { TurnBatch } = await src('store/turn-batch.ts');
  const { webhookJobsRepo } = await src('store/repos/webhook-jobs.ts');
  const ids = await src('ids.ts');

  // Statements counted by kind and table, on the tree's own better-sqlite3 (once per copy of it).
  const statements = new Map<string, number>();
  {
    const Database = createRequire(path.join(TREE, 'package.json'))('better-sqlite3');
    const probe = new Database(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('select 1'));
    probe.close();
    // PostgreSQL: each query the pool's clients send.
    const pg = createRequire(path.join(TREE, 'package.json'))('pg');
    if (!patched.has(pg.Client.prototype)) {
      patched.add(pg.Client.prototype);
      const query = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: unknown, ...a: any[]) {
        const text: string = typeof a[0] === 'string' ? a[0] : (a[0]?.text ?? '');
        const k = /^\s*(\w+)(?:.*?\b(?:from|into|update)\s+"?(\w+))?/is.exec(text);
        const key = k ? `${k[1]!.toLowerCase()} ${k[2] ?? ''}`.trim() : text.slice(0, 30);
        counting.set(key, (counting.get(key) ?? 0) + 1);
        return query.apply(this, a);
      };
    }
    if (!patched.has(proto)) {
      patched.add(proto);
      for (const m of ['run', 'all', 'get']) {
        const orig = proto[m];
        proto[m] = function (this: { source: string }, ...a: unknown[]) {
          const k = /^\s*(\w+)(?:.*?\b(?:from|into|update)\s+"?(\w+))?/is.exec(this.source);
          const key = k ? `${k[1]!.toLowerCase()} ${k[2] ?? ''}`.trim() : this.source.slice(0, 30);
          counting.set(key, (counting.get(key) ?? 0) + 1);
          if (!TIMING) return orig.apply(this, a);
          const t0 = process.hrtime.bigint();
          try {
            return orig.apply(this, a);
          } finally {
            timing.set(key, (timing.get(key) ?? 0) + Number(process.hrtime.bigint() - t0) / 1000);
          }
        };
      }
    }
  }


  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-call-'));
  let pgDb: { url: string; drop(): Promise<void> } | undefined;
  if (PG) {
    const { createPgDatabase } = await import(path.join(TREE, 'test/helpers/pg.ts'));
    pgDb = await createPgDatabase();
  }
  const store = await openStore({ dataDir, databaseUrl: pgDb?.url });
  const clock = new VirtualClock();
  const services = createServices(resolveConfig({}, { dataDir, databaseUrl: pgDb?.url }), store, clock);
  const authId = ids.newAccountAuthId();
  await services.accounts.createMain({ authId, authToken: ids.newAuthToken() }, 'store-call');
  const scope = { accountId: authId, subaccountId: null, callerId: authId };
  const app = await services.applications.create(scope, { app_name: 'bench', answer_url: 'http://127.0.0.1:9/answer', hangup_url: 'http://127.0.0.1:9/hangup' });
  const carrier = await services.carriers.create(scope, { name: 'sipp', ip_set: '127.0.0.1' });
  const NUMBER = '15557770100';
  await services.numbers.addOwn(scope, { numbers: NUMBER, carrier: carrier.carrier_id, region: 'Bench', app_id: app.app_id });

  // Hangup callbacks through the server's own queue (not started: nothing is sent), their rows deleted in a later
  // turn as delivered ones are.
  const jobIds: string[] = [];
  if (!patched.has(webhookJobsRepo)) {
    patched.add(webhookJobsRepo);
    const insertJobs = webhookJobsRepo.insert;
    webhookJobsRepo.insert = (db: unknown, rows: Array<{ job_id: string }>) => (queued.push(...rows.map((r) => r.job_id)), insertJobs(db, rows));
  }
  const cdrs = new CdrWriter({ db: store.db, dialect: store.dialect, clock }, services.billing, services.webhooks, 'node-a', (err: unknown) => {
    throw err;
  });
  const deletes = new TurnBatch(store.db, (batch: string[], trx: unknown) => webhookJobsRepo.delete(trx, batch), { atomic: false });

  // An experiment's schema change (e.g. an index dropped), ';'-separated, on this tree's store only.
  for (const stmt of (process.env[`STORE_SQL_${index}`] ?? '').split(';').filter((q) => q.trim())) await sql.raw(stmt).execute(store.db);
  const owner = { accountId: authId, subaccountId: null };
  const log = (uuid: string, kind: string, message: string, data: Record<string, unknown>) => services.callLog.append(uuid, owner, { kind, message, data });

  /** One turn's calls through one phase of their life (the phase's writes joined in one turn, then written). */
  async function turn(calls: any[], phase: (c: any) => Promise<unknown> | void): Promise<void> {
    const waits = calls.map(phase);
    await Promise.all(waits);
    await cdrs.drain();
  }

  async function oneTurnOfCalls(): Promise<void> {
    // Admission and routing: the carrier check reads the number and the carrier; routing reads the application.
    const calls = await Promise.all(
      Array.from({ length: PER_TURN }, async () => {
        const found = await services.numbers.fromCarrier('127.0.0.1', NUMBER);
        // What the tree's SIP driver hands routing (services.ts): the carrier check's route, or (before it found the
      // application too) its number row.
      const route = await services.numbers.routeInbound(NUMBER, 'application' in found ? found : found.number);
        const uuid = ids.newUuid();
        const leg = { uuid, requestUuid: uuid, owner: { accountId: route.accountId, subaccountId: route.subaccountId }, direction: 'inbound', from: '15551230000', to: NUMBER, callerName: '15551230000', parentCallUuid: null, numberType: route.number.number_type, initiatedAt: clock.now() };
        return { leg, params: { CallUUID: uuid, From: '15551230000', To: NUMBER, Direction: 'inbound', CallStatus: 'ringing', CallerName: '15551230000', BillRate: '0', ALegUUID: uuid, ALegRequestUUID: uuid } };
      }),
    );
    // Taken: the live row, two log entries (state, the answer URL fetched).
    await turn(calls, (c) => {
      cdrs.started({ ...c.leg, hangup: { url: 'http://127.0.0.1:9/hangup', method: 'POST' }, params: c.params });
      void log(c.leg.uuid, 'state', 'ringing', { state: 'ringing', call_status: 'ringing', direction: 'inbound', from: c.leg.from, to: c.leg.to, parent_call_uuid: null });
      void log(c.leg.uuid, 'webhook', 'answer_url POST http://127.0.0.1:9/answer → 200 in 3 ms', { url: 'http://127.0.0.1:9/answer', method: 'POST', status: 200, ms: 3, attempt: 1 });
    });
    // Answered: its answer time, two entries (state, the Speak verb).
    await clock.advance(1000);
    await turn(calls, (c) => {
      cdrs.answered(c.leg.uuid, clock.now(), { ...c.params, CallStatus: 'in-progress' });
      void log(c.leg.uuid, 'state', 'in-progress', { state: 'answered', call_status: 'in-progress', direction: 'inbound', from: c.leg.from, to: c.leg.to, parent_call_uuid: null });
      void log(c.leg.uuid, 'verb', 'Speak: Thank you for calling the benchmark line.', { verb: 'Speak', voice: 'WOMAN', language: 'en-US' });
    });
    // Ended: the record (billing, CDR, hangup job, live row removed), two entries (state, the hangup callback).
    await clock.advance(2500);
    await turn(calls, (c) => {
      void log(c.leg.uuid, 'state', 'completed: Normal Hangup (Callee)', { state: 'completed', call_status: 'completed', direction: 'inbound', from: c.leg.from, to: c.leg.to, parent_call_uuid: null, hangup_cause_name: 'Normal Hangup', hangup_cause_code: 4000, hangup_source: 'Callee' });
      void log(c.leg.uuid, 'webhook', 'hangup_url POST http://127.0.0.1:9/hangup queued', { url: 'http://127.0.0.1:9/hangup', method: 'POST' });
      return cdrs.record({
        ...c.leg,
        live: true,
        holdsCredit: false,
        hangup: (charge: any) => ({ url: 'http://127.0.0.1:9/hangup', method: 'POST', params: { ...c.params, CallStatus: 'completed', Duration: '3', BillDuration: String(charge.billedS) }, authToken: 'x', accountId: authId, subaccountId: null, callUuid: c.leg.uuid, kind: 'hangup' }),
        answeredAt: c.leg.initiatedAt + 1000,
        endedAt: clock.now(),
        durationS: 3,
        state: 'ANSWER',
        causeCode: 4000,
        causeName: 'Normal Hangup',
        cause: 'NORMAL_CLEARING',
        source: 'Callee',
      });
    });
    // Delivered: the job rows deleted.
    await Promise.all(jobIds.splice(0).map((id) => deletes.add(id)));
  }

  return {
    oneTurnOfCalls,
    statements,
    jobIds,
    async close() {
      await store.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

if (trees.length === 0) trees.push(TREE);
type Run = Awaited<ReturnType<typeof setup>> & { tree: string; figures: Array<{ us: number; wall: number; stmts: number; pages: number }> };
const runs: Run[] = [];
for (const [i, tree] of trees.entries()) runs.push({ tree, ...(await setup(tree, i)), figures: [] });
// Rounds alternate between the trees (each its own store), so the host's drift falls on all alike; round 0 of each warms up.
for (let round = 0; round <= ROUNDS; round++) {
  for (const run of round % 2 ? runs : [...runs].reverse()) {
    run.statements.clear();
    timing.clear();
    counting = run.statements;
    queued = run.jobIds;
    const w0 = written();
    const c0 = mainCpuUs();
    const t0 = performance.now();
    for (let i = 0; i < CALLS / PER_TURN; i++) await run.oneTurnOfCalls();
    const us = mainCpuUs() - c0;
    const wall = ((performance.now() - t0) * 1000) / CALLS;
    const pages = (written() - w0) / 4120 / CALLS;
    const stmts = [...run.statements.values()].reduce((a, b) => a + b, 0) / CALLS;
    if (round === 0) continue;
    run.figures.push({ us: us / CALLS, wall, stmts, pages });
    if (round === ROUNDS) console.log(`${run.tree} per call: ` + [...run.statements].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / CALLS).toFixed(2)}${TIMING ? ` (${((timing.get(k) ?? 0) / CALLS).toFixed(1)} µs)` : ''}`).join(', '));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const run of runs) {
  const f = run.figures;
  console.log(`${run.tree} (${PG ? 'postgres' : 'sqlite'}, ${PER_TURN} calls a turn): median ${median(f.map((x) => x.us)).toFixed(0)} µs CPU per call (rounds ${f.map((x) => x.us.toFixed(0)).join(' ')}), ${median(f.map((x) => x.wall)).toFixed(0)} µs of wall time, ${median(f.map((x) => x.stmts)).toFixed(2)} statements, ${PG ? '-' : median(f.map((x) => x.pages)).toFixed(1)} WAL pages`);
}
// Each round against the first tree's round next to it: the host's speed drifts between rounds, not within a pair.
for (const run of runs.slice(1)) {
  const ratios = run.figures.map((f, i) => f.us / runs[0]!.figures[i]!.us);
  console.log(`${run.tree} / ${runs[0]!.tree}: CPU per call ×${median(ratios).toFixed(3)} (median of ${ratios.length} pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}
console.log(`${new Date().toISOString().slice(11, 19)} UTC, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const run of runs) await run.close();
process.exit(0);
