// Addresses the SIP driver trusts. Its gateways' addresses, as carriers':
// they are the operator's own trunks. A busy gateway sends a request (a BYE)
// for every call its side ends, past the per-source rate, and a scanner's
// traffic from a gateway's address must not get it blocked: the gateway's
// answers to our INVITEs would be dropped with it and every call out would
// fail. And a carrier's address is no open relay: a call from it to an
// outside number is challenged, and the attempt logged with its source.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { RealClock } from '../../../src/clock/clock.ts';
import { newUuid } from '../../../src/ids.ts';
import type { Leg, LegObserver, NetworkCause } from '../../../src/telephony/driver.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { SipDriver } from '../../../src/telephony/sip/sip-driver.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { until, within } from '../../helpers/until.ts';

const clock = new RealClock();
const tenant = { accountId: 'MAXXXXXXXXXXXXXXXXXX', subaccountId: null };
let driver: SipDriver;
/** The gateway, sending as a scanner would (its User-Agent is one the guard blocks on sight); it refuses calls as busy. */
let gateway: SipStack;
/** An incoming carrier's trunk, at another loopback address. */
let carrier: SipStack;
const logged: string[] = [];

before(async () => {
  gateway = new SipStack({ clock, publicAddress: '127.0.0.1', userAgent: 'friendly-scanner' });
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, gateway.receive, gateway.transportError);
  gateway.attach(transport);
  gateway.handlers.invite = (call) => call.reject(486);
  const port = transport.local.port;
  driver = new SipDriver({
    clock,
    listen: { host: '127.0.0.1', port: 0 },
    publicAddress: '127.0.0.1',
    domain: 'switchboard.test',
    rtp: { ports: { min: 44920, max: 44939 }, bindAddress: '127.0.0.1', workers: 1 },
    gateways: [{ name: 'trunk', address: `127.0.0.1:${port}`, host: '127.0.0.1', port, transport: 'udp' }],
    limits: { callsPerAccount: 10 },
    // 127.0.0.2 is a carrier's; it owns no number here, so every call from it is to none of its numbers.
    directory: { credentials: async () => undefined, registered: () => undefined, carrier: async () => undefined, carrierAddresses: async () => ['127.0.0.2'] },
    log: pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }),
    // A source may send 3 requests at once, one a second after that.
    guard: { ratePerSecond: 1, burst: 3 },
  });
  await driver.start();
  carrier = new SipStack({ clock, publicAddress: '127.0.0.2' });
  carrier.attach(await NetSipTransport.listen({ host: '127.0.0.2', port: 0, clock }, carrier.receive, carrier.transportError));
});
after(async () => {
  await carrier.close();
  await gateway.close();
  await driver.close();
});

test("a gateway's address is never blocked: a burst and a scanner's User-Agent from it are answered, and so is our call through it", async () => {
  const flow = { transport: 'udp' as const, address: '127.0.0.1', port: driver.port };
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    gateway.requestOutOfDialog('OPTIONS', 'sip:switchboard.test', flow, { from: '<sip:trunk@switchboard.test>', to: '<sip:switchboard.test>' }).then(
      (r) => statuses.push(r.status),
      () => statuses.push(0),
    );
  }
  await until(() => statuses.length === 12, 'twelve OPTIONS from the gateway to be answered', 5_000);
  assert.deepEqual(new Set(statuses), new Set([200]), 'twelve at once, past the burst of 3, with a scanner\'s User-Agent');

  const ended: NetworkCause[] = [];
  const observer: LegObserver = { ringing() {}, earlyMedia() {}, answered() {}, ended: (_l: Leg, cause) => ended.push(cause), dtmf() {}, audio() {} };
  driver.originate({ uuid: newUuid(), tenant, from: '15550001111', to: '14155550100', callerName: '', sipHeaders: {} }, observer);
  await until(() => ended.length > 0, "the gateway's 486 to reach the call", 5_000);
  assert.deepEqual(ended, ['USER_BUSY']);
});

test("a carrier's address calling an outside number is challenged, not relayed, and the attempt is logged with its source", async () => {
  const call = carrier.invite({
    target: 'sip:16175550142@switchboard.test',
    flow: { transport: 'udp', address: '127.0.0.1', port: driver.port },
    from: '<sip:15550001111@127.0.0.2>',
    to: '<sip:16175550142@switchboard.test>',
    body: sdpBody(new SdpSession({ address: '127.0.0.2', port: 44998 }).offer()),
  });
  const status = await within(new Promise<number>((resolve) => (call.events = { failed: (s) => resolve(s), answered: () => resolve(200) })), "the final answer to the carrier's INVITE");
  assert.equal(status, 401);
  const line = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "sip call from a carrier's address to none of its numbers challenged");
  assert.ok(line, logged.join('\n'));
  assert.match(String(line.source), /^udp:127\.0\.0\.2:\d+$/);
  assert.equal(line.to, '16175550142');
});
