// The four transaction state machines on the virtual clock: when each
// timer fires, what is retransmitted, what is absorbed, when each ends.
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { TransactionLayer, stampVia } from '../../../src/telephony/sip/transaction/transaction-layer.ts';
import type { ServerTransaction, InviteServerTransaction } from '../../../src/telephony/sip/transaction/server-transactions.ts';
import { responseTo, type SipRequest, type SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import { parseMessage } from '../../../src/telephony/sip/message/sip-parser.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { invite, parse, PHONE, reply, request } from './helpers.ts';

const TCP: Flow = { transport: 'tcp', address: '192.0.2.10', port: 40000, connection: 7 };
const GATEWAY: Flow = { transport: 'udp', address: '198.51.100.5', port: 5060 };

function harness() {
  const clock = new VirtualClock(0);
  const sent: Array<{ at: number; text: string; to: Flow }> = [];
  const layer = new TransactionLayer({ clock, send: (b, to) => sent.push({ at: clock.now(), text: b.toString(), to }), connected: () => true });
  const seen = { requests: [] as Array<{ req: SipRequest; tx: ServerTransaction }>, acks: [] as SipRequest[], stray: [] as SipResponse[] };
  layer.attach({
    request: (req, _flow, tx) => seen.requests.push({ req, tx }),
    ack: (req) => seen.acks.push(req),
    strayResponse: (res) => seen.stray.push(res),
  });
  const user = () => {
    const got = { responses: [] as number[], failed: [] as string[] };
    return { got, response: (r: SipResponse) => got.responses.push(r.status), failed: (why: 'timeout' | 'transport') => got.failed.push(why) };
  };
  const startLines = () => sent.map((s) => `${s.at} ${s.text.split('\r\n')[0]}`);
  /** When a final (not 100 Trying) went out. */
  const finalsAt = () => sent.filter((s) => !s.text.startsWith('SIP/2.0 100')).map((s) => s.at);
  return { clock, sent, layer, seen, user, startLines, finalsAt };
}

/** An outgoing request as the UA core would build it (our Via, our branch). */
const ours = (method: string, branch: string, transport = 'UDP') =>
  parse<SipRequest>(
    [`${method} sip:+15550100@198.51.100.5 SIP/2.0`, `Via: SIP/2.0/${transport} 203.0.113.1:5060;branch=${branch};rport`, 'Max-Forwards: 70', 'From: <sip:+15550199@203.0.113.1>;tag=s1', 'To: <sip:+15550100@198.51.100.5>', 'Call-ID: out-1', `CSeq: 1 ${method}`, 'Content-Length: 0', '', ''].join('\n'),
  );

describe('INVITE client transaction', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => (h = harness()));

  test('Timer A doubles from T1 while nothing answers; Timer B gives up at 64*T1', async () => {
    const u = h.user();
    h.layer.request(ours('INVITE', 'z9hG4bK-c1'), GATEWAY, u);
    await h.clock.advance(40_000);
    assert.deepEqual(h.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.deepEqual(u.got.failed, ['timeout']);
    assert.equal(h.layer.size.clients, 0);
  });

  test('a provisional stops retransmission and Timer B; a 486 is ACKed in the transaction with the same branch, and again for each retransmission', async () => {
    const u = h.user();
    const inv = ours('INVITE', 'z9hG4bK-c2');
    h.layer.request(inv, GATEWAY, u);
    await h.clock.advance(100);
    h.layer.receiveResponse(reply(inv, 180, { toTag: 'g1' }), GATEWAY);
    await h.clock.advance(60_000);
    assert.equal(h.sent.length, 1, 'no retransmission after 180');
    assert.deepEqual(u.got.failed, [], 'no Timer B after a provisional');
    h.layer.receiveResponse(reply(inv, 486, { toTag: 'g1' }), GATEWAY);
    h.layer.receiveResponse(reply(inv, 486, { toTag: 'g1' }), GATEWAY);
    assert.deepEqual(u.got.responses, [180, 486], 'the retransmitted 486 is absorbed');
    const acks = h.sent.slice(1).map((s) => parse<SipRequest>(s.text));
    assert.equal(acks.length, 2);
    for (const ack of acks) {
      assert.equal(ack.method, 'ACK');
      assert.equal(ack.topVia().params.get('branch'), 'z9hG4bK-c2');
      assert.equal(ack.toTag(), 'g1');
      assert.deepEqual(ack.cseq(), { seq: 1, method: 'ACK' });
    }
    await h.clock.advance(31_999);
    assert.equal(h.layer.size.clients, 1, 'Timer D keeps it 32 s on UDP');
    await h.clock.advance(1);
    assert.equal(h.layer.size.clients, 0);
  });

  test('over TCP: no retransmissions and Timer D is zero', async () => {
    const u = h.user();
    const inv = ours('INVITE', 'z9hG4bK-c3', 'TCP');
    h.layer.request(inv, TCP, u);
    await h.clock.advance(10_000);
    assert.equal(h.sent.length, 1);
    h.layer.receiveResponse(reply(inv, 503, { toTag: 'g' }), TCP);
    assert.equal(h.layer.size.clients, 0);
    assert.deepEqual(u.got.responses, [503]);
  });

  test('2xx: Accepted passes 2xx retransmissions up for the TU to re-ACK, then Timer M ends it; later ones are strays', async () => {
    const u = h.user();
    const inv = ours('INVITE', 'z9hG4bK-c4');
    h.layer.request(inv, GATEWAY, u);
    h.layer.receiveResponse(reply(inv, 200, { toTag: 'g' }), GATEWAY);
    h.layer.receiveResponse(reply(inv, 200, { toTag: 'g' }), GATEWAY);
    assert.deepEqual(u.got.responses, [200, 200]);
    assert.equal(h.sent.length, 1, 'the transaction does not ACK a 2xx');
    await h.clock.advance(32_000);
    h.layer.receiveResponse(reply(inv, 200, { toTag: 'g' }), GATEWAY);
    assert.equal(h.seen.stray.length, 1);
  });
});

