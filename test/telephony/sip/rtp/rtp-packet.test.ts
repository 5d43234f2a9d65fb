// The RTP fixed header read and written in place, with CSRCs, extensions and padding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyHeader, readRtp, seqDelta, tsDelta, writeRtpHeader } from '../../../../src/telephony/sip/rtp/rtp-packet.ts';

test('a written header reads back', () => {
  const p = new Uint8Array(12 + 160);
  writeRtpHeader(p, 8, true, 0xfffe, 0xfffffff0, 0xdeadbeef);
  const h = emptyHeader();
  assert.ok(readRtp(p, h));
  assert.deepEqual(h, { payloadType: 8, marker: true, sequence: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payloadOffset: 12, payloadLength: 160 });
});

test('CSRCs, a header extension and padding are skipped', () => {
  // V=2 P=1 X=1 CC=2, PT 0; 2 CSRCs; extension of 1 word; 4 bytes payload; 3 bytes padding.
  const p = new Uint8Array([0xb2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 1, 1, 2, 2, 2, 2, 0xbe, 0xde, 0, 1, 9, 9, 9, 9, 5, 6, 7, 8, 0, 0, 3]);
  const h = emptyHeader();
  assert.ok(readRtp(p, h));
  assert.equal(h.payloadOffset, 28);
  assert.equal(h.payloadLength, 4);
  assert.deepEqual([...p.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength)], [5, 6, 7, 8]);
});

test('short packets, other versions and RTCP are refused', () => {
  const h = emptyHeader();
  assert.equal(readRtp(new Uint8Array(11), h), false);
  assert.equal(readRtp(new Uint8Array(12).fill(0x40, 0, 1), h), false, 'version 1');
  const rtcp = new Uint8Array(12);
  rtcp[0] = 0x80;
  rtcp[1] = 200; // SR
  assert.equal(readRtp(rtcp, h), false);
  const badPadding = new Uint8Array(13);
  badPadding[0] = 0xa0;
  badPadding[12] = 20;
  assert.equal(readRtp(badPadding, h), false);
});

test('sequence and timestamp distances wrap', () => {
  assert.equal(seqDelta(2, 0xfffe), 4);
  assert.equal(seqDelta(0xfffe, 2), -4);
  assert.equal(tsDelta(10, 0xfffffff0), 26);
  assert.equal(tsDelta(0xfffffff0, 10), -26);
});
