// SDP offer/answer for a leg's audio: codec choice, telephone-event,
// directions and the old c=0.0.0.0 hold, re-offers, declines.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, write } from 'sdp-transform';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';

const ours = () => new SdpSession({ address: '203.0.113.5', port: 10000 });

/** An offer as phones write them; `media` lines replace the default audio stream. */
function offer(opts: { c?: string; session?: string[]; media?: string[] } = {}): string {
  const lines = ['v=0', 'o=alice 2890844526 2890844526 IN IP4 198.51.100.7', 's=-', `c=IN IP4 ${opts.c ?? '198.51.100.7'}`, 't=0 0', ...(opts.session ?? [])];
  const media = opts.media ?? ['m=audio 49170 RTP/AVP 8 0 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20'];
  return [...lines, ...media].join('\r\n') + '\r\n';
}

describe('answering an offer', () => {
  test('takes the offerer’s first codec among ours, keeps its telephone-event type, ptime 20', () => {
    const r = ours().answer(offer());
    assert.ok(r.ok);
    assert.deepEqual(r.media.codecs, [{ name: 'PCMA', payloadType: 8 }]);
    assert.equal(r.media.telephoneEvent, 101);
    assert.equal(r.media.direction, 'sendrecv');
    assert.deepEqual(r.media.remote, { address: '198.51.100.7', port: 49170, rtcpAddress: '198.51.100.7', rtcpPort: 49171 });
    const a = parse(r.sdp);
    assert.equal(a.connection?.ip, '203.0.113.5');
    const m = a.media[0]!;
    assert.equal(m.port, 10000);
    assert.equal(m.payloads, '8 101');
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, 'sendrecv');
    assert.deepEqual(m.fmtp, [{ payload: 101, config: '0-15' }]);
  });

  test('an offer in PCMU first gets PCMU; static types without rtpmap are understood', () => {
    const r = ours().answer(offer({ media: ['m=audio 4000 RTP/AVP 18 0 8'] }));
    assert.ok(r.ok);
    assert.deepEqual(r.media.codecs, [{ name: 'PCMU', payloadType: 0 }]);
    assert.equal(r.media.telephoneEvent, null, 'no telephone-event offered: keys go in band');
    assert.equal(parse(r.sdp).media[0]!.payloads, 0);
  });

  test('a codec on a dynamic payload type is matched by name', () => {
    const r = ours().answer(offer({ media: ['m=audio 4000 RTP/AVP 96 97', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:97 pcmu/8000', 'a=rtpmap:98 telephone-event/48000'] }));
    assert.ok(r.ok);
    assert.deepEqual(r.media.codecs, [{ name: 'PCMU', payloadType: 97 }]);
    assert.equal(r.media.telephoneEvent, null, 'telephone-event at 48 kHz does not pair with G.711');
  });

  test('no common codec is reported, not answered', () => {
    const r = ours().answer(offer({ media: ['m=audio 4000 RTP/AVP 18 9', 'a=rtpmap:18 G729/8000', 'a=rtpmap:9 G722/8000'] }));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'no common codec');
    assert.match(!r.ok ? r.detail : '', /RTP\/AVP 18 9.*PCMU or PCMA/);
    const srtp = ours().answer(offer({ media: ['m=audio 4000 RTP/SAVP 0'] }));
    assert.ok(!srtp.ok && srtp.reason === 'no common codec', 'SRTP-only offers are not taken');
    const video = ours().answer(offer({ media: ['m=video 4000 RTP/AVP 31'] }));
    assert.ok(!video.ok && /no audio stream/.test(video.detail));
  });

  test('other streams are declined with port 0 in their place', () => {
    const r = ours().answer(offer({ media: ['m=video 5000 RTP/AVP 31', 'm=audio 4000 RTP/AVP 0', 'm=audio 4002 RTP/AVP 8'] }));
    assert.ok(r.ok);
    const ms = parse(r.sdp).media;
    assert.deepEqual(
      ms.map((m) => [m.type, m.port]),
      [
        ['video', 0],
        ['audio', 10000],
        ['audio', 0],
      ],
    );
    assert.equal(r.media.remote?.port, 4000);
  });

  test('malformed bodies are reported as such', () => {
    for (const body of ['', 'hello', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n']) {
      const r = ours().answer(body);
      assert.ok(!r.ok && r.reason === 'malformed', JSON.stringify(body));
    }
  });

  test('media-level c= and a=rtcp win over the session level', () => {
    const r = ours().answer(offer({ media: ['m=audio 4000 RTP/AVP 0', 'c=IN IP4 192.0.2.9', 'a=rtcp:4009 IN IP4 192.0.2.10'] }));
    assert.ok(r.ok);
    assert.deepEqual(r.media.remote, { address: '192.0.2.9', port: 4000, rtcpAddress: '192.0.2.10', rtcpPort: 4009 });
  });
});

describe('hold and unhold (re-INVITEs)', () => {
  const audio = (dir: string) => ['m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', `a=${dir}`];

  test('the far end holding (sendonly) is answered recvonly; inactive with inactive; recvonly with sendonly', () => {
    const s = ours();
    const expect: Record<string, string> = { sendonly: 'recvonly', inactive: 'inactive', recvonly: 'sendonly', sendrecv: 'sendrecv' };
    for (const [dir, ans] of Object.entries(expect)) {
      const r = s.answer(offer({ media: audio(dir) }));
      assert.ok(r.ok);
      assert.equal(r.media.direction, ans, dir);
      assert.equal(parse(r.sdp).media[0]!.direction, ans, dir);
    }
  });

  test('a session-level direction applies to the stream', () => {
    const r = ours().answer(offer({ session: ['a=sendonly'], media: ['m=audio 4000 RTP/AVP 0'] }));
    assert.ok(r.ok && r.media.direction === 'recvonly');
  });

  test('the old hold, c=0.0.0.0: nothing is sent to the far end', () => {
    const r = ours().answer(offer({ c: '0.0.0.0', media: ['m=audio 4000 RTP/AVP 0'] }));
    assert.ok(r.ok);
    assert.equal(r.media.remote, null);
    assert.equal(r.media.direction, 'recvonly');
  });

  test('we hold the far end: our sendonly answer and offer', () => {
    const s = ours();
    const r = s.answer(offer(), { direction: 'sendonly' });
    assert.ok(r.ok && r.media.direction === 'sendonly');
    assert.equal(parse(s.offer({ direction: 'inactive' })).media[0]!.direction, 'inactive');
  });

  test('the o= version moves when our description changes, not otherwise', () => {
    const s = ours();
    const version = (sdp: string) => parse(sdp).origin.sessionVersion;
    const first = s.answer(offer());
    assert.ok(first.ok);
    const same = s.answer(offer());
    assert.ok(same.ok);
    assert.equal(version(same.sdp), version(first.sdp));
    assert.equal(parse(same.sdp).origin.sessionId, parse(first.sdp).origin.sessionId);
    const held = s.answer(offer({ media: audio('sendonly') }));
    assert.ok(held.ok);
    assert.equal(version(held.sdp), version(first.sdp) + 1);
  });
});

describe('making an offer', () => {
  test('offers PCMU, PCMA and telephone-event with ptime 20', () => {
    const o = parse(ours().offer());
    const m = o.media[0]!;
    assert.equal(m.payloads, '0 8 101');
    assert.deepEqual(
      m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`),
      ['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000'],
    );
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, 'sendrecv');
    assert.equal(o.origin.address, '203.0.113.5');
  });

  test('an answer picks the codecs; several answered codecs may all arrive', () => {
    const s = ours();
    s.offer();
    const r = s.accept(offer({ media: ['m=audio 6000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000'] }));
    assert.ok(r.ok);
    assert.deepEqual(r.media.codecs, [
      { name: 'PCMA', payloadType: 8 },
      { name: 'PCMU', payloadType: 0 },
    ]);
    assert.equal(r.media.telephoneEvent, 101);
    assert.equal(r.media.remote?.port, 6000);
  });

  test('an answer that rejects audio, or holds us, is understood', () => {
    const s = ours();
    s.offer();
    const rejected = s.accept(offer({ media: ['m=audio 0 RTP/AVP 0'] }));
    assert.ok(!rejected.ok && rejected.reason === 'no common codec');
    s.offer({ direction: 'sendonly' });
    const r = s.accept(offer({ media: ['m=audio 6000 RTP/AVP 0', 'a=recvonly'] }));
    assert.ok(r.ok && r.media.direction === 'sendonly');
  });

  test('an answer with no offer outstanding is refused', () => {
    const r = ours().accept(offer());
    assert.ok(!r.ok && r.reason === 'malformed');
  });

  test('IPv6 addresses go out as IP6', () => {
    const o = parse(new SdpSession({ address: '2001:db8::5', port: 10002 }).offer());
    assert.equal(o.connection?.version, 6);
    assert.equal(o.origin.ipVer, 6);
  });

  test('our descriptions are written in the canonical form (what sdp-transform writes for them)', () => {
    const a = new SdpSession({ address: '2001:db8::5', port: 10002 });
    const b = ours();
    const answered = b.answer(offer({ media: ['m=audio 49170 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000', 'm=video 49172 RTP/AVP 31', 'm=audio 0 RTP/AVP 0'] }));
    assert.ok(answered.ok);
    for (const sdp of [a.offer(), a.offer({ direction: 'inactive' }), answered.sdp, b.offer({ direction: 'sendonly' })]) assert.equal(sdp, write(parse(sdp)));
  });
});
