// Interop with an independent SIP stack: SIPp (Debian's sip-tester, put in
// place by scripts/ensure-sip-tools.sh) against our stack on loopback —
// REGISTER with Digest, OPTIONS, authenticated calls answered, held and
// taken off hold by re-INVITE, hung up from either side, cancelled while
// ringing, and our call out to a SIPp gateway that challenges with 401 and
// checks the answer. Skipped, saying why, when sipp is not installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../../../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar } from '../../../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../../../src/telephony/sip/registrar/register-handler.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { uriUser } from '../../../src/telephony/sip/message/sip-uri.ts';

import { within } from '../../helpers/until.ts';
import { freeUdpPort, sipp, skip } from './sipp.ts';

const ANSWER = 'v=0\r\no=switchboard 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n';

describe('SIPp interop', { skip }, () => {
  const clock = new RealClock();
  const stack = new SipStack({ clock, publicAddress: '127.0.0.1' });
  const registrar = new Registrar({ clock });
  const digest = new DigestServer<string>({ realm: 'switchboard.test', clock });
  const auth = new RequestAuthenticator(digest, async (u, realm) => (u === 'alice' ? { ha1: { MD5: ha1('MD5', u, realm, 'pw'), 'SHA-256': ha1('SHA-256', u, realm, 'pw') }, identity: u } : undefined));
  const events: string[] = [];
  let target = '';

  before(async () => {
    const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, stack.receive, stack.transportError);
    stack.attach(transport);
    target = `127.0.0.1:${transport.local.port}`;
    stack.handlers.register = registerHandler(stack, auth, registrar);
    stack.handlers.invite = async (call) => {
      const who = await auth.authenticate(call.request, call.flow, (status, headers, reason) => call.reject(status, reason, headers));
      if (!who) return;
      const service = uriUser(call.request.requestUri());
      call.events = {
        cancelled: () => events.push(`${service} cancelled`),
        bye: () => events.push(`${service} bye`),
        reinvite: (req, respond) => {
          const body = req.body.toString();
          events.push(`${service} reinvite ${/a=(sendonly|sendrecv|recvonly|inactive)/.exec(body)?.[1]}`);
          respond(200, sdpBody(body.includes('a=sendonly') ? ANSWER + 'a=recvonly\r\n' : ANSWER + 'a=sendrecv\r\n'));
        },
        acked: () => {
          events.push(`${service} acked`);
          if (service === 'hangup') clock.after(100, () => call.bye());
        },
      };
      call.ring();
      if (service !== 'slow') call.answer(sdpBody(ANSWER));
    };
  });
  after(async () => {
    registrar.clear();
    await stack.close();
  });

  const ok = (r: { code: number | null; log: string }) => assert.equal(r.code, 0, `sipp failed:\n${r.log}`);

  test('REGISTER with Digest', async () => {
    ok(await sipp('register-digest.xml', ['-s', 'alice', '-au', 'alice', '-ap', 'pw', target]));
    const [b] = registrar.lookup('alice');
    assert.equal(b?.userAgent, 'SIPp/interop');
  });

  test('REGISTER with Digest over TCP: the binding keeps the connection', async () => {
    ok(await sipp('register-digest.xml', ['-t', 't1', '-s', 'alice', '-au', 'alice', '-ap', 'pw', target]));
    const tcp = registrar.lookup('alice').find((b) => b.flow.transport === 'tcp');
    assert.ok(tcp?.flow.connection !== undefined);
  });

  test('OPTIONS', async () => {
    ok(await sipp('options.xml', [target]));
  });

  test('authenticated call, hold and unhold by re-INVITE, BYE from the caller', async () => {
    ok(await sipp('call-hold-bye.xml', ['-s', 'ivr', '-au', 'alice', '-ap', 'pw', target]));
    assert.deepEqual(events.splice(0), ['ivr acked', 'ivr reinvite sendonly', 'ivr acked', 'ivr reinvite sendrecv', 'ivr acked', 'ivr bye']);
  });

  test('BYE from our side', async () => {
    ok(await sipp('call-bye-from-callee.xml', ['-s', 'hangup', '-au', 'alice', '-ap', 'pw', target]));
    assert.deepEqual(events.splice(0), ['hangup acked']);
  });

  test('CANCEL while ringing', async () => {
    ok(await sipp('call-cancel.xml', ['-s', 'slow', '-au', 'alice', '-ap', 'pw', target]));
    assert.deepEqual(events.splice(0), ['slow cancelled']);
  });

  test('our call out to a gateway that challenges with 401 and checks our Digest answer', async () => {
    const port = await freeUdpPort();
    const gateway = sipp('gateway-uas.xml', ['-p', String(port), '-s', 'gw']);
    // Give SIPp a moment to bind before the INVITE leaves; the INVITE is retransmitted anyway.
    await clock.sleep(300);
    const call = stack.invite({
      target: `sip:+15550100@127.0.0.1:${port}`,
      flow: { transport: 'udp', address: '127.0.0.1', port },
      from: '<sip:+15550199@switchboard.test>',
      to: `<sip:+15550100@127.0.0.1:${port}>`,
      body: sdpBody(ANSWER),
      credentials: { username: 'trunk', password: 'gw-secret' },
    });
    const outcome = await within(
      new Promise<string>((resolve) => {
        call.events = { answered: () => resolve('answered'), failed: (s) => resolve(`failed ${s}`) };
      }),
      "the gateway's final answer to our INVITE",
    );
    assert.equal(outcome, 'answered');
    call.bye();
    ok(await gateway);
  });
});
