// The sandbox API itself: virtual phones and their scripts, the far end's
// transcript and audio, the clock, errors and isolation between accounts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTone } from '../../src/media/tones.ts';
import { readWav, writeWav } from '../../src/media/wav.ts';
import { phoneSpeechSoundEnd, sandboxOf, spoken } from '../voice/fixtures.ts';
import { voiceSuite } from '../voice/suite.ts';
import { assertEvery } from '../helpers/assert.ts';

const CALLER_ID = '14155550123';

describe('sandbox API (virtual clock)', () => {
  const line = voiceSuite();

  const place = async (to: string, xml: string) => {
    const path = `/doc${line.app.received.length}-${Math.random().toString(36).slice(2)}`;
    line.app.routes.set(path, xml);
    return (await line.client.calls.create(CALLER_ID, to, `${line.app.origin}${path}`, { hangupUrl: `${line.app.origin}/hangup` })).requestUuid as string;
  };

  test('virtual phones are created, read, listed and reset', async () => {
    const made = await line.sandbox.phone('+14155550300', { behaviour: 'reject', ring_seconds: 2.5, script: [{ after_ms: 100, action: 'dtmf', digits: '1 2' }] });
    assert.deepEqual({ ...made, api_id: undefined }, { api_id: undefined, number: '14155550300', behaviour: 'reject', ring_seconds: 2.5, dtmf_mode: 'rfc4733', script: [{ action: 'dtmf', digits: '12', after_ms: 100 }] });
    const got = await line.sandbox.call('GET', '/Phone/14155550300/');
    assert.equal(got.body.behaviour, 'reject');
    const list = await line.sandbox.call('GET', '/Phone/');
    assert.ok((list.body.objects as Array<{ number: string }>).some((p) => p.number === '14155550300'));
    assert.equal((await line.sandbox.call('DELETE', '/Phone/14155550300/')).status, 204);
    const reset = await line.sandbox.call('GET', '/Phone/14155550300/');
    assert.deepEqual([reset.body.behaviour, reset.body.ring_seconds, reset.body.script], ['answer', 1, []]);
  });

  test('bad phone settings are refused with the field and what is allowed', async () => {
    const bad = async (json: Record<string, unknown>, message: RegExp) => {
      const r = await line.sandbox.call('POST', '/Phone/', json);
      assert.equal(r.status, 400);
      assert.match(String(r.body.error), message);
    };
    await bad({ number: '14155550301', behaviour: 'sleepy' }, /behaviour must be one of: answer, busy/);
    await bad({ number: 'call me maybe' }, /not a phone number/);
    await bad({ number: '14155550301', script: [{ action: 'dance' }] }, /script\[0\]\.action must be one of/);
    await bad({ number: '14155550301', script: [{ action: 'dtmf', digits: '1' }, { action: 'say' }] }, /script\[1\]\.text/);
    await bad({ number: '14155550301', script: [{ action: 'hangup', after_ms: -1 }] }, /script\[0\]\.after_ms/);
  });

  test('a scripted phone speaks, listens and hangs up; its transcript and audio show it all', async () => {
    const to = '14155550302';
    await line.sandbox.phone(to, {
      script: [
        { after_ms: 500, action: 'say', text: 'book a table for two' },
        { on_hear: 'goodbye', action: 'hangup' },
      ],
    });
    const uuid = await place(to, '<Response><Wait length="20" silence="true" minSilence="1000"/><Speak>Done, goodbye</Speak><Wait length="60"/></Response>');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(t.events.map((e) => e.type), ['answered', 'silence', 'said', 'speak', 'hangup']);
    const [answered, silence, said, speak, hangup] = t.events;
    assert.equal(silence!.duration_ms, speak!.at_ms - answered!.at_ms, 'the phone heard nothing until the platform spoke');
    assert.equal(said!.text, 'book a table for two');
    assert.equal(said!.at_ms - answered!.at_ms, 500);
    // The silence counts from the last sound of the speech (eSpeak ends an utterance with a quiet tail): the phones' voice, measured here.
    const soundTo = await phoneSpeechSoundEnd('book a table for two');
    assert.ok(soundTo < said!.duration_ms! - 100, 'the speech has a quiet tail');
    assert.equal(speak!.at_ms, said!.at_ms + soundTo + 1000, 'the Wait ended after a second of silence');
    assert.equal(hangup!.by, 'far_end');
    assert.equal(hangup!.at_ms, speak!.at_ms + speak!.duration_ms!, 'hung up once it heard goodbye');
    assert.equal((await line.app.next('/hangup', (r) => r.params.CallUUID === uuid)).params.HangupSource, 'Callee');

    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Call/${uuid}/Audio/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    const samples = readWav(new Uint8Array(await res.arrayBuffer()));
    assert.equal(samples.length, (hangup!.at_ms * 8000) / 1000, 'as long as the leg lasted');
    const speaking = samples.subarray((speak!.at_ms * 8), (speak!.at_ms + 500) * 8);
    assert.ok(speaking.some((s) => s !== 0), 'the speech is in the audio');
    assert.equal(answered!.at_ms, 1000, 'it rang for a second');
    assertEvery(samples.subarray(0, answered!.at_ms * 8), (s) => s === 0, 'silence before answer');
  });

  test('the far end presses keys and says things through the API', async () => {
    const to = '14155550303';
    const uuid = await place(to, '<Response><GetDigits action="' + line.app.origin + '/keys" numDigits="2" timeout="30"><Speak>Two digits please</Speak></GetDigits></Response>');
    line.app.routes.set('/keys', (p) => `<Response><Speak>You typed ${p.Digits}</Speak><Wait length="5" silence="true"/></Response>`);
    await line.sandbox.wait(uuid, 'hears', 'two digits');
    await line.sandbox.dtmf(uuid, '42');
    await line.sandbox.wait(uuid, 'hears', 'you typed 42');
    await line.sandbox.say(uuid, 'thanks');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Two digits please', 'You typed 42']);
    assert.deepEqual(t.events.filter((e) => e.type === 'dtmf_sent' || e.type === 'said').map((e) => e.digits ?? e.text), ['42', 'thanks']);
    const calls = await line.sandbox.phoneCalls(to);
    assert.deepEqual(calls.map((c) => [c.call_uuid, c.direction, c.from, c.to, c.state]), [[uuid, 'outbound', CALLER_ID, to, 'completed']]);
  });

  test('the far end plays an audio file into the call', async () => {
    line.app.routes.set('/tone.wav', { status: 200, body: writeWav(renderTone([440], 0.3, 2000)), contentType: 'audio/wav' });
    const uuid = await place('14155550310', '<Response><Speak>Go ahead</Speak><Wait length="30" silence="true" minSilence="1000"/><Speak>Heard you</Speak></Response>');
    await line.sandbox.wait(uuid, 'hears', 'go ahead');
    const broken = await line.sandbox.call('POST', `/Call/${uuid}/Play/`, { url: `${line.app.origin}/nothing-here.wav` });
    assert.equal(broken.status, 400);
    assert.match(String(broken.body.error), /cannot be played/);
    const played = await line.sandbox.call('POST', `/Call/${uuid}/Play/`, { url: `${line.app.origin}/tone.wav` });
    assert.equal(played.status, 202);
    const t = await line.sandbox.wait(uuid, 'ended');
    const [first, second] = t.events.filter((e) => e.type === 'speak');
    assert.equal(second!.at_ms - (first!.at_ms + first!.duration_ms!), 2000 + 1000, 'the Wait ended a second after the 2 s file');
    const missing = await line.sandbox.call('POST', `/Call/${uuid}/Play/`, { url: `${line.app.origin}/tone.wav` });
    assert.equal(missing.status, 404);
  });

  test('acting on an ended or unknown leg is a 404; on a ringing one a 409; a wait that times out a 408', async () => {
    const to = '14155550304';
    await line.sandbox.phone(to, { ring_seconds: 30 });
    const uuid = await place(to, '<Response><Speak>Hi</Speak></Response>');
    const early = await line.sandbox.call('POST', `/Call/${uuid}/DTMF/`, { digits: '1' });
    assert.equal(early.status, 409);
    assert.match(String(early.body.error), /ringing/);
    const timeout = await line.sandbox.call('POST', `/Call/${uuid}/Wait/`, { until: 'answered', timeout_ms: 5000 });
    assert.equal(timeout.status, 408);
    assert.equal(timeout.body.state, 'ringing');
    await line.sandbox.wait(uuid, 'ended');
    const late = await line.sandbox.call('POST', `/Call/${uuid}/Say/`, { text: 'hello?' });
    assert.equal(late.status, 404);
    assert.match(String(late.body.error), /has ended/);
    assert.equal((await line.sandbox.call('GET', '/Call/00000000-0000-0000-0000-000000000000/Transcript/')).status, 404);
    const never = await line.sandbox.call('POST', `/Call/${uuid}/Wait/`, { until: 'hears', text: 'never said', timeout_ms: 60_000 });
    assert.equal(never.status, 408, 'an ended call cannot hear anything more');
  });

  test('the clock is read and advanced', async () => {
    const before = (await line.sandbox.clock()) as { mode: string; epoch_ms: number; now: string };
    assert.equal(before.mode, 'virtual');
    assert.equal(new Date(before.now).getTime(), before.epoch_ms);
    const after = (await line.sandbox.advance({ ms: 90_000 })) as { epoch_ms: number };
    assert.equal(after.epoch_ms, before.epoch_ms + 90_000);
    const idle = (await line.sandbox.advance({ until_idle: true })) as { epoch_ms: number };
    assert.ok(idle.epoch_ms >= after.epoch_ms);
    assert.equal((await line.sandbox.call('POST', '/Clock/Advance/', {})).status, 400);
  });

  test('until_idle runs calls to their end', async () => {
    const uuid = await place('14155550305', '<Response><Speak>One</Speak><Wait length="45"/><Speak>Two</Speak></Response>');
    await line.sandbox.advance({ until_idle: true });
    const t = await line.sandbox.transcript(uuid);
    assert.equal(t.state, 'completed');
    assert.deepEqual(spoken(t), ['One', 'Two']);
  });

  test('an endpoint is a platform address: a virtual phone calling it runs its application', async () => {
    line.app.routes.set('/desk', '<Response><Speak>Desk phone here</Speak></Response>');
    const { appId } = await line.client.applications.create('Desk', { answerUrl: `${line.app.origin}/desk` });
    const ep = await line.client.endpoints.create('desk', 'secret123', 'Desk', appId);
    const got = await line.client.endpoints.get(ep.endpointId);
    const uuid = await line.sandbox.callIn('14155550306', got.sipUri);
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Desk phone here']);
    const req = await line.app.next('/desk', (r) => r.params.CallUUID === uuid);
    assert.equal(req.params.To, got.sipUri);
  });

  test('a subaccount sees only its own legs and phones, and calls only its own numbers', async () => {
    const sub = await line.client.subaccounts.create('Branch', true);
    const creds = { authId: sub.authId, authToken: sub.authToken };
    const subSandbox = sandboxOf(line.server, sub.authId, creds);
    const uuid = await place('14155550307', '<Response><Speak>Main account only</Speak></Response>');
    await line.sandbox.wait(uuid, 'ended');
    assert.equal((await subSandbox.call('GET', `/Call/${uuid}/Transcript/`)).status, 404);
    assert.deepEqual(await subSandbox.phoneCalls('14155550307'), []);

    await subSandbox.phone('14155550308', { behaviour: 'busy' });
    const mainView = await line.sandbox.call('GET', '/Phone/14155550308/');
    assert.equal(mainView.body.behaviour, 'answer', "a subaccount's phone setting does not change the main account's calls");

    const [number] = await line.client.numbers.search('US', { limit: 1, services: 'voice' });
    await line.client.numbers.buy(number.number);
    const refused = await subSandbox.callIn('14155550309', number.number);
    const t = await subSandbox.wait(refused, 'ended');
    assert.deepEqual(t.events.map((e) => e.type), ['hangup']);
  });

  test('the server logged no errors', () => {
    assert.deepEqual(line.server.output().split('\n').filter((l) => /"level":(50|60)/.test(l)), []);
  });
});

