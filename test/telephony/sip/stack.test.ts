// The UA core between two stacks (and raw peers) on a memory network and
// the virtual clock: calls answered, rejected, cancelled (with the CANCEL
// and 200 OK crossing), re-INVITEs and their glare, BYE both ways, lost
// responses and ACKs, forks, and the answers RFC 4475 §3.3 expects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import type { InboundCall } from '../../../src/telephony/sip/dialog/inbound-call.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import type { SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import { parseMessage } from '../../../src/telephony/sip/message/sip-parser.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { MemoryNetwork } from './wire.ts';
import * as t from './rfc4475.ts';

const SB: Flow = { transport: 'udp', address: '203.0.113.1', port: 5060 };
const PHONE_ADDR = '192.0.2.10';

function world() {
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork();
  const make = (address: string, port: number) => {
    const stack = new SipStack({ clock, publicAddress: address });
    stack.attach(net.endpoint(address, port, stack.receive));
    return stack;
  };
  const sb = make(SB.address, SB.port);
  const phone = make(PHONE_ADDR, 5062);
  const inbound: InboundCall[] = [];
  sb.handlers.invite = (call) => inbound.push(call);
  const settle = () => clock.advance(0);
  /** A raw peer: what it sends and what it receives. */
  const raw = () => {
    const got: SipResponse[] = [];
    /** Everything received as text: answers to broken requests may not parse themselves. */
    const text: string[] = [];
    const ep = net.endpoint('198.51.100.7', 5060, (bytes) => {
      text.push(bytes.toString());
      const r = parseMessage(bytes);
      if (r.ok) got.push(r.message as SipResponse);
    });
    return { got, text, send: (bytes: Buffer) => ep.send(bytes, SB) };
  };
  return { clock, net, sb, phone, inbound, settle, raw };
}

const OFFER = sdpBody('v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n');
const ANSWER = sdpBody('v=0\r\no=- 2 2 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n');

function call(w: ReturnType<typeof world>) {
  const out = w.phone.invite({ target: 'sip:+15550100@203.0.113.1', flow: SB, from: '<sip:alice@192.0.2.10>', to: '<sip:+15550100@203.0.113.1>', body: OFFER });
  const seen: string[] = [];
  out.events = {
    progress: (r) => seen.push(`progress ${r.status}`),
    answered: (r) => seen.push(`answered ${r.body.toString() === ANSWER.body.toString()}`),
    failed: (s) => seen.push(`failed ${s}`),
    bye: () => seen.push('bye'),
    ended: (why) => seen.push(`ended ${why}`),
  };
  return { out, seen };
}

function observe(c: InboundCall) {
  const seen: string[] = [];
  c.events = {
    cancelled: () => seen.push('cancelled'),
    acked: () => seen.push('acked'),
    bye: () => seen.push('bye'),
    ended: (why) => seen.push(`ended ${why}`),
  };
  return seen;
}

