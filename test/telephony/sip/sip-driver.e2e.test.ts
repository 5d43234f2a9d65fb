// The SIP driver in a real server process (`--telephony sip`), driven by the
// official SDK for the API side and by a phone built on our own SipStack:
// the phone registers with Digest — SHA-256, offered first beside MD5
// (SWITCHBOARD_SIP_DIGEST) — (the Endpoint API shows it), calls in as
// the endpoint (the endpoint's application runs and <Dial><User> rings the
// same phone at its registered contact), unregisters with Expires: 0; an
// INVITE without credentials makes no call; an incoming carrier's address
// reaches only the carrier's own numbers. The sandbox carrier stays beside it:
// virtual phones the account configured answer Call API calls, and calls to
// numbers no gateway takes fail as unallocated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../../src/clock/clock.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import type { InboundCall } from '../../../src/telephony/sip/dialog/inbound-call.ts';
import type { SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { sipServerEnv, startTestServer, type TestServer } from '../../helpers/server.ts';
import { until, within } from '../../helpers/until.ts';
import { answerServer, sandboxOf, spoken, type AnswerServer } from '../../voice/fixtures.ts';
import { freeSipPort } from '../../helpers/ports.ts';

const DOMAIN = 'switchboard.test';
const SIP_PORT = await freeSipPort();
const server: Flow = { transport: 'udp', address: '127.0.0.1', port: SIP_PORT };
const clock = new RealClock();

let sb: TestServer;
let app: AnswerServer;
let phone: SipStack;
let phoneTransport: NetSipTransport;
const ringing: InboundCall[] = [];
/** What the phone sent, as text. */
const sent: string[] = [];

before(async () => {
  app = await answerServer();
  sb = await startTestServer({ env: sipServerEnv(SIP_PORT, '44700-44799', { SWITCHBOARD_SIP_DIGEST: 'SHA-256,MD5' }) });
  phone = new SipStack({ clock, publicAddress: '127.0.0.1', userAgent: 'TestPhone/1.0' });
  phoneTransport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, phone.receive, phone.transportError);
  phone.attach(phoneTransport);
  const send = phoneTransport.send.bind(phoneTransport);
  phoneTransport.send = (bytes, to) => {
    sent.push(bytes.toString());
    send(bytes, to);
  };
  // The phone answers whatever rings it, with an answer to the offer.
  phone.handlers.invite = (call) => {
    ringing.push(call);
    const sdp = new SdpSession({ address: '127.0.0.1', port: 44900 });
    const r = sdp.answer(call.offer!.body.toString());
    if (!r.ok) return call.reject(488);
    call.ring();
    call.answer(sdpBody(r.sdp));
  };
});
after(async () => {
  await phone?.close();
  await sb?.stop();
  await app?.close();
});

const register = (username: string, password: string, expires: number): Promise<SipResponse> =>
  phone.requestOutOfDialog('REGISTER', `sip:${DOMAIN}`, server, {
    from: `<sip:${username}@${DOMAIN}>`,
    to: `<sip:${username}@${DOMAIN}>`,
    headers: [
      ['contact', `<sip:${username}@127.0.0.1:${phoneTransport.local.port}>`],
      ['expires', String(expires)],
    ],
    credentials: { username, password },
  });

function callIn(to: string, credentials?: { username: string; password: string }) {
  const sdp = new SdpSession({ address: '127.0.0.1', port: 44902 });
  const call = phone.invite({
    target: `sip:${to}@${DOMAIN}`,
    flow: server,
    from: `<sip:${credentials?.username ?? 'stranger'}@${DOMAIN}>`,
    to: `<sip:${to}@${DOMAIN}>`,
    body: sdpBody(sdp.offer()),
    credentials,
  });
  const outcome = within(
    new Promise<number>((resolve) => {
      call.events = { answered: () => resolve(200), failed: (status) => resolve(status) };
    }),
    `the final answer to the INVITE to ${to}`,
  );
  return { call, outcome };
}

