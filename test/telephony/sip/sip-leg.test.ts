// SipLeg's offer/answer on a memory network and the virtual clock, with a
// far end written by hand (a forking proxy, a phone): which answer the
// leg's media is configured with. The media session is the real one with a
// host that records its commands instead of a worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import type { Leg, LegObserver } from '../../../src/telephony/driver.ts';
import type { InboundCall } from '../../../src/telephony/sip/dialog/inbound-call.ts';
import { MediaSession, type RtpMedia, type SessionHost } from '../../../src/telephony/sip/rtp/rtp-media.ts';
import { SipLeg, type SipLegHost } from '../../../src/telephony/sip/sip-leg.ts';
import { SdpSession, type NegotiatedMedia } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { MemoryNetwork } from './wire.ts';

const SB: Flow = { transport: 'udp', address: '203.0.113.1', port: 5060 };
const PEER: Flow = { transport: 'udp', address: '198.51.100.8', port: 5060 };

function world() {
  const clock = new VirtualClock(0);
  const net = new MemoryNetwork();
  const sb = new SipStack({ clock, publicAddress: SB.address });
  sb.attach(net.endpoint(SB.address, SB.port, sb.receive));
  const peer = net.endpoint(PEER.address, PEER.port);
  /** Every `configure` the leg's media session was given, in order. */
  const configured: NegotiatedMedia[] = [];
  const mediaHost: SessionHost = {
    now: () => clock.now(),
    command: (c) => {
      if (c.op === 'configure') configured.push(c.media);
    },
    toMono: (t) => t,
    retire: () => undefined,
  };
  const rtp = { open: async (listener) => new MediaSession(mediaHost, 1, 40_000, 0, listener) } as Pick<RtpMedia, 'open'> as RtpMedia;
  const host: SipLegHost = { clock, publicAddress: SB.address, rtp, invite: (o) => sb.invite(o), retire: () => undefined };
  const seen: string[] = [];
  const observer: LegObserver = {
    ringing: () => seen.push('ringing'),
    earlyMedia: () => seen.push('early media'),
    answered: () => seen.push('answered'),
    ended: (_l: Leg, cause) => seen.push(`ended ${cause}`),
    dtmf: () => undefined,
    audio: () => undefined,
  };
  const settle = () => clock.advance(0);
  const send = (text: string) => peer.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), SB);
  const lastTo = (prefix: string) => net.log.filter((p) => p.to === `${PEER.address}:${PEER.port}` && p.text.startsWith(prefix)).at(-1)?.text;
  const remote = () => configured.map((m) => (m.remote ? `${m.remote.address}:${m.remote.port} ${m.direction}` : `none ${m.direction}`));
  return { clock, sb, host, observer, seen, settle, send, lastTo, remote };
}

const sdp = (address: string, port: number, direction = 'sendrecv') =>
  `v=0\r\no=- ${port} 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=${direction}\r\n`;

