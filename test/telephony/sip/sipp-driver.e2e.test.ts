// SIPp, an independent SIP stack, against a real server process in
// `--telephony sip`, the API side driven by the official SDK (hangup
// callbacks and CDRs checked for each ending): a Call API call leaves
// through a SIPp gateway that challenges with Digest (and is hung up with BYE
// by the application's end); a Call API call cancelled while the gateway
// rings (our CANCEL); SIPp as an incoming carrier's caller pressing 1 as
// RFC 4733 events into <GetDigits> and hung up on (our BYE), cancelling
// before the answer (its CANCEL), and holding and resuming the call by
// re-INVITE (our RTP stops and starts again) before hanging up (its BYE).
// A call to a sip: URI of an allowed domain leaves through the same gateway,
// flagged `sip_uris` (an outbound proxy).
// Skipped, saying why, when SIPp is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { answerServer, type AnswerServer } from '../../voice/fixtures.ts';
import { freeUdpPort, sipp, skip } from './sipp.ts';
import { freeSipPort } from '../../helpers/ports.ts';

const SIP_PORT = await freeSipPort();

/** `waited`, or a failure with SIPp's log if the scenario ends first (so a missing callback fails at once instead of hanging). */
function beforeSippEnds<T>(waited: Promise<T>, run: Promise<{ code: number | null; log: string }>, what: string): Promise<T> {
  return Promise.race([waited, run.then((r) => Promise.reject(new Error(`SIPp ended (exit ${r.code}) before ${what}\n${r.log}`)))]);
}