describe('calls between two stacks', () => {
  test('ring, answer with SDP, ACK, BYE from the caller; both sides forget the dialog', async () => {
    const w = world();
    const { out, seen } = call(w);
    await w.settle();
    const inbound = w.inbound[0]!;
    assert.equal(inbound.offer?.body.toString(), OFFER.body.toString());
    const sbSeen = observe(inbound);
    inbound.ring();
    await w.settle();
    inbound.answer(ANSWER);
    await w.settle();
    assert.deepEqual(seen, ['progress 180', 'answered true']);
    assert.deepEqual(sbSeen, ['acked']);
    out.bye();
    await w.settle();
    assert.deepEqual(sbSeen, ['acked', 'bye']);
    assert.equal(w.sb.dialogCount, 0);
    assert.equal(w.phone.dialogCount, 0);
    assert.deepEqual(w.net.lines(), ['INVITE sip:+15550100@203.0.113.1 SIP/2.0', 'SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'ACK sip:203.0.113.1:5060 SIP/2.0', 'BYE sip:203.0.113.1:5060 SIP/2.0', 'SIP/2.0 200 OK']);
  });

  test("a call's INVITE, held for the whole call, lets go of its parsed headers at the final response (read again, parsed again)", async () => {
    const w = world();
    call(w);
    call(w);
    await w.settle();
    const [answered, rejected] = w.inbound as [InboundCall, InboundCall];
    const views = (c: InboundCall) => [c.request.requestUri(), c.request.from(), c.request.to(), c.request.cseq(), c.request.topVia(), c.request.contacts()[0]];
    const before = [views(answered), views(rejected)];
    answered.ring();
    assert.deepEqual(views(answered).map((v, i) => v === before[0]![i]), [true, true, true, true, true, true], 'kept until the final response');
    answered.answer(ANSWER);
    rejected.reject(486);
    await w.settle();
    for (const [i, c] of [answered, rejected].entries()) {
      const again = views(c);
      assert.deepEqual(again, before[i], 'the same values');
      assert.deepEqual(again.map((v, j) => v === before[i]![j]), [false, false, false, false, false, false], 'parsed again');
    }
  });

  test('BYE from the called side', async () => {
    const w = world();
    const { seen } = call(w);
    await w.settle();
    w.inbound[0]!.answer(ANSWER);
    await w.settle();
    w.inbound[0]!.bye();
    await w.settle();
    assert.deepEqual(seen, ['answered true', 'bye']);
  });

  test('a rejected call fails with the status, and the failure is ACKed', async () => {
    const w = world();
    const { seen } = call(w);
    await w.settle();
    w.inbound[0]!.reject(486);
    await w.settle();
    assert.deepEqual(seen, ['failed 486']);
    assert.equal(w.net.lines().at(-1), 'ACK sip:+15550100@203.0.113.1 SIP/2.0');
  });

  test('CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE, both sides told', async () => {
    const w = world();
    const { out, seen } = call(w);
    await w.settle();
    const sbSeen = observe(w.inbound[0]!);
    w.inbound[0]!.ring();
    await w.settle();
    out.cancel();
    await w.settle();
    assert.deepEqual(seen, ['progress 180', 'failed 487']);
    assert.deepEqual(sbSeen, ['cancelled']);
    assert.ok(w.net.lines().includes('CANCEL sip:+15550100@203.0.113.1 SIP/2.0'));
    assert.equal(w.sb.dialogCount + w.phone.dialogCount, 0);
  });

  test('CANCEL before any provisional waits for one (RFC 3261 §9.1)', async () => {
    const w = world();
    w.net.drop = (p) => p.text.startsWith('SIP/2.0 100');
    const { out, seen } = call(w);
    out.cancel();
    await w.settle();
    assert.ok(!w.net.lines().some((l) => l.startsWith('CANCEL')), 'no CANCEL before a provisional');
    w.inbound[0]!.ring();
    await w.settle();
    assert.ok(w.net.lines().some((l) => l.startsWith('CANCEL')));
    assert.deepEqual(seen, ['failed 487']);
  });

  test('CANCEL and 200 OK cross: the caller ACKs and BYEs, reports 487; the callee sees the BYE', async () => {
    const w = world();
    const { out, seen } = call(w);
    await w.settle();
    const inbound = w.inbound[0]!;
    const sbSeen = observe(inbound);
    out.events.progress = () => out.cancel();
    inbound.ring();
    inbound.answer(ANSWER); // in flight when the caller's CANCEL leaves
    await w.settle();
    assert.deepEqual(seen, ['failed 487']);
    assert.deepEqual(sbSeen, ['acked', 'bye']);
    const lines = w.net.lines();
    assert.ok(lines.indexOf('ACK sip:203.0.113.1:5060 SIP/2.0') < lines.indexOf('BYE sip:203.0.113.1:5060 SIP/2.0'));
    assert.equal(w.sb.dialogCount + w.phone.dialogCount, 0);
  });

  test('a lost 200 OK is retransmitted until the ACK comes', async () => {
    const w = world();
    let lost = 0;
    w.net.drop = (p) => p.text.startsWith('SIP/2.0 200') && lost++ < 2;
    const { seen } = call(w);
    await w.settle();
    w.inbound[0]!.answer(ANSWER);
    await w.clock.advance(2_000);
    assert.deepEqual(seen, ['answered true']);
    assert.equal(w.net.lines().filter((l) => l === 'SIP/2.0 200 OK').length, 3, 'sent at 0, 500 and 1500 ms, then ACKed');
    await w.clock.advance(60_000);
    assert.equal(w.net.lines().filter((l) => l === 'SIP/2.0 200 OK').length, 3);
  });

  test('a 200 OK never ACKed ends the call with BYE after 64*T1', async () => {
    const w = world();
    w.net.drop = (p) => p.text.startsWith('ACK');
    call(w);
    await w.settle();
    const sbSeen = observe(w.inbound[0]!);
    w.inbound[0]!.answer(ANSWER);
    await w.clock.advance(32_000);
    assert.deepEqual(sbSeen, ['ended no-ack']);
    assert.ok(w.net.lines().includes('BYE sip:alice@192.0.2.10:5062 SIP/2.0') || w.net.lines().some((l) => l.startsWith('BYE ')));
  });

  test('re-INVITE (hold) carries the body both ways and refreshes the target; glare gets 491 on both sides', async () => {
    const w = world();
    const { out } = call(w);
    await w.settle();
    const inbound = w.inbound[0]!;
    inbound.answer(ANSWER);
    await w.settle();
    out.events.reinvite = (req, respond) => respond(200, sdpBody(req.body.toString().replace('sendonly', 'recvonly')));
    const res = await inbound.reinvite(sdpBody('v=0\r\na=sendonly\r\n'));
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /recvonly/);
    const a = inbound.reinvite(sdpBody('v=0\r\n'));
    const b = out.reinvite(sdpBody('v=0\r\n'));
    const [ra, rb] = await Promise.all([a, b]);
    assert.deepEqual([ra.status, rb.status], [491, 491]);
  });

  test('an in-dialog request with an old CSeq gets 500; a request for an unknown dialog 481', async () => {
    const w = world();
    call(w);
    await w.settle();
    w.inbound[0]!.answer(ANSWER);
    await w.settle();
    const peer = w.raw();
    const invite = w.net.log.find((p) => p.text.startsWith('INVITE'))!.text;
    const callId = /Call-ID: (.*)\r\n/.exec(invite)![1];
    const toTag = /To: .*;tag=(.*)\r\n/.exec(w.net.log.find((p) => p.text.startsWith('SIP/2.0 200'))!.text)![1];
    const bye = (seq: number, tag: string) =>
      Buffer.from(`BYE sip:x@203.0.113.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-b${seq}${tag}\r\nFrom: <sip:alice@192.0.2.10>;tag=${/From: .*;tag=(.*)\r\n/.exec(invite)![1]}\r\nTo: <sip:x@y>;tag=${tag}\r\nCall-ID: ${callId}\r\nCSeq: ${seq} BYE\r\nContent-Length: 0\r\n\r\n`);
    peer.send(bye(1, toTag!));
    peer.send(bye(5, 'nosuchtag'));
    await w.settle();
    assert.deepEqual(peer.got.map((r) => r.status), [500, 481]);
  });

  test('a gateway that challenges with 407 gets one Digest answer and then the call', async () => {
    const w = world();
    const digest = new DigestServer<string>({ realm: 'gw.example', clock: w.clock, algorithms: ['SHA-256', 'MD5'] });
    w.sb.handlers.invite = async (inbound) => {
      const verdict = await digest.verify(inbound.request, 'proxy-authorization', async (u) => ({ ha1: { 'SHA-256': ha1('SHA-256', u, 'gw.example', 's3cret'), MD5: ha1('MD5', u, 'gw.example', 's3cret') }, identity: u }));
      if (!verdict.ok) return inbound.reject(407, undefined, digest.challenge().map((c) => ['proxy-authenticate', c] as [string, string]));
      inbound.answer(ANSWER);
    };
    const out = w.phone.invite({ target: 'sip:+15550100@203.0.113.1', flow: SB, from: '<sip:sb@192.0.2.10>', to: '<sip:+15550100@203.0.113.1>', body: OFFER, credentials: { username: 'trunk1', password: 's3cret' } });
    const seen: string[] = [];
    out.events = { answered: () => seen.push('answered'), failed: (s) => seen.push(`failed ${s}`) };
    await w.clock.advance(10);
    assert.deepEqual(seen, ['answered']);
    const invites = w.net.log.filter((p) => p.text.startsWith('INVITE'));
    assert.equal(invites.length, 2);
    assert.match(invites[1]!.text, /Proxy-Authorization: Digest username="trunk1"/);
    assert.match(invites[1]!.text, /Proxy-Authorization: .*qop=auth.*algorithm=SHA-256/);
    assert.match(invites[1]!.text, /CSeq: 2 INVITE/);
  });

  test('a 2xx from a second fork is ACKed and hung up', async () => {
    const w = world();
    const peer = w.net.endpoint('198.51.100.8', 5060);
    const out = w.phone.invite({ target: 'sip:x@198.51.100.8', flow: { transport: 'udp', address: '198.51.100.8', port: 5060 }, from: '<sip:a@192.0.2.10>', to: '<sip:x@198.51.100.8>', body: OFFER });
    let answered = 0;
    out.events = { answered: () => answered++ };
    await w.settle();
    const inv = w.net.log.at(-1)!.text;
    const answer = (tag: string) =>
      Buffer.from(inv.replace(/^INVITE .*\r\n/, 'SIP/2.0 200 OK\r\n').replace(/(To: .*)\r\n/, `$1;tag=${tag}\r\nContact: <sip:fork-${tag}@198.51.100.8>\r\n`).replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n'));
    peer.send(answer('f1'), { transport: 'udp', address: PHONE_ADDR, port: 5062 });
    peer.send(answer('f2'), { transport: 'udp', address: PHONE_ADDR, port: 5062 });
    await w.settle();
    assert.equal(answered, 1);
    assert.deepEqual(w.net.lines((p) => p.from === `${PHONE_ADDR}:5062`).slice(1), ['ACK sip:fork-f1@198.51.100.8 SIP/2.0', 'ACK sip:fork-f2@198.51.100.8 SIP/2.0', 'BYE sip:fork-f2@198.51.100.8 SIP/2.0']);
  });
});

describe('route sets and target refresh', () => {
  /** An INVITE from a raw peer through two record-routing proxies. */
  function throughProxies(w: ReturnType<typeof world>) {
    const peer = w.net.endpoint('198.51.100.7', 5060);
    const invite = [
      'INVITE sip:ivr@203.0.113.1 SIP/2.0',
      'Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-rr1',
      'Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>',
      'From: <sip:carol@example.net>;tag=c1',
      'To: <sip:ivr@203.0.113.1>',
      'Call-ID: rr-1',
      'CSeq: 7 INVITE',
      'Contact: <sip:carol@198.51.100.7>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    peer.send(Buffer.from(invite), SB);
    return (text: string) => peer.send(Buffer.from(text), SB);
  }

  test('a UAS dialog keeps the Record-Route order; a re-INVITE moves the remote target; our BYE follows both', async () => {
    const w = world();
    const send = throughProxies(w);
    await w.settle();
    const call = w.inbound[0]!;
    call.answer(ANSWER);
    await w.settle();
    const toTag = call.localTag;
    send(`ACK sip:x@203.0.113.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-rr2\r\nFrom: <sip:carol@example.net>;tag=c1\r\nTo: <sip:ivr@203.0.113.1>;tag=${toTag}\r\nCall-ID: rr-1\r\nCSeq: 7 ACK\r\nContent-Length: 0\r\n\r\n`);
    call.events.reinvite = (_req, respond) => respond(200, ANSWER);
    send(`INVITE sip:x@203.0.113.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-rr3\r\nFrom: <sip:carol@example.net>;tag=c1\r\nTo: <sip:ivr@203.0.113.1>;tag=${toTag}\r\nCall-ID: rr-1\r\nCSeq: 8 INVITE\r\nContact: <sip:carol@198.51.100.99:5070>\r\nContent-Type: application/sdp\r\nContent-Length: ${OFFER.body.length}\r\n\r\n${OFFER.body}`);
    await w.settle();
    call.bye();
    await w.settle();
    const bye = w.net.log.find((p) => p.text.startsWith('BYE'))!;
    assert.match(bye.text, /^BYE sip:carol@198.51.100.99:5070 SIP\/2.0\r\n/);
    assert.match(bye.text, /Route: <sip:p1.example.net;lr>\r\nRoute: <sip:p2.example.net;lr>\r\n/);
    assert.equal(bye.to, '198.51.100.7:5060', 'sent along the dialog flow');
  });

  test('a UAC dialog reverses the Record-Route of the 2xx; a strict router goes in the Request-URI', async () => {
    const w = world();
    const peer = w.net.endpoint('198.51.100.8', 5060);
    const out = w.phone.invite({ target: 'sip:x@198.51.100.8', flow: { transport: 'udp', address: '198.51.100.8', port: 5060 }, from: '<sip:a@192.0.2.10>', to: '<sip:x@198.51.100.8>', body: OFFER });
    out.events = { answered: () => undefined };
    await w.settle();
    const inv = w.net.log.at(-1)!.text;
    const ok = inv
      .replace(/^INVITE .*\r\n/, 'SIP/2.0 200 OK\r\n')
      .replace(/(To: .*)\r\n/, '$1;tag=t9\r\nRecord-Route: <sip:loose.example.net;lr>, <sip:strict.example.net>\r\nContact: <sip:x@10.1.1.1>\r\n')
      .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n');
    peer.send(Buffer.from(ok), { transport: 'udp', address: PHONE_ADDR, port: 5062 });
    await w.settle();
    out.bye();
    await w.settle();
    const bye = w.net.log.find((p) => p.text.startsWith('BYE'))!.text;
    // Reversed, the strict router (no lr) comes first: it becomes the Request-URI, the remote target the last Route.
    assert.match(bye, /^BYE sip:strict.example.net SIP\/2.0\r\n/);
    assert.match(bye, /Route: <sip:loose.example.net;lr>\r\nRoute: <sip:x@10.1.1.1>\r\n/);
  });
});

describe('answers RFC 4475 §3.3 expects from a UAS', () => {
  const cases: Array<[string, Buffer, number, RegExp?]> = [
    ['unkscm: unknown Request-URI scheme', t.unkscm, 416],
    ['novelsc: new scheme', t.novelsc, 416],
    ['bext01: unsupported Require', t.bext01, 420, /Unsupported: nothingSupportsThis, nothingSupportsThisEither/],
    ['invut: unknown body type', t.invut, 415, /Accept: application\/sdp/],
    ['intmeth: unknown method', t.intmeth, 501, /Allow: INVITE/],
    ['insuf: missing headers, answered stateless', t.insuf, 400, /Warning: 399/],
    ['multi01: repeated single-value headers', t.multi01, 400],
    ['mcl01: two Content-Lengths', t.mcl01, 400],
    ['badvers: SIP/7.0', t.invalid.badvers!, 505],
    ['zeromf: OPTIONS with Max-Forwards 0 is answered', t.zeromf, 200, /Allow: /],
    ['badbranch: a bare magic cookie is a branch like any other', t.badbranch, 200],
    ['semiuri: OPTIONS', t.semiuri, 200],
  ];
  for (const [name, bytes, status, header] of cases) {
    test(name, async () => {
      const w = world();
      const peer = w.raw();
      peer.send(bytes);
      await w.settle();
      assert.equal(peer.text.length, 1);
      assert.equal(Number(peer.text[0]!.split(' ')[1]), status);
      if (header) assert.match(peer.text[0]!, header);
    });
  }

  test('an invalid response (bigcode) is dropped without an answer', async () => {
    const w = world();
    const peer = w.raw();
    peer.send(t.invalid.bigcode!);
    await w.settle();
    assert.equal(peer.text.length, 0);
  });
});