describe('non-INVITE client transaction', () => {
  test('Timer E doubles up to T2, Timer F gives up at 64*T1', async () => {
    const h = harness();
    const u = h.user();
    h.layer.request(ours('OPTIONS', 'z9hG4bK-n1'), GATEWAY, u);
    await h.clock.advance(40_000);
    assert.deepEqual(h.sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.deepEqual(u.got.failed, ['timeout']);
  });

  test('after a provisional Timer E runs at T2; a final response ends retransmission and Timer K (T4) ends the transaction', async () => {
    const h = harness();
    const u = h.user();
    const bye = ours('BYE', 'z9hG4bK-n2');
    h.layer.request(bye, GATEWAY, u);
    h.layer.receiveResponse(reply(bye, 100), GATEWAY);
    await h.clock.advance(9_000);
    assert.deepEqual(h.sent.map((s) => s.at), [0, 500, 4500, 8500]);
    h.layer.receiveResponse(reply(bye, 200), GATEWAY);
    h.layer.receiveResponse(reply(bye, 200), GATEWAY);
    assert.deepEqual(u.got.responses, [100, 200]);
    await h.clock.advance(4_999);
    assert.equal(h.layer.size.clients, 1);
    await h.clock.advance(1);
    assert.equal(h.layer.size.clients, 0);
  });

  test('a transport error fails the transaction at once', () => {
    const h = harness();
    const u = h.user();
    h.layer.request(ours('REGISTER', 'z9hG4bK-n3'), GATEWAY, u);
    h.layer.transportError(GATEWAY);
    assert.deepEqual(u.got.failed, ['transport']);
    assert.equal(h.layer.size.clients, 0);
  });
});

/** An INVITE received and answered with `status`, counting the transaction's no-ACK reports. */
function answered(status: number) {
  const h = harness();
  h.layer.receiveRequest(invite(), PHONE);
  const { tx, req } = h.seen.requests[0]!;
  let noAck = 0;
  tx.events.noAck = () => noAck++;
  tx.respond(responseTo(req, status, 'b1'));
  return { h, tx, noAcks: () => noAck };
}

describe('INVITE server transaction', () => {
  test('100 Trying goes out when the TU does not answer at once; a retransmitted INVITE gets the last provisional again', async () => {
    const h = harness();
    h.layer.receiveRequest(invite(), PHONE);
    assert.equal(h.seen.requests.length, 1);
    const { tx, req } = h.seen.requests[0]!;
    tx.respond(responseTo(req, 180, 'b1'));
    h.layer.receiveRequest(invite(), PHONE);
    assert.equal(h.seen.requests.length, 1, 'the retransmission never reaches the TU');
    assert.deepEqual(h.startLines(), ['0 SIP/2.0 100 Trying', '0 SIP/2.0 180 Ringing', '0 SIP/2.0 180 Ringing']);
  });

  test('a non-2xx final is retransmitted (Timer G, capped at T2) until the ACK; the ACK is absorbed; Timer I ends it', async () => {
    const h = harness();
    h.layer.receiveRequest(invite(), PHONE);
    const { tx, req } = h.seen.requests[0]!;
    tx.respond(responseTo(req, 486, 'b1'));
    await h.clock.advance(8_000);
    assert.deepEqual(h.finalsAt(), [0, 500, 1500, 3500, 7500]);
    h.layer.receiveRequest(request('ACK', { branch: 'z9hG4bK-inv-1', toTag: 'b1' }), PHONE);
    assert.equal(h.seen.acks.length, 0, 'the ACK of a non-2xx stays in the transaction');
    await h.clock.advance(10_000);
    assert.equal(h.finalsAt().length, 5, 'no retransmission once confirmed');
    assert.equal(h.layer.size.servers, 0, 'Timer I ended it');
  });

  test('without an ACK, Timer H ends it at 64*T1 and says so', async () => {
    const { h, tx, noAcks } = answered(603);
    await h.clock.advance(32_000);
    assert.equal(noAcks(), 1);
    assert.equal(h.layer.size.servers, 0);
    assert.deepEqual(h.finalsAt(), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  });

  test('a 2xx is retransmitted until the dialog reports its ACK; INVITE retransmissions meanwhile get the 2xx; Timer L ends it', async () => {
    const { h, tx, noAcks } = answered(200);
    await h.clock.advance(1_600);
    h.layer.receiveRequest(invite(), PHONE);
    // The 2xx's ACK has its own branch: it goes to the TU (the dialog), which tells the transaction.
    h.layer.receiveRequest(request('ACK', { branch: 'z9hG4bK-ack-2', toTag: 'b1' }), PHONE);
    assert.equal(h.seen.acks.length, 1);
    (tx as InviteServerTransaction).acked();
    await h.clock.advance(40_000);
    assert.deepEqual(h.finalsAt(), [0, 500, 1500, 1600]);
    assert.equal(noAcks(), 0);
    assert.equal(h.layer.size.servers, 0);
  });

  test('a 2xx never ACKed: Timer L says so', async () => {
    const { h, tx, noAcks } = answered(200);
    await h.clock.advance(32_000);
    assert.equal(noAcks(), 1);
  });

  test('CANCEL finds its INVITE transaction', () => {
    const h = harness();
    h.layer.receiveRequest(invite(), PHONE);
    h.layer.receiveRequest(request('CANCEL', { branch: 'z9hG4bK-inv-1' }), PHONE);
    const cancel = h.seen.requests[1]!;
    assert.equal(h.layer.inviteFor(cancel.req), h.seen.requests[0]!.tx);
    assert.notEqual(cancel.tx, h.seen.requests[0]!.tx);
  });
});

describe('non-INVITE server transaction', () => {
  test('retransmissions: ignored while Trying, answered with the final once Completed; Timer J (64*T1) on UDP', async () => {
    const h = harness();
    const reg = request('REGISTER');
    h.layer.receiveRequest(reg, PHONE);
    h.layer.receiveRequest(request('REGISTER'), PHONE);
    assert.equal(h.sent.length, 0);
    const { tx, req } = h.seen.requests[0]!;
    tx.respond(responseTo(req, 200, 'r'));
    h.layer.receiveRequest(request('REGISTER'), PHONE);
    assert.equal(h.sent.length, 2);
    await h.clock.advance(31_999);
    assert.equal(h.layer.size.servers, 1);
    await h.clock.advance(1);
    assert.equal(h.layer.size.servers, 0);
  });

  test('over TCP it ends as soon as the final is sent', () => {
    const h = harness();
    h.layer.receiveRequest(parse<SipRequest>(request('OPTIONS').toString().replace('SIP/2.0/UDP', 'SIP/2.0/TCP')), TCP);
    const { tx, req } = h.seen.requests[0]!;
    tx.respond(responseTo(req, 200));
    assert.equal(h.layer.size.servers, 0);
  });
});

describe('matching and symmetric responses', () => {
  test('received and rport are stamped from the source, so responses carry where the request really came from', () => {
    const req = invite({ host: '10.0.0.5:5060' });
    stampVia(req, { transport: 'udp', address: '198.51.100.9', port: 31337 });
    const via = req.topVia();
    assert.equal(via.params.get('received'), '198.51.100.9');
    assert.equal(via.params.get('rport'), '31337');
    const res = responseTo(req, 200, 't');
    const r = parseMessage(res.toBuffer());
    assert.ok(r.ok);
    assert.equal(r.message.topVia().params.get('rport'), '31337');
  });

  test('the stamp changes only the Vias: From, To and CSeq parsed when the request was checked are not parsed again', () => {
    const req = invite({ host: '10.0.0.5:5060' });
    const [from, to, cseq] = [req.from(), req.to(), req.cseq()];
    const before = req.vias();
    stampVia(req, { transport: 'udp', address: '198.51.100.9', port: 31337 });
    assert.equal(req.from(), from);
    assert.equal(req.to(), to);
    assert.equal(req.cseq(), cseq);
    assert.notEqual(req.vias(), before);
    assert.equal(req.topVia().params.get('received'), '198.51.100.9');
    // The top Via kept is the one its new text parses to.
    assert.deepEqual(req.vias(), parse<SipRequest>(req.toString()).vias());
    // A later change to any header still drops them.
    req.headers.set('to', '<sip:other@198.51.100.5>;tag=x');
    assert.equal(req.to().params.get('tag'), 'x');
  });

  test('responses go back to the source flow', () => {
    const h = harness();
    const from: Flow = { transport: 'udp', address: '198.51.100.9', port: 31337 };
    h.layer.receiveRequest(request('OPTIONS'), from);
    const { tx, req } = h.seen.requests[0]!;
    tx.respond(responseTo(req, 200));
    assert.deepEqual(h.sent[0]!.to, from);
  });

  test('RFC 2543 peers (no magic cookie) are matched by dialog fields', () => {
    const h = harness();
    const old = (m: string) => parse<SipRequest>(request(m, { branch: 'x' }).toString().replace(';branch=x', ''));
    h.layer.receiveRequest(old('INVITE'), PHONE);
    h.layer.receiveRequest(old('INVITE'), PHONE);
    assert.equal(h.seen.requests.length, 1);
  });
});