/** A response to the request `req` (its text), from the far end with To tag `tag`. */
function respond(req: string, status: string, tag: string, body = ''): string {
  const keep = req.split('\r\n').filter((l) => /^(via|from|call-id|cseq|to):/i.test(l));
  const lines = keep.map((l) => (/^to:/i.test(l) && !/;tag=/.test(l) ? `${l};tag=${tag}` : l));
  return [`SIP/2.0 ${status}`, ...lines, `Contact: <sip:far-${tag}@${PEER.address}>`, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** An in-dialog request from the far end of the dialog our INVITE `inv` made with tag `tag`. */
function inDialog(inv: string, method: string, cseq: number, tag: string, body = ''): string {
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(inv)![1]!;
  return [
    `${method} ${/^Contact: <([^>]+)>/im.exec(inv)?.[1] ?? 'sip:sb@203.0.113.1'} SIP/2.0`,
    `Via: SIP/2.0/UDP ${PEER.address}:${PEER.port};branch=z9hG4bK-${method.toLowerCase()}-${cseq}`,
    `From: ${header('To')};tag=${tag}`,
    `To: ${header('From')}`,
    `Call-ID: ${header('Call-ID')}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:far-${tag}@${PEER.address}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

test('early media from one fork, 200 from another: the 200’s answer is the media; an offerless re-INVITE’s answer in the ACK is applied', async () => {
  const w = world();
  const target = { target: `sip:14155550100@${PEER.address}`, flow: PEER, to: `<sip:14155550100@${PEER.address}>`, from: `<sip:15550001111@${SB.address}>`, via: 'gw' };
  SipLeg.outbound(w.host, 'leg-1', '15550001111', '14155550100', w.observer, Promise.resolve({ attempts: [[target]] }), []);
  await w.settle();
  const inv = w.lastTo('INVITE ')!;
  assert.ok(inv, 'the INVITE left');

  w.send(respond(inv, '183 Session Progress', 'fork1', sdp('198.51.100.20', 4000)));
  await w.settle();
  assert.deepEqual(w.remote(), ['198.51.100.20:4000 sendrecv'], 'early media from the first fork');
  w.send(respond(inv, '200 OK', 'fork2', sdp('198.51.100.30', 5000)));
  await w.settle();
  assert.deepEqual(w.remote(), ['198.51.100.20:4000 sendrecv', '198.51.100.30:5000 sendrecv'], 'the answering fork’s media');
  assert.deepEqual(w.seen, ['ringing', 'early media', 'answered']);
  assert.match(w.lastTo('ACK ')!, /^ACK sip:far-fork2@/, 'the 200 is ACKed in its own dialog');

  // The far end re-INVITEs without an offer: ours goes in the 200, its answer (hold: sendonly) in the ACK.
  w.send(inDialog(inv, 'INVITE', 10, 'fork2'));
  await w.settle();
  const ok = w.lastTo('SIP/2.0 200')!;
  assert.match(ok, /CSeq: 10 INVITE/);
  assert.match(ok, /m=audio 40000 RTP\/AVP 0 8 101/, 'our offer: every codec of ours');
  w.send(inDialog(inv, 'ACK', 10, 'fork2', sdp('198.51.100.40', 6000, 'sendonly')));
  await w.settle();
  assert.equal(w.remote().at(-1), '198.51.100.40:6000 recvonly', 'held by the far end: we only receive');

  // A second offerless re-INVITE, answered sendrecv: unhold.
  w.send(inDialog(inv, 'INVITE', 11, 'fork2'));
  await w.settle();
  w.send(inDialog(inv, 'ACK', 11, 'fork2', sdp('198.51.100.40', 6000)));
  await w.settle();
  assert.equal(w.remote().at(-1), '198.51.100.40:6000 sendrecv');
  assert.deepEqual(w.seen, ['ringing', 'early media', 'answered'], 'the call goes on');
});

test('an offerless re-INVITE on an inbound call: the ACK’s answer is applied; an unusable one leaves the media as it was', async () => {
  const w = world();
  let call: InboundCall | undefined;
  w.sb.handlers.invite = (c) => (call = c);
  const invite = [
    `INVITE sip:ivr@${SB.address} SIP/2.0`,
    `Via: SIP/2.0/UDP ${PEER.address}:${PEER.port};branch=z9hG4bK-in-1`,
    `From: <sip:carol@${PEER.address}>;tag=c1`,
    `To: <sip:ivr@${SB.address}>`,
    'Call-ID: in-1',
    'CSeq: 1 INVITE',
    `Contact: <sip:carol@${PEER.address}>`,
    'Content-Type: application/sdp',
  ];
  const offer = sdp('198.51.100.50', 7000);
  w.send([...invite, `Content-Length: ${offer.length}`, '', offer].join('\r\n'));
  await w.settle();
  const s = new SdpSession({ address: SB.address, port: 40_000 });
  const a = s.answer(offer);
  assert.ok(a.ok);
  const media = await w.host.rtp.open({ audio: () => undefined, dtmf: () => undefined, lost: () => undefined });
  const leg = SipLeg.inbound(w.host, { uuid: 'leg-2', from: 'carol', to: 'ivr', call: call!, media, sdp: s, answer: { sdp: a.sdp, media: a.media } });
  leg.attach(w.observer);
  leg.answer();
  await w.settle();
  const tag = call!.localTag;
  const ours = (method: string, cseq: number, body = '') =>
    [
      `${method} sip:ivr@${SB.address} SIP/2.0`,
      `Via: SIP/2.0/UDP ${PEER.address}:${PEER.port};branch=z9hG4bK-in-${method}-${cseq}`,
      `From: <sip:carol@${PEER.address}>;tag=c1`,
      `To: <sip:ivr@${SB.address}>;tag=${tag}`,
      'Call-ID: in-1',
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:carol@${PEER.address}>`,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n');
  w.send(ours('ACK', 1));
  await w.settle();
  assert.deepEqual(w.remote(), ['198.51.100.50:7000 sendrecv']);

  w.send(ours('INVITE', 2));
  await w.settle();
  assert.match(w.lastTo('SIP/2.0 200')!, /CSeq: 2 INVITE[\s\S]*m=audio 40000 RTP\/AVP 0 8 101/);
  w.send(ours('ACK', 2, sdp('198.51.100.51', 7002, 'inactive')));
  await w.settle();
  assert.equal(w.remote().at(-1), '198.51.100.51:7002 inactive');

  w.send(ours('INVITE', 3));
  await w.settle();
  w.send(ours('ACK', 3, sdp('198.51.100.51', 7002).replace('RTP/AVP 0 101', 'RTP/AVP 18')));
  await w.settle();
  assert.equal(w.remote().length, 2, 'no codec of ours in the answer: the media stays as it was');
  assert.deepEqual(w.seen, ['answered'], 'and the call goes on');
});
