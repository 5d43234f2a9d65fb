// Two sessions wired back to back in memory, ticked by hand: audio, keys
// both ways, hold, latching, RTCP — every packet real, no sockets, no time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dtmfTone } from '../../../../src/media/dtmf.ts';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../../../src/media/g711.ts';
import { concat } from '../../../../src/media/pcm.ts';
import type { NegotiatedMedia } from '../../../../src/telephony/sip/sip-sdp.ts';
import type { Address } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';
import { RtpSession, type KeySource } from '../../../../src/telephony/sip/rtp/rtp-session.ts';

const F = 160;
/** Deterministic "random" values (SSRC, first sequence number, timestamp origin, RTCP timing): no test depends on chance. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}
const A = { address: '10.0.0.1', port: 10000 };
const B = { address: '10.0.0.2', port: 20000 };

interface End {
  session: RtpSession;
  heard: Int16Array[];
  keys: [string, KeySource][];
  notes: string[];
  sent: number;
}

/** Two sessions; what one transmits reaches the other at once, from `from` (the address the network shows). */
function pair(opts: { inbandDtmf?: boolean; fromA?: Address; drop?: (packet: Uint8Array, fromA: boolean) => boolean } = {}) {
  let tick = 0;
  const ends: End[] = [];
  const make = (self: Address, other: () => End, shownAs: Address): End => {
    const end: End = { heard: [], keys: [], notes: [], sent: 0, session: undefined! };
    end.session = new RtpSession(
      {
        transmit(packet, to, rtcp) {
          end.sent++;
          if (!rtcp && opts.drop?.(packet, self === A)) return;
          const peer = other();
          if (rtcp) peer.session.receiveRtcp(packet, { address: shownAs.address, port: shownAs.port + 1 }, tick, 1_700_000_000_000 + tick * 20);
          else peer.session.receiveRtp(packet, shownAs, tick, tick * 20);
          void to;
        },
        heard: (frame) => frame && end.heard.push(frame.slice()),
        key: (digit, source) => end.keys.push([digit, source]),
        note: (what, detail) => end.notes.push(`${what} ${detail}`),
      },
      { inbandDtmf: opts.inbandDtmf ?? true, cname: `${self.address}@test`, random: seeded(self.port) },
    );
    return end;
  };
  const a = make(A, () => ends[1]!, opts.fromA ?? A);
  const b = make(B, () => ends[0]!, B);
  ends.push(a, b);
  const run = (ticks: number) => {
    for (let i = 0; i < ticks; i++, tick++) {
      a.session.tick(tick, 1_700_000_000_000 + tick * 20);
      b.session.tick(tick, 1_700_000_000_000 + tick * 20);
    }
  };
  return { a, b, run, now: () => tick };
}

const media = (remote: Address, over: Partial<NegotiatedMedia> = {}): NegotiatedMedia => ({
  remote: { address: remote.address, port: remote.port, rtcpAddress: remote.address, rtcpPort: remote.port + 1 },
  codecs: [{ name: 'PCMU', payloadType: 0 }],
  telephoneEvent: 101,
  direction: 'sendrecv',
  ...over,
});

/** A recognisable signal: a ramp, exactly representable after G.711 round trip. */
function signal(frames: number, encode = mulawEncode, decode = mulawDecode): Int16Array {
  const raw = new Int16Array(frames * F);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i * 37) % 8000) - 4000;
  return decode(encode(raw));
}

/** The received audio with silent frames around it removed. */
function sound(frames: Int16Array[]): Int16Array {
  const loud = (f: Int16Array) => f.some((s) => Math.abs(s) > 8);
  const first = frames.findIndex(loud);
  const last = frames.length - 1 - [...frames].reverse().findIndex(loud);
  return first < 0 ? new Int16Array(0) : concat(frames.slice(first, last + 1));
}

test('audio sent on one side is heard, sample for sample, on the other (PCMU and PCMA)', () => {
  for (const [name, pt, enc, dec] of [
    ['PCMU', 0, mulawEncode, mulawDecode],
    ['PCMA', 8, alawEncode, alawDecode],
  ] as const) {
    const { a, b, run } = pair();
    a.session.configure(media(B, { codecs: [{ name, payloadType: pt }] }), 0);
    b.session.configure(media(A, { codecs: [{ name, payloadType: pt }] }), 0);
    const s = signal(50, enc, dec);
    a.session.queue.send(5, s);
    run(70);
    assert.deepEqual(sound(b.heard), s, name);
    assert.equal(b.session.snapshot().packetsLost, 0);
    assert.equal(b.session.snapshot().concealed, 0);
  }
});

test('a run queued with its G.711 bytes sends the very packets its samples would (PCMU and PCMA, a mix over it, a short last frame)', () => {
  for (const [name, pt] of [
    ['PCMU', 0],
    ['PCMA', 8],
  ] as const) {
    const sent: number[][][] = [];
    for (const encoded of [false, true]) {
      const packets: number[][] = [];
      const drop = (packet: Uint8Array, fromA: boolean) => {
        if (fromA) packets.push([...packet.subarray(12)]);
        return false;
      };
      const { a, b, run } = pair({ drop });
      a.session.configure(media(B, { codecs: [{ name, payloadType: pt }] }), 0);
      b.session.configure(media(A, { codecs: [{ name, payloadType: pt }] }), 0);
      const s = Int16Array.from({ length: 20 * F - 40 }, (_, i) => Math.round(9000 * Math.sin(i / 5)));
      a.session.queue.send(3, s, encoded ? { PCMU: mulawEncode(s), PCMA: alawEncode(s) } : null);
      a.session.queue.mix(8, new Int16Array(2 * F).fill(1234));
      run(30);
      sent.push(packets);
    }
    assert.equal(sent[0]!.length, 30);
    assert.deepEqual(sent[1], sent[0], name);
  }
});

