// What a password guesser or user enumerator sees of our registrar: the
// same 401 for any user without credentials, the same 403 for an unknown
// user as for a wrong password, and silence once its source is blocked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../../../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar } from '../../../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../../../src/telephony/sip/registrar/register-handler.ts';
import { SourceGuard } from '../../../src/telephony/sip/security/source-guard.ts';
import type { SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { MemoryNetwork } from './wire.ts';

const SB: Flow = { transport: 'udp', address: '203.0.113.1', port: 5060 };

function setup() {
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork();
  const guard = new SourceGuard({ clock, maxAuthFailures: 10 });
  const sb = new SipStack({ clock, publicAddress: SB.address, guard });
  sb.attach(net.endpoint(SB.address, SB.port, sb.receive));
  const digest = new DigestServer<string>({ realm: 'switchboard.test', clock, algorithms: ['MD5'] });
  const auth = new RequestAuthenticator(digest, async (u, realm) => (u === 'alice' ? { ha1: { MD5: ha1('MD5', u, realm, 'right') }, identity: u } : undefined), guard);
  sb.handlers.register = registerHandler(sb, auth, new Registrar({ clock }));
  const attacker = new SipStack({ clock, publicAddress: '198.51.100.66' });
  attacker.attach(net.endpoint('198.51.100.66', 5060, attacker.receive));
  const register = async (user: string, password?: string): Promise<SipResponse> => {
    const p = attacker.requestOutOfDialog('REGISTER', 'sip:switchboard.test', SB, {
      from: `<sip:${user}@switchboard.test>`,
      to: `<sip:${user}@switchboard.test>`,
      headers: [['contact', `<sip:${user}@198.51.100.66>`]],
      credentials: password === undefined ? undefined : { username: user, password },
    });
    let settled = false;
    void p.then(() => (settled = true));
    await clock.runUntil(() => settled, clock.now() + 40_000);
    return p;
  };
  const shape = (r: SipResponse) => {
    const lines: string[] = [];
    r.headers.forEach((n, v) => lines.push(`${n}: ${n === 'www-authenticate' ? v.replace(/nonce="[^"]*"/, 'nonce=…') : n === 'to' || n === 'from' || n === 'call-id' || n === 'via' || n === 'cseq' ? '…' : v}`));
    return `${r.status} ${r.reason}\n${lines.join('\n')}`;
  };
  return { register, shape, guard, net };
}

describe('no user enumeration', () => {
  test('an existing and an unknown user get the same challenge, and the same 403 for a wrong password', async () => {
    const s = setup();
    const [known, unknown] = [await s.register('alice'), await s.register('mallory')];
    assert.equal(known.status, 401);
    assert.equal(s.shape(known), s.shape(unknown));
    const [wrong, nobody] = [await s.register('alice', 'guess'), await s.register('mallory', 'guess')];
    assert.equal(wrong.status, 403);
    assert.equal(s.shape(wrong), s.shape(nobody));
    assert.equal((await s.register('alice', 'right')).status, 200);
  });

  test('ten failed authentications block the source: it then gets no answer at all', async () => {
    const s = setup();
    for (let i = 0; i < 10; i++) assert.equal((await s.register('alice', `guess${i}`)).status, 403);
    assert.deepEqual(s.guard.blocked(), ['198.51.100.66']);
    const silent = await s.register('alice', 'right');
    assert.equal(silent.status, 408, 'the request timed out: nothing came back');
  });
});
