// The send queue on ticks: back to back, late arrivals, clear, mix, keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDtmf } from '../../../../src/media/dtmf.ts';
import { OutQueue, TAKE_AUDIO, TAKE_DIGIT, TAKE_IDLE } from '../../../../src/telephony/sip/rtp/rtp-out-queue.ts';

const F = 160;
const run = (frames: number, value: number) => new Int16Array(frames * F).fill(value);
/** [take, first sample] for ticks from..to. */
function takeAll(q: OutQueue, from: number, to: number): [number, number][] {
  const out = new Int16Array(F);
  const got: [number, number][] = [];
  for (let t = from; t < to; t++) got.push([q.take(t, out), out[0]!]);
  return got;
}

test('runs play back to back from the tick asked for; idle ticks are silent', () => {
  const q = new OutQueue();
  assert.equal(q.send(2, run(2, 1)), 2);
  assert.equal(q.send(0, run(1, 2)), 4, 'after what is queued');
  assert.equal(q.queuedUntil, 5);
  assert.deepEqual(takeAll(q, 0, 6), [
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
    [TAKE_AUDIO, 1],
    [TAKE_AUDIO, 1],
    [TAKE_AUDIO, 2],
    [TAKE_IDLE, 0],
  ]);
});

test('a run asked for a tick already played starts at the next one, whole', () => {
  const q = new OutQueue();
  takeAll(q, 0, 5);
  assert.equal(q.send(2, run(2, 7)), 5);
  assert.deepEqual(takeAll(q, 5, 8).map(([, v]) => v), [7, 7, 0]);
});

test('ticks skipped (a session not ticking yet) leave the queue as taking them would have', () => {
  for (const before of [(q: OutQueue) => q.send(1, run(3, 4)), (q: OutQueue) => q.send(6, run(2, 5)), () => {}]) {
    const took = new OutQueue();
    const skipped = new OutQueue();
    before(took);
    before(skipped);
    takeAll(took, 0, 5);
    skipped.skipTo(5);
    skipped.skipTo(3); // never back
    const after = (q: OutQueue) => [(q.clear(5), q.queuedUntil), q.send(2, run(2, 7)), q.queuedUntil, (q.clear(7), q.queuedUntil), q.send(0, run(1, 8)), (q.mix(4, run(2, 9)), q.queuedUntil)];
    assert.deepEqual(after(skipped), after(took));
    assert.deepEqual(takeAll(skipped, 5, 10), takeAll(took, 5, 10));
  }
});

test('a short last frame is padded with silence', () => {
  const q = new OutQueue();
  q.send(0, new Int16Array(F + 10).fill(3));
  const out = new Int16Array(F);
  q.take(0, out);
  q.take(1, out);
  assert.deepEqual([out[0], out[9], out[10], out[159]], [3, 3, 0, 0]);
});

test('clear drops what has not played; mixed audio plays on over the silence', () => {
  const q = new OutQueue();
  q.send(0, run(10, 1));
  q.mix(0, run(4, 10));
  takeAll(q, 0, 2);
  q.clear(0);
  assert.equal(q.queuedUntil, 2);
  assert.deepEqual(takeAll(q, 2, 5).map(([, v]) => v), [10, 10, 0]);
  assert.equal(q.send(0, run(1, 5)), 5, 'the queue starts again from the next tick');
});

test('clear drops every run not yet started, the first one queued too', () => {
  const q = new OutQueue();
  q.send(3, run(2, 1));
  q.send(0, run(1, 2));
  q.clear(1);
  assert.equal(q.queuedUntil, 0);
  assert.equal(q.send(0, run(1, 3)), 0, 'nothing queued before it any more');
  assert.deepEqual(takeAll(q, 0, 7), [
    [TAKE_AUDIO, 3],
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
    [TAKE_IDLE, 0],
  ]);
});

test('mixing adds sample by sample, saturating', () => {
  const q = new OutQueue();
  q.send(0, run(2, 30000));
  q.mix(1, run(1, 10000));
  q.mix(1, run(1, -5));
  assert.deepEqual(takeAll(q, 0, 2).map(([, v]) => v), [30000, 32767]);
});

test('keys come out as events when telephone-event was agreed, as tones otherwise', () => {
  const q = new OutQueue();
  q.sendDigit(0, '5', 5);
  const out = new Int16Array(F);
  const seen: string[] = [];
  for (let t = 0; t < 5; t++) {
    assert.equal(q.take(t, out), TAKE_DIGIT);
    seen.push(`${q.digit}${q.digitIndex}/${q.digitFrames}`);
  }
  assert.deepEqual(seen, ['50/5', '51/5', '52/5', '53/5', '54/5']);

  const tones = new OutQueue();
  tones.inbandDigits = true;
  tones.sendDigit(0, '#', 5);
  const audio = new Int16Array(7 * F);
  for (let t = 0; t < 7; t++) {
    assert.equal(tones.take(t, out), t < 5 ? TAKE_AUDIO : TAKE_IDLE);
    audio.set(out, t * F);
  }
  assert.deepEqual(detectDtmf(audio), ['#']);
});

test('a clear lets a key being sent finish', () => {
  const q = new OutQueue();
  q.sendDigit(0, '1', 4);
  q.send(0, run(3, 9));
  const out = new Int16Array(F);
  q.take(0, out);
  q.clear(0);
  assert.equal(q.queuedUntil, 4);
  assert.deepEqual([1, 2, 3].map((t) => q.take(t, out)), [TAKE_DIGIT, TAKE_DIGIT, TAKE_DIGIT]);
  assert.equal(q.take(4, out), TAKE_IDLE);
});