describe('SIPp against the SIP driver', { skip }, () => {
  let sb: TestServer;
  let app: AnswerServer;
  let gatewayPort: number;
  let dir: string;

  before(async () => {
    app = await answerServer();
    gatewayPort = await freeUdpPort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-driver-'));
    const gateways = path.join(dir, 'gateways.json');
    fs.writeFileSync(gateways, JSON.stringify([{ name: 'sipp-gw', address: `127.0.0.1:${gatewayPort}`, username: 'trunk', password: 'gw-secret', prefixes: ['1415'], sip_uris: true }]));
    sb = await startTestServer({
      env: {
        SWITCHBOARD_TELEPHONY: 'sip',
        SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${SIP_PORT}`,
        SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1',
        SWITCHBOARD_SIP_GATEWAYS: gateways,
        SWITCHBOARD_SIP_URI_DOMAINS: '*.partner.example',
        SWITCHBOARD_RTP_PORTS: '45000-45099',
      },
    });
  });
  after(async () => {
    await sb?.stop();
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a Call API call leaves through a gateway that challenges with Digest; the application ending it sends BYE', async () => {
    const gateway = sipp('gateway-uas.xml', ['-p', String(gatewayPort), '-s', 'gw', '-mi', '127.0.0.1']);
    app.routes.set('/out', '<Response><Speak>Hello trunk</Speak></Response>');
    const client = sb.client();
    await client.calls.create('15557770001', '14155550100', `${app.origin}/out`, { hangupUrl: `${app.origin}/out-hangup` });
    const answered = await beforeSippEnds(app.next('/out'), gateway, 'the answer callback');
    assert.equal(answered.params.To, '14155550100');
    assert.equal(answered.params.CallStatus, 'in-progress');
    const hangup = await app.next('/out-hangup');
    assert.equal(hangup.params.HangupCause, 'NORMAL_CLEARING');
    const result = await gateway;
    assert.equal(result.code, 0, result.log);
  });

  test('a sip: URI at an allowed domain leaves through the gateway flagged for URIs, which challenges, as an outbound proxy', async () => {
    const gateway = sipp('gateway-uas.xml', ['-p', String(gatewayPort), '-s', 'gw', '-mi', '127.0.0.1']);
    app.routes.set('/uri', '<Response><Speak>Hello partner</Speak></Response>');
    await sb.client().calls.create('15557770001', 'sip:dana@pbx.partner.example', `${app.origin}/uri`, { hangupUrl: `${app.origin}/uri-hangup` });
    assert.equal((await beforeSippEnds(app.next('/uri'), gateway, 'the answer callback')).params.To, 'sip:dana@pbx.partner.example');
    assert.equal((await app.next('/uri-hangup')).params.HangupCause, 'NORMAL_CLEARING');
    const result = await gateway;
    assert.equal(result.code, 0, result.log);
  });

  test('a Call API call cancelled while the gateway rings: our CANCEL gets 200 and 487; the hangup callback and the CDR say the API cancelled it', async () => {
    const gateway = sipp('gateway-ringing.xml', ['-p', String(gatewayPort), '-mi', '127.0.0.1']);
    const client = sb.client();
    const made = await client.calls.create('15557770001', '14155550101', `${app.origin}/never-answered`, { ringUrl: `${app.origin}/gw-ring`, hangupUrl: `${app.origin}/gw-hangup` });
    await beforeSippEnds(app.next('/gw-ring'), gateway, 'the ring callback');
    await client.calls.cancel(made.requestUuid as string);
    const hangup = await app.next('/gw-hangup');
    assert.deepEqual([hangup.params.HangupCause, hangup.params.HangupCauseName, hangup.params.HangupSource], ['ORIGINATOR_CANCEL', 'Canceled', 'API Request']);
    const cdr = await client.calls.get(hangup.params.CallUUID!);
    assert.deepEqual([cdr.hangupCauseName, cdr.hangupSource], ['Canceled', 'API Request']);
    const result = await gateway;
    assert.equal(result.code, 0, result.log);
    assert.equal(app.received.filter((r) => r.path === '/never-answered').length, 0, 'the answer URL is fetched only on an answer');
  });

  /** A number of the carrier at 127.0.0.1 (made on first use) running an application with these answer and hangup routes. */
  let carrierId: string | undefined;
  async function carrierNumber(number: string, name: string, hangup?: string): Promise<void> {
    const client = sb.client();
    const { appId } = await client.applications.create(name, { answerUrl: `${app.origin}/${name}`, ...(hangup ? { hangupUrl: `${app.origin}/${hangup}` } : {}) });
    carrierId ??= ((await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'sipp', ip_set: '127.0.0.1' } }).then((r) => r.json())) as { carrier_id: string }).carrier_id;
    const added = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: number, carrier: carrierId, region: 'Test', app_id: appId } });
    assert.ok(added.ok, `own number added: ${added.status}`);
  }

  test("a carrier's caller cancels before the answer (the application is in <PreAnswer>): 200 and 487; the hangup callback and the CDR say the caller cancelled", async () => {
    await carrierNumber('15557770002', 'early', 'early-hangup');
    app.routes.set('/early', '<Response><PreAnswer><Wait length="30"/></PreAnswer><Speak>Never heard</Speak></Response>');
    const caller = sipp('carrier-caller-cancel.xml', [`127.0.0.1:${SIP_PORT}`, '-s', '15557770002', '-mi', '127.0.0.1', '-mp', String((await freeUdpPort()) & ~1), '-key', 'mport', String((await freeUdpPort()) & ~1)]);
    const result = await caller;
    assert.equal(result.code, 0, result.log);
    const hangup = await app.next('/early-hangup');
    assert.deepEqual([hangup.params.HangupCause, hangup.params.HangupCauseName, hangup.params.HangupSource], ['ORIGINATOR_CANCEL', 'Canceled', 'Caller']);
    const cdr = await sb.client().calls.get(hangup.params.CallUUID!);
    assert.deepEqual([cdr.hangupCauseName, cdr.hangupSource], ['Canceled', 'Caller']);
  });

  test("a carrier's caller holds the call and resumes it by re-INVITE: our RTP stops and starts again; it hangs up, and the callback and the CDR say the caller did", async () => {
    await carrierNumber('15557770003', 'held', 'held-hangup');
    app.routes.set('/held', '<Response><Wait length="30"/></Response>');
    // The caller's media: a socket of ours, so the RTP we send can be watched (SIPp's own RTP port stays silent).
    const media: Socket = createSocket('udp4');
    await new Promise<void>((r) => media.bind(0, '127.0.0.1', () => r()));
    const packets: Array<{ marker: boolean; seq: number; ts: number }> = [];
    media.on('message', (m) => packets.push({ marker: (m[1]! & 0x80) !== 0, seq: m.readUInt16BE(2), ts: m.readUInt32BE(4) }));
    try {
      const result = await sipp('carrier-caller-hold.xml', [`127.0.0.1:${SIP_PORT}`, '-s', '15557770003', '-mi', '127.0.0.1', '-mp', String((await freeUdpPort()) & ~1), '-key', 'mport', String(media.address().port)]);
      assert.equal(result.code, 0, result.log);
      const hangup = await app.next('/held-hangup');
      assert.deepEqual([hangup.params.HangupCause, hangup.params.HangupCauseName, hangup.params.HangupSource], ['NORMAL_CLEARING', 'Normal Hangup', 'Caller']);
      const cdr = await sb.client().calls.get(hangup.params.CallUUID!);
      assert.deepEqual([cdr.hangupCauseName, cdr.hangupSource], ['Normal Hangup', 'Caller']);
    } finally {
      media.close();
    }
    // Held (the caller sendonly): we sent nothing while media time went on — the next packet follows the last in
    // sequence, carries the marker and a timestamp far ahead; then packets flow again until the BYE.
    const resumed = packets.findIndex((p, i) => i > 0 && p.marker && ((p.seq - packets[i - 1]!.seq) & 0xffff) === 1 && p.ts - packets[i - 1]!.ts >= 160 * 10);
    assert.ok(packets.length > 0 && packets[0]!.marker, `our RTP started with the marker (${packets.length} packets)`);
    assert.ok(resumed > 0, `a pause in our RTP, resumed with the marker: ${JSON.stringify(packets.filter((p) => p.marker))}`);
    assert.ok(packets.length - resumed >= 5, `RTP flows again after the unhold (${packets.length - resumed} packets)`);
  });

  test("a carrier's caller presses 1 as RFC 4733 events into GetDigits and is hung up on: the callback and the CDR say the application ended it", async () => {
    await carrierNumber('15557770001', 'menu', 'menu-hangup');
    app.routes.set('/menu', `<Response><GetDigits action="${app.origin}/digits" numDigits="1" timeout="10"><Speak>Press a key</Speak></GetDigits></Response>`);
    app.routes.set('/digits', '<Response><Hangup/></Response>');

    const mediaPort = (await freeUdpPort()) & ~1;
    const caller = sipp('carrier-caller-dtmf.xml', [`127.0.0.1:${SIP_PORT}`, '-s', '15557770001', '-mi', '127.0.0.1', '-mp', String(mediaPort)]);
    const menu = await beforeSippEnds(app.next('/menu'), caller, 'the answer URL was fetched');
    assert.equal(menu.params.From, '14155550199');
    assert.equal(menu.params.CallerName, 'Carrier Caller');
    assert.equal(menu.params['X-PH-Ticket'], '4711');
    const digits = await beforeSippEnds(app.next('/digits'), caller, 'the key reached GetDigits');
    assert.equal(digits.params.Digits, '1');
    const result = await caller;
    assert.equal(result.code, 0, result.log);
    const hangup = await app.next('/menu-hangup');
    assert.deepEqual([hangup.params.HangupCauseName, hangup.params.HangupSource], ['Normal Hangup', 'Answer XML']);
    const cdr = await sb.client().calls.get(hangup.params.CallUUID!);
    assert.deepEqual([cdr.hangupCauseName, cdr.hangupSource], ['Normal Hangup', 'Answer XML']);
  });
});