test('an endpoint registers with Digest, its call runs its application, <Dial><User> rings its phone, Expires: 0 unregisters', async () => {
  const client = sb.client();
  const { appId } = await client.applications.create('Desk', { answerUrl: `${app.origin}/desk` });
  const ep = await client.endpoints.create('alice', 'secret123', 'Alice', appId);
  const username = ep.username as string;

  assert.equal((await register(username, 'wrong-password', 600)).status, 403, 'a wrong password is refused');
  const ok = await register(username, 'secret123', 600);
  assert.equal(ok.status, 200);
  assert.match(sent.filter((m) => m.startsWith('REGISTER')).at(-1)!, /\r\nAuthorization: Digest [^\r]*algorithm=SHA-256/i, 'the phone took the first challenge, SHA-256');
  await until(async () => (await client.endpoints.get(ep.endpointId)).sipRegistered === 'true', 'the Endpoint API to show the registration');
  const shown = (await sb.fetch(`/v1/Account/${sb.authId}/Endpoint/${ep.endpointId}/`).then((r) => r.json())) as Record<string, string>;
  assert.match(shown.sip_contact!, new RegExp(`^sip:${username}@127\\.0\\.0\\.1:${phoneTransport.local.port}`));
  assert.equal(shown.sip_user_agent, 'TestPhone/1.0');
  assert.match(shown.sip_expires!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

  // The phone dials a number: the endpoint's application runs, and dials the endpoint back.
  app.routes.set('/desk', `<Response><Dial><User>sip:${username}@${DOMAIN}</User></Dial></Response>`);
  const { call, outcome } = callIn('15550009999', { username, password: 'secret123' });
  const fetched = await app.next('/desk');
  assert.equal(fetched.params.From, `sip:${username}@${DOMAIN}`);
  assert.equal(fetched.params.To, '15550009999');
  assert.equal(fetched.params.Direction, 'inbound');
  await until(() => ringing.length === 1, 'the Dial to ring the registered phone');
  assert.match(ringing[0]!.request.uri, new RegExp(`127\\.0\\.0\\.1:${phoneTransport.local.port}`));
  assert.equal(await outcome, 200, 'the call was answered once the dialled phone answered');
  call.bye();
  await until(() => ringing[0]!.ended, 'the bridged leg to end with its caller');

  assert.equal((await register(username, 'secret123', 0)).status, 200);
  await until(async () => (await client.endpoints.get(ep.endpointId)).sipRegistered === 'false', 'Expires: 0 to unregister');
});

test('an INVITE without good credentials makes no call; a carrier reaches only its own numbers', async () => {
  const client = sb.client();
  const before = (await sb.fetch(`/v1/Account/${sb.authId}/Call/?limit=20`).then((r) => r.json())) as { meta: { total_count: number } };
  const stranger = callIn('15550001234');
  assert.equal(await stranger.outcome, 401, 'challenged');
  const wrong = callIn('15550001234', { username: 'nobody', password: 'x' });
  assert.equal(await wrong.outcome, 403, 'refused');

  const { appId } = await client.applications.create('Line', { answerUrl: `${app.origin}/line` });
  app.routes.set('/line', '<Response><Speak>Hello</Speak></Response>');
  const carrier = await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'trunk', ip_set: '127.0.0.1' } }).then((r) => r.json()) as { carrier_id: string };
  const added = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: '15557770001', carrier: carrier.carrier_id, region: 'Test', app_id: appId } });
  assert.ok(added.ok, `own number added: ${added.status}`);

  // Another carrier's number of the same account.
  const other = (await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'other', ip_set: '192.0.2.77' } }).then((r) => r.json())) as { carrier_id: string };
  const otherAdded = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: '15557770002', carrier: other.carrier_id, region: 'Test', app_id: appId } });
  assert.ok(otherAdded.ok, `other carrier's number added: ${otherAdded.status}`);
  const foreign = callIn('15557770002');
  assert.equal(await foreign.outcome, 404, 'a number the carrier does not own: no open relay');
  const own = callIn('15557770001');
  const fetched = await app.next('/line');
  assert.equal(fetched.params.To, '15557770001');
  assert.equal(fetched.params.From, 'stranger');
  assert.equal(await own.outcome, 200);
  own.call.bye();
  const afterList = (await sb.fetch(`/v1/Account/${sb.authId}/Call/?limit=20`).then((r) => r.json())) as { meta: { total_count: number } };
  assert.ok(afterList.meta.total_count <= before.meta.total_count + 2, 'only the carrier call and the earlier test made calls');
  await until(() => /"to":"15557770002","msg":"sip call from a carrier to a number it does not own refused"/.test(sb.output()), 'the refusal logged with its source');
  assert.match(sb.output(), /"source":"udp:127\.0\.0\.1:\d+","method":"INVITE","username":"nobody".*"msg":"sip authentication failed"/);
});

