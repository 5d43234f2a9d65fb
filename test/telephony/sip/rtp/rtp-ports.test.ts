// SWITCHBOARD_RTP_PORTS and the even/odd pairs handed out from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortRange, PortPool } from '../../../../src/telephony/sip/rtp/rtp-ports.ts';

test('a range parses; bad ones say what to write', () => {
  assert.deepEqual(parsePortRange('10000-20000'), { min: 10000, max: 20000 });
  assert.deepEqual(parsePortRange(' 10001 - 10003 '), { min: 10001, max: 10003 });
  for (const bad of ['10000', '20000-10000', '80-90', '10000-70000', 'a-b']) assert.throws(() => parsePortRange(bad), /SWITCHBOARD_RTP_PORTS must be a range .* such as 10000-20000/, bad);
  assert.throws(() => parsePortRange('10001-10001'), /no even\/odd port pair/);
});

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
