// Real sockets on loopback: a phone registers with Digest over UDP and over
// TCP (the binding keeps the TCP connection it came on), places a call over
// TCP on that same connection; and TCP framing by Content-Length.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { StreamFramer } from '../../../src/telephony/sip/transport/stream-framer.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../../../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar } from '../../../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../../../src/telephony/sip/registrar/register-handler.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';

async function stackOn(clock: VirtualClock): Promise<{ stack: SipStack; transport: NetSipTransport }> {
  const stack = new SipStack({ clock, publicAddress: '127.0.0.1' });
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, stack.receive, stack.transportError);
  stack.attach(transport);
  return { stack, transport };
}

describe('SIP over real sockets', async () => {
  const clock = new VirtualClock(0);
  const sb = await stackOn(clock);
  const phone = await stackOn(clock);
  after(async () => {
    await sb.stack.close();
    await phone.stack.close();
  });
  const digest = new DigestServer<string>({ realm: 'switchboard.test', clock });
  const registrar = new Registrar({ clock });
  const auth = new RequestAuthenticator(digest, async (u, realm) => (u === 'alice' ? { ha1: { MD5: ha1('MD5', u, realm, 'pw'), 'SHA-256': ha1('SHA-256', u, realm, 'pw') }, identity: u } : undefined));
  sb.stack.handlers.register = registerHandler(sb.stack, auth, registrar);
  const port = sb.transport.local.port;

  const register = (transport: 'udp' | 'tcp', password = 'pw') => {
    const flow: Flow = { transport, address: '127.0.0.1', port };
    return phone.stack.requestOutOfDialog('REGISTER', `sip:127.0.0.1:${port}`, flow, {
      from: '<sip:alice@switchboard.test>',
      to: '<sip:alice@switchboard.test>',
      headers: [['contact', `<sip:alice@127.0.0.1:${phone.transport.local.port}${transport === 'tcp' ? ';transport=tcp' : ''}>`], ['expires', '600'], ['user-agent', 'test-phone/1']],
      credentials: { username: 'alice', password },
    });
  };

  test('REGISTER with Digest over UDP', async () => {
    const res = await register('udp');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('contact')!, /;expires=600$/);
    const [b] = registrar.lookup('alice');
    assert.equal(b!.flow.transport, 'udp');
    assert.equal(b!.flow.port, phone.transport.local.port, 'the source port: answers and calls go back there');
    assert.equal(b!.userAgent, 'test-phone/1');
  });

  test('a wrong password gets 403', async () => {
    assert.equal((await register('udp', 'nope')).status, 403);
  });

  test('REGISTER over TCP keeps the connection in the binding, and a call to the binding goes down that connection', async () => {
    assert.equal((await register('tcp')).status, 200);
    const b = registrar.lookup('alice').find((x) => x.flow.transport === 'tcp')!;
    assert.ok(b.flow.connection !== undefined);
    let answeredBody = '';
    phone.stack.handlers.invite = (call) => call.answer(sdpBody('v=0\r\nanswer\r\n'));
    const out = sb.stack.invite({ target: b.contact, flow: b.flow, from: '<sip:+15550100@switchboard.test>', to: `<${b.contact}>`, body: sdpBody('v=0\r\noffer\r\n') });
    await new Promise<void>((resolve, reject) => {
      out.events = { answered: (res) => ((answeredBody = res.body.toString()), resolve()), failed: (s) => reject(new Error(`failed ${s}`)) };
    });
    assert.equal(answeredBody, 'v=0\r\nanswer\r\n');
    out.bye();
  });

  test('OPTIONS over TCP', async () => {
    const res = await phone.stack.requestOutOfDialog('OPTIONS', `sip:127.0.0.1:${port}`, { transport: 'tcp', address: '127.0.0.1', port });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('allow')!, /INVITE/);
  });
});

describe('TCP framing', () => {
  const msg = (body: string) => Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  test('two messages in one chunk, then one split in three chunks, with keep-alive pings between', () => {
    const framer = new StreamFramer(65535);
    const out = framer.push(Buffer.concat([msg('hello'), Buffer.from('\r\n\r\n'), msg('')]));
    assert.deepEqual(out.map((f) => f.kind), ['message', 'ping', 'message']);
    const m = msg('0123456789');
    assert.deepEqual(framer.push(m.subarray(0, 10)), []);
    assert.deepEqual(framer.push(m.subarray(10, m.length - 3)), []);
    const last = framer.push(m.subarray(m.length - 3));
    assert.equal(last.length, 1);
    assert.deepEqual(last[0]!.kind === 'message' && last[0]!.bytes, m);
  });

  test('oversized headers or bodies are errors (the connection is closed)', () => {
    assert.equal(new StreamFramer(100).push(Buffer.alloc(200, 65))[0]!.kind, 'error');
    assert.equal(new StreamFramer(100).push(msg('x'.repeat(200)))[0]!.kind, 'error');
  });
});
