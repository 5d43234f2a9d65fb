// SIPp, an independent SIP stack, against a real server process in
// `--telephony sip`, the API side driven by the official SDK: a Call API call
// leaves through a SIPp gateway that challenges with Digest (and is hung up
// with BYE by the application's end), and SIPp as an incoming carrier's
// caller presses 1 as RFC 4733 events into <GetDigits> and is hung up on.
// Skipped, saying why, when SIPp is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { answerServer, type AnswerServer } from '../../voice/fixtures.ts';
import { freeUdpPort, sipp, skip } from './sipp.ts';

const SIP_PORT = 47060 + (process.pid % 400);

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
    fs.writeFileSync(gateways, JSON.stringify([{ name: 'sipp-gw', address: `127.0.0.1:${gatewayPort}`, username: 'trunk', password: 'gw-secret', prefixes: ['1415'] }]));
    sb = await startTestServer({
      env: {
        SWITCHBOARD_TELEPHONY: 'sip',
        SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${SIP_PORT}`,
        SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1',
        SWITCHBOARD_SIP_GATEWAYS: gateways,
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
    const answered = await app.next('/out');
    assert.equal(answered.params.To, '14155550100');
    assert.equal(answered.params.CallStatus, 'in-progress');
    const hangup = await app.next('/out-hangup');
    assert.equal(hangup.params.HangupCause, 'NORMAL_CLEARING');
    const result = await gateway;
    assert.equal(result.code, 0, result.log);
  });

  test("a carrier's caller presses 1 as RFC 4733 events into GetDigits and is hung up on", async () => {
    const client = sb.client();
    const { appId } = await client.applications.create('Menu', { answerUrl: `${app.origin}/menu` });
    app.routes.set('/menu', `<Response><GetDigits action="${app.origin}/digits" numDigits="1" timeout="10"><Speak>Press a key</Speak></GetDigits></Response>`);
    app.routes.set('/digits', '<Response><Hangup/></Response>');
    const carrier = (await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'sipp', ip_set: '127.0.0.1' } }).then((r) => r.json())) as { carrier_id: string };
    const added = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: '15557770001', carrier: carrier.carrier_id, region: 'Test', app_id: appId } });
    assert.ok(added.ok, `own number added: ${added.status}`);

    const mediaPort = (await freeUdpPort()) & ~1;
    const caller = sipp('carrier-caller-dtmf.xml', [`127.0.0.1:${SIP_PORT}`, '-s', '15557770001', '-mi', '127.0.0.1', '-mp', String(mediaPort)]);
    const menu = await app.next('/menu');
    assert.equal(menu.params.From, '14155550199');
    assert.equal(menu.params.CallerName, 'Carrier Caller');
    assert.equal(menu.params['X-PH-Ticket'], '4711');
    const digits = await app.next('/digits');
    assert.equal(digits.params.Digits, '1');
    const result = await caller;
    assert.equal(result.code, 0, result.log);
  });
});
