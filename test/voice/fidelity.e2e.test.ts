// Sandbox fidelity end to end (issues 11, 15 and 21): what an application
// sees through the official SDK and its own webhooks when the platform's
// documented limits and values apply. One server process on a virtual clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { voiceSuite } from './suite.ts';

const CALLER_ID = '14155550123';

describe('sandbox fidelity', () => {
  const line = voiceSuite({ phoneBase: 900 });

  const place = async (to: string, answer: string, extra: Record<string, unknown> = {}) => {
    const made = await line.client.calls.create(CALLER_ID, to, `${line.app.origin}${answer}`, { hangupUrl: `${line.app.origin}/hangup`, ...extra });
    return made.requestUuid as string;
  };
  const hangupOf = async (uuid: string) => (await line.app.next('/hangup', (r) => r.params.CallUUID === uuid)).params;
  /** The call's whole debug log, page by page. */
  const callLog = async (uuid: string) => {
    const entries: Array<{ kind: string; message: string; data: Record<string, unknown> }> = [];
    for (let offset = 0; ; offset += 20) {
      const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/?limit=20&offset=${offset}`);
      const page = ((await res.json()) as { objects: typeof entries }).objects;
      entries.push(...page);
      if (page.length < 20) return entries;
    }
  };

  test("calls per second: the platform's default of 2 per account, the rest queued and dialled in order (#21.4)", async () => {
    line.app.routes.set('/bye', '<Response><Hangup/></Response>');
    const made = await Promise.all(Array.from({ length: 5 }, async () => line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}/bye`)));
    assert.deepEqual(made.map((m) => m.message).sort(), ['call fired', 'call fired', 'call queued', 'call queued', 'call queued']);
    assert.equal((await line.client.calls.listQueuedCalls()).length, 3);
    for (const m of made) await line.sandbox.wait(m.requestUuid, 'ended');
    const started = await Promise.all(made.map(async (m) => Date.parse((await line.client.calls.get(m.requestUuid)).initiationTime.replace(" ", "T"))));
    const first = Math.min(...started);
    // Two at once, two a second later, the last one two seconds after the first.
    assert.deepEqual(started.map((t) => Math.floor((t - first) / 1000)).sort(), [0, 0, 1, 1, 2]);
  });

  test('the final CallStatus: completed for every inbound call; outbound never cancel, timeout when ring_timeout is reached (#21.10)', async () => {
    line.app.routes.set('/refuse', '<Response><Hangup reason="busy"/></Response>');
    const { appId } = await line.client.applications.create('Refuse', { answerUrl: `${line.app.origin}/refuse`, hangupUrl: `${line.app.origin}/hangup` });
    const [{ number }] = await line.client.numbers.search('US', { limit: 1, services: 'voice' });
    await line.client.numbers.buy(number, appId);
    const refused = await line.sandbox.callIn(line.phone(), number);
    await line.sandbox.wait(refused, 'ended');
    const inbound = await hangupOf(refused);
    assert.deepEqual([inbound.CallStatus, inbound.HangupCauseCode], ['completed', '3010']);

    const ringing = line.phone();
    await line.sandbox.phone(ringing, { behaviour: 'no_answer', ring_seconds: 600 });
    const rungOut = await place(ringing, '/bye', { ringTimeout: 10 });
    await line.sandbox.wait(rungOut, 'ended');
    const timedOut = await hangupOf(rungOut);
    assert.deepEqual([timedOut.CallStatus, timedOut.HangupCauseCode], ['timeout', '6010']);

    const busy = line.phone();
    await line.sandbox.phone(busy, { behaviour: 'busy' });
    const engaged = await place(busy, '/bye');
    await line.sandbox.wait(engaged, 'ended');
    assert.equal((await hangupOf(engaged)).CallStatus, 'busy');

    const hungUpWhileRinging = line.phone();
    await line.sandbox.phone(hungUpWhileRinging, { behaviour: 'no_answer', ring_seconds: 600 });
    const cancelled = await place(hungUpWhileRinging, '/bye');
    await line.sandbox.advance({ ms: 3000 });
    await line.client.calls.hangup(cancelled);
    const h = await hangupOf(cancelled);
    assert.deepEqual([h.CallStatus, h.HangupSource], ['completed', 'API Request']);
  });

  test('a session recording runs until the call ends, past the 60 s a voicemail defaults to (#21.15)', async () => {
    line.app.routes.set('/session', `<Response><Record recordSession="true" callbackUrl="${line.app.origin}/session-done"/><Wait length="90"/></Response>`);
    const uuid = await place(line.phone(), '/session');
    await line.sandbox.wait(uuid, 'ended');
    const done = (await line.app.next('/session-done', (r) => r.params.CallUUID === uuid)).params;
    assert.equal(done.RecordingDuration, '90');
    assert.equal((await hangupOf(uuid)).Duration, '90');
  });

  test('a Redirect to itself ends the call after 10 hops, with a log entry saying why (#11.6)', async () => {
    line.app.routes.set('/loop', () => `<Response><Redirect>${line.app.origin}/loop</Redirect></Response>`);
    const uuid = await place(line.phone(), '/loop');
    await line.sandbox.wait(uuid, 'ended');
    const h = await hangupOf(uuid);
    assert.equal(h.HangupCauseCode, '7014');
    assert.equal(h.HangupSource, 'Error');
    assert.equal(line.app.received.filter((r) => r.path === '/loop' && r.params.CallUUID === uuid).length, 11);
    assert.ok((await callLog(uuid)).some((e) => e.kind === 'error' && /redirect loop/.test(e.message)));
    assert.equal((await line.client.calls.get(uuid)).hangupCauseCode, 7014);
  });
});

