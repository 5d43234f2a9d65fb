// sip: URIs outside the SIP domain and the per-account call limit, in a real
// server process (`--telephony sip`) driven by the official SDK: a Call API
// call to a URI at a host the operator allows (SWITCHBOARD_SIP_URI_DOMAINS)
// goes straight to it (an IP address, RFC 3263) and reaches a SIPp phone
// there, which the application's end hangs up with BYE; <Dial><User> to a
// host not allowed fails as rejected; a carrier's call in progress counts in
// the number owner's limit, so the account's next call fails while it lasts.
// Skipped, saying why, when SIPp is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../../src/clock/clock.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { sipServerEnv, startTestServer, type TestServer } from '../../helpers/server.ts';
import { until, within } from '../../helpers/until.ts';
import { answerServer, sandboxOf, type AnswerServer } from '../../voice/fixtures.ts';
import { freeUdpPort, sipp, skip } from './sipp.ts';
import { freeSipPort } from '../../helpers/ports.ts';

const SIP_PORT = await freeSipPort();
const clock = new RealClock();

describe('sip: URIs outside the SIP domain, and the per-account call limit', { skip }, () => {
  let sb: TestServer;
  let app: AnswerServer;
  let phone: SipStack;

  before(async () => {
    app = await answerServer();
    sb = await startTestServer({ env: sipServerEnv(SIP_PORT, '41000-41099', { SWITCHBOARD_SIP_URI_DOMAINS: '127.0.0.1', SWITCHBOARD_SIP_MAX_CALLS_PER_ACCOUNT: '1' }) });
    phone = new SipStack({ clock, publicAddress: '127.0.0.1' });
    phone.attach(await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, phone.receive, phone.transportError));
  });
  after(async () => {
    await phone?.close();
    await sb?.stop();
    await app?.close();
  });

  test('a Call API call to a sip: URI at an allowed host reaches the phone there; the application ending it sends BYE', async () => {
    const port = await freeUdpPort();
    const bob = sipp('uri-uas.xml', ['-p', String(port), '-s', 'bob', '-mi', '127.0.0.1']);
    app.routes.set('/uri', '<Response><Speak>Hello Bob</Speak></Response>');
    const to = `sip:bob@127.0.0.1:${port}`;
    await sb.client().calls.create('15557770001', to, `${app.origin}/uri`, { hangupUrl: `${app.origin}/uri-hangup` });
    const answered = await app.next('/uri');
    assert.equal(answered.params.To, to);
    assert.equal(answered.params.CallStatus, 'in-progress');
    const hangup = await app.next('/uri-hangup');
    assert.equal(hangup.params.HangupCause, 'NORMAL_CLEARING');
    const result = await bob;
    assert.equal(result.code, 0, result.log);
    const cdr = await sb.client().calls.get(hangup.params.CallUUID!);
    assert.equal(cdr.toNumber, to);
    assert.equal(cdr.hangupCauseName, 'End Of XML Instructions');
  });

  test('<Dial><User> to a host the operator does not allow is rejected, and the refusal is logged', async () => {
    const sandbox = sandboxOf(sb);
    await sandbox.phone('14155550126', { behaviour: 'answer', ring_seconds: 0 });
    app.routes.set('/dial-out', `<Response><Dial action="${app.origin}/dialled"><User>sip:carol@pbx.elsewhere.example</User></Dial></Response>`);
    app.routes.set('/dialled', '<Response><Hangup/></Response>');
    await sb.client().calls.create('15557770001', '14155550126', `${app.origin}/dial-out`);
    const dialled = await app.next('/dialled');
    // A rejected leg is reported busy, as the platform's DialStatus has no "rejected".
    assert.equal(dialled.params.DialStatus, 'busy');
    assert.equal(dialled.params.DialHangupCause, 'CALL_REJECTED');
    await until(() => /pbx\.elsewhere\.example is not in SWITCHBOARD_SIP_URI_DOMAINS/.test(sb.output()), 'the refusal logged with the setting to change');
  });

  test("a carrier's call to the account's number counts in its call limit: the account's next call fails while it lasts", async () => {
    const client = sb.client();
    const { appId } = await client.applications.create('Hold', { answerUrl: `${app.origin}/hold` });
    app.routes.set('/hold', '<Response><Speak>Please hold</Speak><Wait length="30"/></Response>');
    const carrier = (await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'trunk', ip_set: '127.0.0.1' } }).then((r) => r.json())) as { carrier_id: string };
    const added = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: '15557770009', carrier: carrier.carrier_id, region: 'Test', app_id: appId } });
    assert.ok(added.ok, `own number added: ${added.status}`);

    const sdp = new SdpSession({ address: '127.0.0.1', port: 41900 });
    const carried = phone.invite({
      target: 'sip:15557770009@127.0.0.1',
      flow: { transport: 'udp', address: '127.0.0.1', port: SIP_PORT },
      from: '<sip:14155550177@127.0.0.1>',
      to: '<sip:15557770009@127.0.0.1>',
      body: sdpBody(sdp.offer()),
    });
    const answered = within(new Promise<number>((resolve) => (carried.events = { answered: () => resolve(200), failed: (s) => resolve(s) })), 'the final answer to the carried INVITE');
    await app.next('/hold');
    assert.equal(await answered, 200);

    app.routes.set('/second', '<Response><Speak>Never heard</Speak></Response>');
    await client.calls.create('15557770001', 'sip:bob@127.0.0.1:9', `${app.origin}/second`, { hangupUrl: `${app.origin}/second-hangup` });
    const refused = await app.next('/second-hangup');
    assert.equal(refused.params.HangupCause, 'NORMAL_TEMPORARY_FAILURE');
    assert.ok(!app.received.some((r) => r.path === '/second'));
    await until(() => /is at its limit of 1 concurrent SIP calls/.test(sb.output()), 'the refusal logged with the account');
    carried.bye();
  });
});
