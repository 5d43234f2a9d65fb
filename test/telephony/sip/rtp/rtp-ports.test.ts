// The even/odd port pairs handed out from SWITCHBOARD_RTP_PORTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortPool } from '../../../../src/telephony/sip/rtp/rtp-ports.ts';

test('pairs start on even ports, go round-robin and come back when freed', () => {
  const pool = new PortPool({ min: 10001, max: 10008 });
  assert.equal(pool.capacity, 3);
  assert.deepEqual([pool.take(), pool.take(), pool.take()], [10002, 10004, 10006]);
  assert.equal(pool.take(), null);
  pool.release(10004);
  pool.release(10004);
  assert.equal(pool.free, 1);
  assert.equal(pool.take(), 10004);
  pool.release(10002);
  pool.release(10006);
  assert.equal(pool.take(), 10006, 'round-robin: the search goes on after the last pair taken');
});
