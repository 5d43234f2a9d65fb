// The SIP driver's toll-fraud limits, in process over loopback: outbound
// calls only to allowed destination prefixes, and a per-account ceiling on
// live SIP calls counted across its outbound legs, its endpoints' calls and
// calls from carriers to its numbers; carriers' addresses are trusted by the
// per-source guard from the start.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { RealClock } from '../../../src/clock/clock.ts';
import { newUuid } from '../../../src/ids.ts';
import type { InboundInfo, Leg, LegObserver, NetworkCause } from '../../../src/telephony/driver.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { SipDriver } from '../../../src/telephony/sip/sip-driver.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { until, within } from '../../helpers/until.ts';

const clock = new RealClock();
const X = { accountId: 'MAXXXXXXXXXXXXXXXXXX', subaccountId: null };
const Y = { accountId: 'MAYYYYYYYYYYYYYYYYYY', subaccountId: null };
let driver: SipDriver;
let gateway: Socket;
let phone: SipStack;
/** What the directory lists as incoming carriers' addresses (loopback: the test's phone is also a carrier). */
let carrierAddresses = ['127.0.0.1'];
const CARRIER_NUMBER = '15557770001';
/** What the directory's carrier check found about the number: handed to the engine with the call. */
const KNOWN = { number: CARRIER_NUMBER };

before(async () => {
  // A gateway that never answers: legs toward it stay live (trying) as long as the test needs.
  gateway = createSocket('udp4');
  await new Promise<void>((r) => gateway.bind(0, '127.0.0.1', () => r()));
  const port = gateway.address().port;
  driver = new SipDriver({
    clock,
    listen: { host: '127.0.0.1', port: 0 },
    publicAddress: '127.0.0.1',
    domain: 'switchboard.test',
    rtp: { ports: { min: 44800, max: 44899 }, bindAddress: '127.0.0.1', workers: 1 },
    gateways: [{ name: 'silent', address: `127.0.0.1:${port}`, host: '127.0.0.1', port, transport: 'udp' }],
    limits: { callsPerAccount: 1, allowedPrefixes: ['1'], uriDomains: ['*.allowed.test', '192.0.2.10'] },
    dns: {
      lookup: async (host) => {
        if (host === 'pbx.allowed.test') return [{ address: '127.0.0.1' }];
        throw new Error(`getaddrinfo ENOTFOUND ${host}`);
      },
      resolveSrv: async (name) => {
        throw new Error(`querySrv ENODATA ${name}`);
      },
    },
    directory: {
      credentials: async (username, realm) => (username === 'desk' ? { ha1: { MD5: ha1('MD5', 'desk', realm, 'pw') }, identity: { username, tenant: X, hasApplication: true } } : undefined),
      registered: () => undefined,
      carrier: async (address, number) => (address === '127.0.0.1' && number === CARRIER_NUMBER ? { carrierId: 'trunk', owns: true, tenant: X, known: KNOWN } : undefined),
      carrierAddresses: async () => carrierAddresses,
    },
    // A source may send 3 requests at once: more only when it is a carrier's.
    guard: { ratePerSecond: 1, burst: 3 },
  });
  await driver.start();
  phone = new SipStack({ clock, publicAddress: '127.0.0.1' });
  phone.attach(await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, phone.receive, phone.transportError));
});
after(async () => {
  await phone.close();
  await driver.close();
  gateway.close();
});

function originate(to: string, tenant = X) {
  const ended: NetworkCause[] = [];
  const o: LegObserver = { ringing() {}, earlyMedia() {}, answered() {}, ended: (_l: Leg, cause) => ended.push(cause), dtmf() {}, audio() {} };
  const leg = driver.originate({ uuid: newUuid(), tenant, from: '15550001111', to, callerName: '', sipHeaders: {} }, o);
  return { leg, ended };
}

test('outbound calls go only to allowed destination prefixes', async () => {
  const uk = originate('442071234567');
  await until(() => uk.ended.length > 0, 'the refusal');
  assert.deepEqual(uk.ended, ['CALL_REJECTED']);
  assert.equal(driver.callsOf(X.accountId), 0, 'a refused call counts for nothing');
});