test('beside SIP, the sandbox carrier still serves virtual phones; a number no gateway takes is unallocated', async () => {
  const client = sb.client();
  const sandbox = sandboxOf(sb);
  await sandbox.phone('14155550123', { behaviour: 'answer', ring_seconds: 0 });
  app.routes.set('/virtual', '<Response><Speak>Hello virtual phone</Speak></Response>');
  const placed = await client.calls.create('15557770001', '14155550123', `${app.origin}/virtual`, { hangupUrl: `${app.origin}/virtual-hangup` });
  const uuid = placed.requestUuid as string;
  const heard = await sandbox.wait(uuid, 'ended', undefined, 20_000);
  assert.deepEqual(spoken(heard), ['Hello virtual phone']);

  await client.calls.create('15557770001', '33155550123', `${app.origin}/virtual`, { hangupUrl: `${app.origin}/nowhere-hangup` });
  const hangup = await app.next('/nowhere-hangup');
  assert.equal(hangup.params.HangupCause, 'UNALLOCATED_NUMBER');
  await until(() => /no gateway takes 33155550123/.test(sb.output()), 'the refusal logged');
});

test("speech is recognised per call: a virtual phone's words are heard; a SIP caller's call has no recognizer, and its log and transcription say so", async () => {
  const client = sb.client();
  const sandbox = sandboxOf(sb);
  const ask = (action: string, then: string) =>
    `<Response><GetInput action="${app.origin}${action}" inputType="speech" executionTimeout="5"><Speak>What would you like</Speak></GetInput>${then}</Response>`;
  app.routes.set('/ask-virtual', ask('/heard-virtual', ''));
  app.routes.set('/heard-virtual', '<Response><Hangup/></Response>');
  await sandbox.phone('14155550124', { behaviour: 'answer', ring_seconds: 0, script: [{ on_hear: 'what would you like', action: 'say', text: 'sales please' }] });
  await client.calls.create('15557770001', '14155550124', `${app.origin}/ask-virtual`);
  assert.equal((await app.next('/heard-virtual')).params.Speech, 'sales please');

  // The SIP caller: an endpoint whose application asks the same, then records with a transcription.
  app.routes.set('/ask-sip', ask('/heard-sip', `<Record maxLength="2" playBeep="false" redirect="false" transcriptionType="auto" transcriptionUrl="${app.origin}/transcribed"/><Hangup/>`));
  const { appId } = await client.applications.create('Ask', { answerUrl: `${app.origin}/ask-sip` });
  const ep = await client.endpoints.create('carol', 'secret123', 'Carol', appId);
  const { call } = callIn('15550008888', { username: ep.username as string, password: 'secret123' });
  const uuid = (await app.next('/ask-sip')).params.CallUUID!;
  const transcribed = await app.next('/transcribed');
  assert.equal(transcribed.params.transcription, '');
  assert.equal(transcribed.params.error, 'No speech recognizer is configured for transcription');
  assert.ok(!app.received.some((r) => r.path === '/heard-sip'), 'no speech made up for the SIP caller');
  const log = (await sb.fetch(`/v1/Account/${sb.authId}/Call/${uuid}/Log/`).then((r) => r.json())) as { objects: Array<{ kind: string; message: string }> };
  assert.ok(log.objects.some((e) => e.kind === 'error' && /GetInput: no speech recognizer is configured for this call's audio/.test(e.message)), JSON.stringify(log.objects));
  await until(() => call.ended, 'the SIP call to end');
});
