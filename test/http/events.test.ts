// GET /v1/Account/{id}/Events/: the account's live event stream. Call-log
// entries and status changes arrive as `call` events, message changes as
// `message` events; a subaccount's stream carries only its own; closing
// the server ends open streams.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { VirtualClock } from '../../src/clock/clock.ts';
import { resolveConfig } from '../../src/config.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { newAccountAuthId, newAuthToken, newUuid } from '../../src/ids.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore, type Store } from '../../src/store/db.ts';

interface Received {
  event: string;
  data: Record<string, unknown>;
}

/** Reads server-sent events from `url` until `count` have arrived (ready included). */
async function collect(url: string, auth: { id: string; token: string }, count: number, during: () => Promise<void>): Promise<Received[]> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${auth.id}:${auth.token}`).toString('base64')}` }, signal: abort.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: Received[] = [];
  let buffer = '';
  let started = false;
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) out.push({ event, data: JSON.parse(data) });
    }
    if (!started && out.length > 0) {
      started = true;
      await during();
    }
  }
  abort.abort();
  return out;
}

describe('account event stream', () => {
  let dataDir: string;
  let store: Store;
  let services: Services;
  let app: App;
  let base: string;
  const main = { id: newAccountAuthId(), token: newAuthToken() };
  let sub: { id: string; token: string };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-events-'));
    store = await openStore({ dataDir });
    services = createServices(resolveConfig({}, { dataDir }), store, new VirtualClock());
    await services.accounts.createMain({ authId: main.id, authToken: main.token }, 'Events test');
    const row = await services.accounts.createSubaccount({ accountId: main.id, subaccountId: null, callerId: main.id }, { name: 'Team', enabled: true });
    sub = { id: row.auth_id, token: row.auth_token };
    await services.numbers.seedPool();
    app = await buildApp(services, pino({ level: 'silent' }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
    await services.webhooks.stop();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('call-log entries arrive as call events, in order, filtered by call', async () => {
    const call = newUuid();
    const events = await collect(`${base}/v1/Account/${main.id}/Events/?call_uuid=${call}`, main, 3, async () => {
      await services.callLog.append(newUuid(), main.id, { kind: 'event', message: 'another call' });
      await services.callLog.append(call, main.id, { kind: 'webhook', message: 'answer POST → 200', data: { status: 200 } });
      await services.callLog.append(call, { accountId: main.id, subaccountId: null }, { kind: 'state', message: 'in-progress', data: { state: 'in-progress' } });
    });
    assert.deepEqual(events[0], { event: 'ready', data: { auth_id: main.id, types: ['call', 'message'] } });
    assert.equal(events[1].event, 'call');
    assert.equal(events[1].data.call_uuid, call);
    assert.equal(events[1].data.kind, 'webhook');
    assert.equal(events[1].data.sequence, 1);
    assert.deepEqual(events[1].data.data, { status: 200 });
    assert.equal(events[2].data.kind, 'state');
    assert.equal(events[2].data.sequence, 2);
  });

  test("a subaccount's stream carries only its own events; the main account's carries both", async () => {
    const mine = newUuid();
    const theirs = newUuid();
    const write = async () => {
      await services.callLog.append(theirs, main.id, { kind: 'event', message: 'main' });
      await services.callLog.append(mine, sub.id, { kind: 'event', message: 'sub' });
    };
    const subEvents = await collect(`${base}/v1/Account/${sub.id}/Events/?types=call`, sub, 2, write);
    assert.deepEqual(subEvents.slice(1).map((e) => e.data.call_uuid), [mine]);
    const mainEvents = await collect(`${base}/v1/Account/${main.id}/Events/?types=call`, main, 3, write);
    assert.deepEqual(mainEvents.slice(1).map((e) => e.data.message), ['main', 'sub']);
  });

  test('message changes arrive as message events', async () => {
    const number = (await services.numbers.search({ accountId: main.id, subaccountId: null, callerId: main.id }, { country_iso: 'US', services: 'sms', limit: 1, offset: 0 })).objects[0]!.number;
    const auth = `Basic ${Buffer.from(`${main.id}:${main.token}`).toString('base64')}`;
    await app.inject({ method: 'POST', url: `/v1/Account/${main.id}/PhoneNumber/${number}/`, headers: { authorization: auth }, payload: {} });
    const events = await collect(`${base}/v1/Account/${main.id}/Events/?types=message`, main, 2, async () => {
      const res = await app.inject({ method: 'POST', url: `/v1/Account/${main.id}/Message/`, headers: { authorization: auth }, payload: { src: number, dst: '14155550100', text: 'hi' } });
      assert.equal(res.statusCode, 202, res.body);
    });
    assert.equal(events[1].event, 'message');
    assert.equal(events[1].data.message_state, 'queued');
    assert.equal(events[1].data.to_number, '14155550100');
  });

  test('the stream needs credentials, and its filters are validated', async () => {
    assert.equal((await fetch(`${base}/v1/Account/${main.id}/Events/`)).status, 401);
    const bad = await fetch(`${base}/v1/Account/${main.id}/Events/?types=calls`, { headers: { authorization: `Basic ${Buffer.from(`${main.id}:${main.token}`).toString('base64')}` } });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /types/);
  });
});
