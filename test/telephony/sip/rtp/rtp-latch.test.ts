// Symmetric RTP: follow the first source, resist hijacking, follow a real move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Latch, LATCH_ACCEPT, LATCH_MOVED, LATCH_REJECT, PROBATION, QUIET_TICKS } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';

const sdp = { address: '198.51.100.7', port: 4000 };

test('the first packet decides where we send (a phone behind NAT)', () => {
  const l = new Latch(sdp);
  assert.equal(l.check('203.0.113.9', 61000, 1, 10, 0), LATCH_MOVED);
  assert.deepEqual(l.target, { address: '203.0.113.9', port: 61000 });
  assert.equal(l.check('203.0.113.9', 61000, 1, 11, 1), LATCH_ACCEPT);
});

test('a packet from the SDP address latches without moving', () => {
  const l = new Latch(sdp);
  assert.equal(l.check(sdp.address, sdp.port, 1, 10, 0), LATCH_ACCEPT);
});

test('another source repeating our SSRC is never followed', () => {
  const l = new Latch(sdp);
  l.check(sdp.address, sdp.port, 1, 10, 0);
  for (let i = 0; i < 50; i++) assert.equal(l.check('192.0.2.66', 5000, 1, 11 + i, 100 + i), LATCH_REJECT);
  assert.deepEqual(l.target, sdp);
});

test('a new SSRC elsewhere is followed only in sequence and once the old source is quiet', () => {
  const l = new Latch(sdp);
  l.check(sdp.address, sdp.port, 1, 10, 0);
  // While the current source keeps talking, a sprayer gets nowhere.
  for (let i = 0; i < 20; i++) {
    l.check(sdp.address, sdp.port, 1, 11 + i, i);
    assert.equal(l.check('192.0.2.66', 5000, 2, 500 + i, i), LATCH_REJECT);
  }
  // Out of sequence packets never pass probation.
  for (let i = 0; i < 20; i++) assert.equal(l.check('192.0.2.66', 5000, 2, 900 + 2 * i, 40 + i), LATCH_REJECT);
  // The far end moved: the old source stopped, the new one sends in sequence.
  const start = 20 + QUIET_TICKS;
  for (let i = 0; i < PROBATION - 1; i++) assert.equal(l.check('198.51.100.8', 4002, 3, 100 + i, start + i), LATCH_REJECT);
  assert.equal(l.check('198.51.100.8', 4002, 3, 100 + PROBATION - 1, start + PROBATION), LATCH_MOVED);
  assert.deepEqual(l.target, { address: '198.51.100.8', port: 4002 });
  assert.equal(l.ssrc, 3);
});

test('a re-INVITE retargets and learns again', () => {
  const l = new Latch(sdp);
  l.check(sdp.address, sdp.port, 1, 10, 0);
  l.retarget({ address: '192.0.2.1', port: 7000 });
  assert.deepEqual(l.target, { address: '192.0.2.1', port: 7000 });
  assert.equal(l.check('192.0.2.2', 7002, 1, 11, 1), LATCH_MOVED);
});