test('sip: URIs outside the SIP domain: only to allowed hosts, never to a gateway\'s address, sips: and unresolvable hosts unallocated', async () => {
  const refusal = async (to: string) => {
    const call = originate(to);
    await until(() => call.ended.length > 0, `the refusal of ${to}`);
    await until(() => driver.callsOf(X.accountId) === 0, 'the refused leg to count no more');
    return call.ended[0];
  };
  assert.equal(await refusal('sip:bob@elsewhere.test'), 'CALL_REJECTED', 'a host not in SWITCHBOARD_SIP_URI_DOMAINS');
  assert.equal(await refusal('sip:bob@pbx.allowed.test'), 'CALL_REJECTED', "an allowed name at the gateway's address");
  assert.equal(await refusal('sip:bob@nowhere.allowed.test'), 'UNALLOCATED_NUMBER', 'a name that does not resolve');
  assert.equal(await refusal('sips:bob@192.0.2.10'), 'UNALLOCATED_NUMBER', 'no TLS');
});

test('an account has at most its limit of live SIP calls, outbound and from its endpoints together', async () => {
  const first = originate('14155550100');
  assert.equal(driver.callsOf(X.accountId), 1);
  const second = originate('14155550101');
  await until(() => second.ended.length > 0, 'the second call to be refused');
  assert.deepEqual(second.ended, ['NORMAL_TEMPORARY_FAILURE']);
  const other = originate('14155550102', Y);
  assert.equal(driver.callsOf(Y.accountId), 1, 'another account has its own limit');

  // The account's endpoint calls in while its outbound call is live: busy; so is a carrier's call to its number.
  assert.equal(await callIn('14155550199', { username: 'desk', password: 'pw' }).status, 486);
  assert.equal(await callIn(CARRIER_NUMBER).status, 486);

  first.leg.hangup('ORIGINATOR_CANCEL');
  other.leg.hangup('ORIGINATOR_CANCEL');
  await until(() => driver.callsOf(X.accountId) === 0 && driver.callsOf(Y.accountId) === 0, 'the ended legs to count no more');
  const again = originate('14155550103');
  assert.equal(driver.callsOf(X.accountId), 1, 'room again once a call ended');
  again.leg.hangup('ORIGINATOR_CANCEL');
  await until(() => driver.callsOf(X.accountId) === 0, 'the leg to count no more');

  // A carrier's call to the account's number counts in its limit while it lasts.
  const inbound: Leg[] = [];
  const infos: InboundInfo[] = [];
  driver.onInbound((leg, info) => (inbound.push(leg), infos.push(info)));
  const carried = callIn(CARRIER_NUMBER);
  await until(() => inbound.length === 1, 'the carrier call to reach the engine');
  assert.equal(infos[0]!.known, KNOWN, 'with what the carrier check found about the number');
  assert.equal(driver.callsOf(X.accountId), 1);
  inbound[0]!.hangup('CALL_REJECTED');
  assert.equal(await carried.status, 603);
  await until(() => driver.callsOf(X.accountId) === 0, 'the refused call to count no more');
});

test("carriers' addresses are trusted from the start: a burst from one is not rate-limited; an address taken off every ip_set is again", async () => {
  const flow = { transport: 'udp' as const, address: '127.0.0.1', port: driver.port };
  const options = () => phone.requestOutOfDialog('OPTIONS', 'sip:switchboard.test', flow, { from: '<sip:probe@switchboard.test>', to: '<sip:switchboard.test>' });
  const answers = await Promise.all(Array.from({ length: 12 }, options));
  assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([200]), 'twelve at once, past the burst of 3');
  assert.equal(driver.trusts('127.0.0.1'), true);
  assert.equal(driver.trusts('::ffff:127.0.0.1'), true, 'as a dual-stack socket reports it');
  carrierAddresses = [];
  await driver.carriersChanged();
  assert.equal(driver.trusts('127.0.0.1'), false);
  carrierAddresses = ['127.0.0.1'];
  await driver.carriersChanged();
});

function callIn(to: string, credentials?: { username: string; password: string }) {
  const sdp = new SdpSession({ address: '127.0.0.1', port: 44990 });
  const call = phone.invite({
    target: `sip:${to}@switchboard.test`,
    flow: { transport: 'udp', address: '127.0.0.1', port: driver.port },
    from: `<sip:${credentials?.username ?? 'carrier'}@switchboard.test>`,
    to: `<sip:${to}@switchboard.test>`,
    body: sdpBody(sdp.offer()),
    credentials,
  });
  const status = within(new Promise<number>((resolve) => (call.events = { failed: (s) => resolve(s), answered: () => resolve(200) })), `the final answer to the INVITE to ${to}`);
  return { call, status };
}
