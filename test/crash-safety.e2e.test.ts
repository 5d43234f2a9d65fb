// A real server process killed with `kill -9` and started again on the same
// data dir: every callback that was pending is delivered (duplicates of the
// ones in flight at the kill are possible, and the idempotency key shows
// them), and every call that was live is closed with a record, a charge, a
// hangup callback and a debug-log entry saying why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';
import { customerServer, type CustomerServer, type Received } from './webhooks/fixture.ts';

const KEY = 'x-switchboard-idempotency-key';
const ENDED = 100;
const LIVE = 10;
/** Concurrent requests to one route: the other ended calls' callbacks wait in the queue. */
const ROUTE_SLOTS = 10;

describe('crash safety: kill -9 and restart on the same data dir', () => {
  let server: TestServer;
  let app: CustomerServer;
  /** Until the kill, hangup callbacks are held open, so they are in flight when the process dies. */
  let slowHangups = true;

  before(async () => {
    server = await startTestServer({ clock: 'real', env: { SWITCHBOARD_CALLS_PER_SECOND: '1000' } });
    app = await customerServer((r, res) => {
      if (r.url === '/ends') return void res.writeHead(200, { 'content-type': 'application/xml' }).end('<Response><Hangup/></Response>');
      if (r.url === '/holds') return void res.writeHead(200, { 'content-type': 'application/xml' }).end('<Response><Speak>Please hold.</Speak><Wait length="3600"/></Response>');
      if (!slowHangups) res.writeHead(200).end();
    });
  });
  after(async () => {
    await server?.stop();
    await app?.close();
  });

  test('pending callbacks are all delivered and live calls are all closed with a record', async (t) => {
    const client = server.client();
    const place = (path: string, i: number) =>
      client.calls.create('14155550123', `14155556${String(i).padStart(3, '0')}`, `${app.origin}${path}`, { hangupUrl: `${app.origin}/hangup` });
    const hangups = () => app.received.filter((r) => r.url === '/hangup');
    const uuidOf = (r: Received) => new URLSearchParams(r.body).get('CallUUID')!;

    const db = new Database(path.join(server.dataDir, 'switchboard.db'), { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    // Calls that end at once: some hangup callbacks reach the customer and hang there, the rest wait for a slot.
    const ended = await Promise.all(Array.from({ length: ENDED }, (_, i) => place('/ends', i)));
    await until(() => hangups().length === ROUTE_SLOTS && count("select count(*) as n from webhook_jobs where kind = 'hangup'") === ENDED, 'hangup callbacks in flight and queued', 30_000);
    // Calls that stay up.
    const held = await Promise.all(Array.from({ length: LIVE }, (_, i) => place('/holds', 100 + i)));
    await until(() => count('select count(*) as n from live_calls where answered_at is not null') === LIVE, 'the held calls to be recorded as live and answered', 30_000);
    db.close();
    const beforeKill = hangups().map((r) => [uuidOf(r), r.headers[KEY]]);

    await server.crash();
    slowHangups = false;
    const restarted = performance.now();
    await server.restart();

    const heldUuids = held.map((c: { requestUuid: string }) => c.requestUuid);
    const endedUuids = ended.map((c: { requestUuid: string }) => c.requestUuid);
    await until(() => new Set(hangups().map(uuidOf)).size === ENDED + LIVE, 'a hangup callback for every call', 30_000);
    t.diagnostic(`${ENDED} callbacks pending and ${LIVE} calls live at the kill: all delivered ${((performance.now() - restarted) / 1000).toFixed(1)} s after the restart began`);
    const byKey = new Map<string, number>();
    for (const r of hangups()) byKey.set(String(r.headers[KEY]), (byKey.get(String(r.headers[KEY])) ?? 0) + 1);
    const duplicates = [...byKey.values()].filter((n) => n > 1).length;
    t.diagnostic(`${hangups().length} hangup requests for ${ENDED + LIVE} calls; ${duplicates} delivered twice (in flight at the kill), each with its idempotency key`);
    assert.deepEqual(new Set(hangups().map(uuidOf)), new Set([...endedUuids, ...heldUuids]));
    // The ones in flight at the kill came again with the same key; the held calls' came once.
    for (const [uuid, key] of beforeKill) {
      assert.equal(hangups().filter((r) => uuidOf(r) === uuid && r.headers[KEY] === key).length, 2, `call ${uuid}: redelivered under its key`);
    }
    assert.equal(hangups().length, ROUTE_SLOTS + ENDED + LIVE);

    // Every held call is closed: no longer live, a CDR with the platform-failure cause, billed, and a log entry saying why.
    const live = await (await server.fetch(`/v1/Account/${server.authId}/Call/?status=live`)).json();
    assert.deepEqual(live.calls ?? [], []);
    for (const uuid of heldUuids) {
      const cdr = await client.calls.get(uuid);
      assert.deepEqual([cdr.hangupCauseCode, cdr.hangupCauseName, cdr.hangupSource, cdr.callState], [5010, 'Internal Error', 'Error', 'ANSWER'], uuid);
      assert.ok(Number(cdr.billedDuration) > 0);
      const hangup = hangups().find((r) => uuidOf(r) === uuid)!;
      assert.equal(new URLSearchParams(hangup.body).get('HangupCauseCode'), '5010');
      const log = await (await server.fetch(`/v1/Account/${server.authId}/Call/${uuid}/Log/`)).json();
      assert.ok(log.objects.some((e: { message: string }) => /stopped without ending it \(a crash\)/.test(e.message)), 'the debug log says why');
    }
    assert.match(server.output(), /a node is gone; taking over its work/);
  });
});
