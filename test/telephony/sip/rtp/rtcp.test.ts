// RTCP reports built and read back; reception statistics per RFC 3550 appendix A.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, ntpMiddle, ntpOf, parseRtcp, ReceptionStats } from '../../../../src/telephony/sip/rtp/rtcp.ts';

test('loss, extended sequence across the wrap, and jitter', () => {
  const s = new ReceptionStats();
  let arrival = 0;
  for (let i = 0; i < 10; i++) {
    const seq = (0xfffa + i) & 0xffff;
    if (i === 3 || i === 4) continue; // two lost
    // Each packet 20 ms apart on the sender's clock; arrivals alternate 0 and 8 (1 ms) of delay.
    arrival = i * 160 + (i % 2) * 8;
    s.update(seq, i * 160, arrival);
  }
  assert.equal(s.expected, 10);
  assert.equal(s.received, 8);
  assert.equal(s.lost, 2);
  assert.equal(s.extendedMax, 0x10000 + 3);
  assert.ok(s.jitter > 1 && s.jitter < 8, `jitter ${s.jitter}`);
  const b = s.block(42, 0, 0);
  assert.equal(b.fractionLost, Math.floor((2 * 256) / 10));
  assert.equal(b.cumulativeLost, 2);
  assert.equal(s.block(42, 0, 0).fractionLost, 0, 'nothing new lost since the last report');
});

test('a sender report with a block and CNAME reads back', () => {
  const wallMs = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
  const block = { ssrc: 7, fractionLost: 12, cumulativeLost: -3, extendedHighestSeq: 70000, jitter: 40, lsr: 0x12345678, dlsr: 65536 };
  const packet = buildReport(99, 'leg@switchboard', { ssrc: 99, wallMs, rtpTimestamp: 1234, packets: 500, octets: 80000 }, block);
  assert.equal(packet.length % 4, 0);
  const info = parseRtcp(packet);
  assert.ok(info);
  assert.equal(info.ssrc, 99);
  assert.equal(info.srNtpMiddle, ntpMiddle(ntpOf(wallMs)));
  assert.deepEqual(info.blocks, [block]);
  assert.equal(info.bye, false);
});

test('a receiver report with BYE; non-RTCP is refused', () => {
  const info = parseRtcp(buildReport(5, 'x', null, null, true));
  assert.deepEqual(info, { ssrc: 5, srNtpMiddle: null, blocks: [], bye: true });
  assert.equal(parseRtcp(new Uint8Array([0x80, 0, 0, 40])), null, 'RTP header');
  assert.equal(parseRtcp(new Uint8Array([0x80, 201, 0, 9, 0, 0, 0, 1])), null, 'length past the end');
});

test('NTP time: 1970 is 2208988800 s after 1900; half a second is half the fraction', () => {
  assert.deepEqual(ntpOf(500), [2208988800, 0x80000000]);
});