describe('sandbox API (real clock)', () => {
  const line = voiceSuite({
    clock: 'real',
    routes: {
      '/hi': '<Response><Speak>Hi</Speak></Response>',
      '/menu': '<Response><GetDigits timeout="30"><Speak>Press one</Speak></GetDigits></Response>',
    },
  });

  test('waiting watches the call in real time; the clock cannot be advanced', async () => {
    await line.sandbox.phone('14155550400', { ring_seconds: 0 });
    const made = await line.client.calls.create(CALLER_ID, '14155550400', `${line.app.origin}/hi`);
    const t = await line.sandbox.wait(made.requestUuid, 'ended', undefined, 20_000);
    assert.deepEqual(spoken(t), ['Hi']);
    const r = await line.sandbox.call('POST', '/Clock/Advance/', { ms: 1000 });
    assert.equal(r.status, 409);
    assert.match(String(r.body.error), /virtual/);
  });

  test('a wait for words returns when they end, though nothing else happens for a long while', async () => {
    await line.sandbox.phone('14155550401', { ring_seconds: 0 });
    const made = await line.client.calls.create(CALLER_ID, '14155550401', `${line.app.origin}/menu`);
    const t = await line.sandbox.wait(made.requestUuid, 'hears', 'Press one', 20_000);
    assert.equal(t.state, 'in-progress', 'heard while the menu still waits for a key');
    assert.deepEqual(spoken(t), ['Press one']);
    await line.client.calls.hangup(made.requestUuid);
  });
});
