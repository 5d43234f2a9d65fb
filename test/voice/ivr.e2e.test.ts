// An IVR written for the real platform, run unchanged against a Switchboard
// server process on a virtual clock: the official SDK places the call, a
// real answer server serves the XML, the sandbox API plays the caller.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSigned, spoken } from './fixtures.ts';
import { voiceSuite } from './suite.ts';

const CALLER_ID = '14155550123';
const PHONE = '14155550100';

describe('outbound IVR through the SDK', () => {
  const line = voiceSuite();
  before(() => {
    const o = line.app.origin;
    line.app.routes.set('/answer', `<Response><GetDigits action="${o}/menu" method="POST" numDigits="1" timeout="10"><Speak>Press 1 for sales</Speak></GetDigits><Speak>We did not get that</Speak></Response>`);
    line.app.routes.set('/menu', (p) => `<Response><Redirect method="GET">${o}/sales?choice=${p.Digits}</Redirect></Response>`);
    line.app.routes.set('/sales', `<Response><Speak>Connecting you to sales</Speak><Hangup/></Response>`);
  });

  test('answer → Speak → GetDigits → action → Redirect → Hangup, every webhook signed', async () => {
    assert.deepEqual(await ivr(), [], 'keys signalled: nothing heard in the audio');
  });

  // The same IVR, the caller's keys sent as tones in its audio (dtmf_mode on the request, or the phone's setting), or both ways.
  test('the same IVR with keys sent in-band, and both ways at once', async () => {
    const heardAsTone = ['key 1 heard as a tone in the audio (in-band DTMF)'];
    assert.deepEqual(await ivr('inband'), heardAsTone);
    await line.sandbox.phone(PHONE, { dtmf_mode: 'inband' });
    assert.deepEqual(await ivr(), heardAsTone, "the phone's own setting");
    await line.sandbox.phone(PHONE, { dtmf_mode: 'both' });
    assert.deepEqual(await ivr(), ['key 1 arrived both signalled and as a tone in the audio: counted once'], 'both ways: counted once');
    await line.sandbox.call('DELETE', `/Phone/${PHONE}/`);
  });

  /**
   * Place the IVR call to PHONE, press 1 (sent as `dtmfMode` says, else as
   * the phone sends keys), check everything it did; returns what the call's
   * log says about keys in the audio.
   */
  async function ivr(dtmfMode?: string): Promise<string[]> {
    const { client, sandbox } = line;
    const made = await client.calls.create(CALLER_ID, PHONE, `${line.app.origin}/answer`, { answerMethod: 'POST', hangupUrl: `${line.app.origin}/hangup`, ringUrl: `${line.app.origin}/ring` });
    assert.equal(made.message, 'call fired');
    const uuid = made.requestUuid as string;
    assert.match(uuid, /^[0-9a-f-]{36}$/);

    await sandbox.wait(uuid, 'hears', 'press 1');
    await sandbox.dtmf(uuid, '1', dtmfMode);
    const t = await sandbox.wait(uuid, 'ended');

    assert.deepEqual(spoken(t), ['Press 1 for sales', 'Connecting you to sales']);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ['answered', 'speak', 'dtmf_sent', 'speak', 'hangup'],
    );
    assert.equal(t.events.at(-1)!.by, 'platform');
    assert.equal(t.state, 'completed');

    const answer = await line.app.next('/answer', (r) => r.params.CallUUID === uuid);
    assert.equal(answer.params.CallUUID, uuid);
    assert.equal(answer.params.RequestUUID, uuid);
    assert.equal(answer.params.ALegUUID, uuid);
    assert.equal(answer.params.ALegRequestUUID, uuid);
    assert.equal(answer.params.From, CALLER_ID);
    assert.equal(answer.params.To, PHONE);
    assert.equal(answer.params.Direction, 'outbound');
    assert.equal(answer.params.CallStatus, 'in-progress');
    assert.equal(answer.params.Event, 'StartApp');

    const menu = await line.app.next('/menu', (r) => r.params.CallUUID === uuid);
    assert.equal(menu.params.Digits, '1');
    const sales = await line.app.next('/sales', (r) => r.params.CallUUID === uuid);
    assert.equal(sales.method, 'GET');
    assert.equal(sales.params.choice, '1');
    assert.equal(sales.params.Event, 'Redirect');

    const ring = await line.app.next('/ring', (r) => r.params.CallUUID === uuid);
    assert.equal(ring.params.CallStatus, 'ringing');
    assert.equal(ring.params.Event, 'Ring');

    const hangup = await line.app.next('/hangup', (r) => r.params.CallUUID === uuid);
    const h = hangup.params;
    assert.equal(h.Event, 'Hangup');
    assert.equal(h.CallStatus, 'completed');
    assert.equal(h.HangupCause, 'NORMAL_CLEARING');
    assert.equal(h.HangupCauseName, 'Normal Hangup');
    assert.equal(h.HangupCauseCode, '4000');
    assert.equal(h.HangupSource, 'Answer XML');
    assert.match(h.Duration!, /^\d+$/);
    assert.equal(h.BillDuration, '60');
    assert.match(h.BillRate!, /^\d+\.\d{5}$/);
    assert.match(h.TotalCost!, /^\d+\.\d{5}$/);
    for (const k of ['StartTime', 'AnswerTime', 'EndTime']) assert.match(h[k]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, k);

    for (const r of [answer, menu, sales, ring, hangup]) assertSigned(r, line.server.authToken);

    const cdr = await client.calls.get(uuid);
    assert.equal(cdr.callUuid, uuid);
    assert.equal(cdr.callDirection, 'outbound');
    assert.equal(cdr.hangupCauseCode, 4000);
    assert.equal(cdr.hangupSource, 'Answer XML');
    assert.equal(cdr.callState, 'ANSWER');
    assert.equal(cdr.billedDuration, 60);
    assert.equal(cdr.fromNumber, CALLER_ID);
    assert.equal(cdr.toNumber, PHONE);

    const log = (await (await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/?limit=20`)).json()) as { objects: Array<{ message: string }> };
    assert.ok(log.objects.length > 0);
    return log.objects.map((e) => e.message).filter((m) => /^key /.test(m));
  }
});