/** The shipped rate file plus a premium US range at 5.00 a minute, so 25.00 of starting credit lasts five minutes. */
function premiumRates(): string {
  const rates = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../resources/rates.json'), 'utf8'));
  rates.countries.US.voice.outbound.rates.push({ prefix: ['1900'], rate: '5.00000' });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-rates-')), 'rates.json');
  fs.writeFileSync(file, JSON.stringify(rates));
  return file;
}

describe('credit held for calls in progress (#11.8, #21.5)', () => {
  const line = voiceSuite({ phoneBase: 950, env: { SWITCHBOARD_RATES_FILE: premiumRates() }, routes: { '/hold': '<Response><Wait length="3600"/></Response>' } });
  const balance = async () => (await line.client.accounts.get()).cashCredits as string;

  test('a call that runs out of credit ends with 1010 Canceled (Out Of Credits) and its hangup callback', async () => {
    assert.equal(await balance(), '25.00000');
    const made = await line.client.calls.create(CALLER_ID, '19005550100', `${line.app.origin}/hold`, { hangupUrl: `${line.app.origin}/hangup` });
    const uuid = made.requestUuid as string;
    await line.sandbox.wait(uuid, 'ended');
    const h = (await line.app.next('/hangup', (r) => r.params.CallUUID === uuid)).params;
    assert.equal(h.HangupCauseCode, '1010');
    assert.equal(h.HangupCauseName, 'Canceled (Out Of Credits)');
    assert.equal(h.HangupSource, 'Plivo');
    assert.equal(h.CallStatus, 'completed');
    // Five minutes held one by one; it ends a second before a sixth would begin.
    assert.equal(h.Duration, '299');
    assert.equal(h.BillDuration, '300');
    assert.equal(h.TotalCost, '25.00000');
    const cdr = await line.client.calls.get(uuid);
    assert.equal(cdr.hangupCauseCode, 1010);
    assert.equal(cdr.totalAmount, '25.00000');
    assert.equal(await balance(), '0.00000');
  });

  test('200 concurrent calls on 0.05 of credit: only what it covers is placed, and the balance never goes below zero', async () => {
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Credit/`, { method: 'POST', json: { amount: '0.05' } });
    assert.equal(res.status, 202);
    line.app.routes.set('/short', '<Response><Wait length="30"/></Response>');
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}/short`, { hangupUrl: `${line.app.origin}/hangup` })),
    );
    const placed = results.filter((r) => r.status === 'fulfilled');
    // A US minute is 0.007: seven first minutes fit in 0.05.
    assert.equal(placed.length, 7);
    for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason), /insufficient credit/);
    await line.sandbox.advance({ until_idle: true });
    for (const r of placed) {
      const uuid = (r as PromiseFulfilledResult<{ requestUuid: string }>).value.requestUuid;
      assert.equal((await line.client.calls.get(uuid)).hangupCauseCode, 4010);
    }
    assert.equal(await balance(), '0.00100');
  });
});