test('silence flows while nothing is queued (one packet a tick)', () => {
  const { a, b, run } = pair();
  a.session.configure(media(B), 0);
  b.session.configure(media(A), 0);
  run(100);
  assert.equal(a.session.snapshot().packetsSent, 100);
  assert.equal(b.session.snapshot().packetsReceived, 100);
  assert.ok(b.heard.length >= 95);
  assert.ok(b.heard.every((f) => f.every((x) => x === 0)), 'digital silence');
});

test('a key goes out as an RFC 4733 event and is reported once, end repeats and all', () => {
  const { a, b, run } = pair();
  a.session.configure(media(B), 0);
  b.session.configure(media(A), 0);
  a.session.queue.sendDigit(3, '7', 5);
  a.session.queue.sendDigit(8, '7', 5);
  run(30);
  assert.deepEqual(b.keys, [
    ['7', 'rfc4733'],
    ['7', 'rfc4733'],
  ]);
  // 30 ticks: 20 audio packets, 2 × (4 + 3 end) event packets.
  assert.equal(a.session.snapshot().packetsSent, 20 + 14);
});

test('without telephone-event keys travel as tones and are detected in band', () => {
  const { a, b, run } = pair();
  a.session.configure(media(B, { telephoneEvent: null }), 0);
  b.session.configure(media(A, { telephoneEvent: null }), 0);
  a.session.queue.sendDigit(3, '#', 5);
  a.session.queue.send(0, new Int16Array(5 * F));
  a.session.queue.sendDigit(0, '2', 5);
  run(40);
  assert.deepEqual(b.keys, [
    ['#', 'inband'],
    ['2', 'inband'],
  ]);
});

test('with telephone-event agreed, tones in the audio are not counted as keys as well', () => {
  const { a, b, run } = pair();
  a.session.configure(media(B), 0);
  b.session.configure(media(A), 0);
  a.session.queue.sendDigit(2, '1', 5);
  run(10);
  a.session.queue.send(0, concat([dtmfTone('1', 100), new Int16Array(800)])); // a phone sending both
  run(30);
  assert.deepEqual(b.keys, [['1', 'rfc4733']]);
});

test('on hold (the far end sent sendonly, we answered recvonly) we send nothing and still hear', () => {
  const { a, b, run } = pair();
  a.session.configure(media(B, { direction: 'recvonly' }), 0);
  b.session.configure(media(A, { direction: 'sendonly' }), 0);
  b.session.queue.send(0, signal(10));
  run(20);
  assert.equal(a.session.snapshot().packetsSent, 0);
  assert.deepEqual(sound(a.heard), signal(10));
  // Unhold: both ways again, the first packet after it marked.
  a.session.configure(media(B), 20);
  run(5);
  assert.equal(a.session.snapshot().packetsSent, 5);
});

test('a leg that only sends plays out nothing of what reaches it (still counted); the first packet after a hold is marked', () => {
  const marks: boolean[] = [];
  const { a, b, run } = pair({
    drop: (packet, fromA) => {
      if (fromA) marks.push((packet[1]! & 0x80) !== 0);
      return false;
    },
  });
  a.session.configure(media(B, { direction: 'sendonly' }), 0);
  b.session.configure(media(A), 0);
  b.session.queue.send(0, signal(10));
  run(20);
  assert.deepEqual(a.heard, []);
  assert.ok(a.session.snapshot().packetsReceived >= 19);
  assert.deepEqual(marks.slice(0, 3), [true, false, false]);
  a.session.configure(media(B, { direction: 'inactive' }), 20);
  run(5);
  marks.length = 0;
  a.session.configure(media(B), 25);
  run(3);
  assert.deepEqual(marks, [true, false, false]);
});

test('c=0.0.0.0 (no remote) sends nothing', () => {
  const { a, run } = pair();
  a.session.configure(media(B, { remote: null }), 0);
  run(10);
  assert.equal(a.session.snapshot().packetsSent, 0);
});

test('the far end is reached where its packets come from, not where its SDP said (NAT)', () => {
  const natted = { address: '203.0.113.50', port: 40123 };
  const { a, b, run } = pair({ fromA: natted });
  a.session.configure(media(B), 0);
  b.session.configure(media({ address: '192.168.1.20', port: 10000 }), 0);
  run(3);
  assert.deepEqual(b.notes, ['latched 203.0.113.50:40123']);
});

test('lost packets are concealed and counted; RTCP reports carry loss and a round trip', () => {
  // Every tenth packet from A is lost (by its sequence number).
  const { a, b, run } = pair({ drop: (packet, fromA) => fromA && ((packet[2]! << 8) | packet[3]!) % 10 === 5 });
  a.session.configure(media(B), 0);
  b.session.configure(media(A), 0);
  run(1000);
  const sb = b.session.snapshot();
  // About 100 of 1,000 (a loss first or last is not seen as one; the sequence wraps at 65,536, not a multiple of 10).
  assert.ok(sb.packetsLost >= 98 && sb.packetsLost <= 101, `lost ${sb.packetsLost}`);
  // Each loss played as a frame of silence, but for one still in the buffer when the test stops.
  assert.ok(sb.packetsLost - sb.concealed <= 1 && sb.concealed <= sb.packetsLost, `concealed ${sb.concealed} of ${sb.packetsLost}`);
  const sa = a.session.snapshot();
  assert.ok(sa.remoteLost !== null && sa.remoteLost > 0, 'A learnt its loss from B’s reports');
  assert.ok(sa.roundTripMs !== null && sa.roundTripMs >= 0 && sa.roundTripMs < 1, `rtt ${sa.roundTripMs}`);
});
