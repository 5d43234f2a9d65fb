// OutQueue.take without copying: a frame that is one queued run's stays in
// the run (frameSamples/frameAt/frameLength point into it); anything else —
// a mix over it, silence, a key's tone — is written to `out` as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutQueue, TAKE_AUDIO, TAKE_IDLE } from '../../../../src/telephony/sip/rtp/rtp-out-queue.ts';

const F = 160;

test('a queued run is read in place; its short last frame says how long it is', () => {
  const q = new OutQueue();
  const run = Int16Array.from({ length: 2 * F + 40 }, (_, i) => i);
  q.send(0, run);
  const out = new Int16Array(F);
  const seen: [number, boolean, number, number][] = [];
  for (let t = 0; t < 4; t++) {
    const take = q.take(t, out, false);
    seen.push([take, q.frameSamples === run, q.frameAt, q.frameLength]);
  }
  assert.deepEqual(seen, [
    [TAKE_AUDIO, true, 0, F],
    [TAKE_AUDIO, true, F, F],
    [TAKE_AUDIO, true, 2 * F, 40],
    [TAKE_IDLE, false, 0, F],
  ]);
});

test('a mix over the run, and a key played as a tone, come out in `out`', () => {
  const q = new OutQueue();
  q.send(0, new Int16Array(3 * F).fill(100));
  q.mix(1, new Int16Array(F).fill(5));
  const out = new Int16Array(F);
  assert.equal(q.take(0, out, false), TAKE_AUDIO);
  assert.equal(q.frameSamples[q.frameAt], 100);
  assert.equal(q.take(1, out, false), TAKE_AUDIO);
  assert.equal(q.frameSamples, out);
  assert.equal(out[0], 105);
  assert.equal(q.take(2, out, false), TAKE_AUDIO);
  assert.notEqual(q.frameSamples, out, 'the mix has ended: back to reading in place');
  q.inbandDigits = true;
  q.sendDigit(3, '5', 2);
  assert.equal(q.take(3, out, false), TAKE_AUDIO);
  assert.equal(q.frameLength, F);
  assert.ok(q.frameSamples.subarray(q.frameAt, q.frameAt + F).some((s) => s !== 0), 'the tone');
});
