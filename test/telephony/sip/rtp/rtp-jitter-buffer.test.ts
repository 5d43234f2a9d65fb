// The jitter buffer on fixed packet sequences: order, duplicates, loss,
// lateness, pauses, timestamp wrap, packet sizes other than 20 ms, drift.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer } from '../../../../src/telephony/sip/rtp/rtp-jitter-buffer.ts';

const F = 160;
/** A "codec" whose byte b decodes to the sample b, so a payload of bytes n plays as samples n. */
const IDENTITY = Int16Array.from({ length: 256 }, (_, b) => b);
/** A frame whose every sample is `n` (so the output tells which frame it was). */
const frame = (n: number, samples = F) => new Uint8Array(samples).fill(n);
const put = (jb: JitterBuffer, ts: number, payload: Uint8Array) => jb.put(ts, payload, 0, payload.length, IDENTITY);
/** The value each popped frame carries: its first sample, or null while nothing comes out. */
function popMany(jb: JitterBuffer, count: number): (number | null)[] {
  const out = new Int16Array(F);
  const got: (number | null)[] = [];
  for (let i = 0; i < count; i++) got.push(jb.pop(out) ? out[0]! : null);
  return got;
}

describe('jitter buffer', () => {
  test('starts after its depth and plays frames in timestamp order', () => {
    const jb = new JitterBuffer({ startDepth: 2 });
    put(jb, 1000, frame(1));
    put(jb, 1000 + F, frame(2));
    assert.deepEqual(popMany(jb, 1), [null], 'still filling');
    put(jb, 1000 + 2 * F, frame(3));
    assert.deepEqual(popMany(jb, 3), [1, 2, 3]);
  });

  test('every sample lands in place whatever the payload\'s alignment in its buffer and its size', () => {
    const samples = Uint8Array.from({ length: 6 * F }, (_, i) => (i * 7 + 3) & 0xff);
    for (const offset of [0, 1, 2, 3, 4]) {
      for (const size of [F, 80, 240, 40]) {
        const jb = new JitterBuffer();
        const wire = new Uint8Array(offset + samples.length + 8);
        wire.set(samples, offset);
        for (let at = 0; at < 5 * F; at += size) jb.put(at, wire, offset + at, Math.min(size, 5 * F - at), IDENTITY);
        const out = new Int16Array(F);
        const played: number[] = [];
        for (let tick = 0; tick < 8 && played.length < 5 * F; tick++) if (jb.pop(out)) played.push(...out);
        assert.deepEqual(played, [...samples.subarray(0, 5 * F)], `offset ${offset}, ${size} samples a packet`);
      }
    }
  });

  test('reordered packets, even before the first one, come out in order', () => {
    const jb = new JitterBuffer({ startDepth: 3 });
    for (const n of [2, 1, 4, 3, 0]) put(jb, n * F, frame(n + 1));
    assert.deepEqual(popMany(jb, 7).filter((x) => x !== null), [1, 2, 3, 4, 5]);
    assert.equal(jb.stats.late, 0);
  });

  test('duplicates are dropped and counted', () => {
    const jb = new JitterBuffer({ startDepth: 2 });
    assert.equal(put(jb, 0, frame(1)), 'buffered');
    assert.equal(put(jb, 0, frame(9)), 'duplicate');
    put(jb, F, frame(2));
    assert.deepEqual(popMany(jb, 3), [null, 1, 2]);
    assert.equal(jb.stats.duplicates, 1);
  });

  test('a lost packet is concealed with silence, counted, and the stream goes on', () => {
    const jb = new JitterBuffer({ startDepth: 2 });
    for (const n of [0, 1, 3, 4]) put(jb, n * F, frame(n + 1));
    assert.deepEqual(popMany(jb, 6), [null, 1, 2, 0, 4, 5]);
    assert.equal(jb.stats.concealed, 1);
  });

  test('a packet after its frame played is late; the depth grows by a frame of silence', () => {
    const jb = new JitterBuffer({ startDepth: 2, maxDepth: 4 });
    put(jb, 0, frame(1));
    put(jb, F, frame(2));
    put(jb, 3 * F, frame(4));
    assert.deepEqual(popMany(jb, 4), [null, 1, 2, 0]);
    assert.equal(put(jb, 2 * F, frame(3)), 'late');
    assert.equal(jb.depth, 3);
    put(jb, 4 * F, frame(5));
    assert.deepEqual(popMany(jb, 3), [0, 4, 5], 'one inserted frame of silence');
    assert.equal(jb.stats.late, 1);
  });

  test('timestamps wrap around 2^32', () => {
    const jb = new JitterBuffer({ startDepth: 2 });
    const start = 0x100000000 - F;
    for (let n = 0; n < 3; n++) put(jb, (start + n * F) >>> 0, frame(n + 1));
    assert.deepEqual(popMany(jb, 4), [null, 1, 2, 3]);
  });

  test('10 ms and 30 ms packets assemble into 20 ms frames', () => {
    const jb = new JitterBuffer({ startDepth: 1, minDepth: 1 });
    put(jb, 0, frame(1, 80));
    put(jb, 80, frame(2, 80));
    const out = new Int16Array(F);
    assert.ok(jb.pop(out));
    assert.deepEqual([out[0], out[79], out[80], out[159]], [1, 1, 2, 2]);

    const jb30 = new JitterBuffer({ startDepth: 1, minDepth: 1 });
    put(jb30, 0, frame(3, 240));
    put(jb30, 240, frame(4, 240));
    assert.ok(jb30.pop(out));
    assert.deepEqual([out[0], out[159]], [3, 3]);
    assert.ok(jb30.pop(out));
    assert.deepEqual([out[0], out[79], out[80], out[159]], [3, 3, 4, 4]);
  });

  test('a pause (silence suppression) idles the buffer; the next packet starts afresh', () => {
    const jb = new JitterBuffer({ startDepth: 2, idleAfter: 3 });
    put(jb, 0, frame(1));
    put(jb, F, frame(2));
    assert.deepEqual(popMany(jb, 3), [null, 1, 2]);
    assert.deepEqual(popMany(jb, 5), [0, 0, 0, null, null], 'concealed until it counts as a pause');
    put(jb, 100 * F, frame(7));
    put(jb, 101 * F, frame(8));
    assert.deepEqual(popMany(jb, 3), [null, 7, 8]);
    assert.equal(jb.stats.starts, 2);
  });

  test('a jump of more than a second restarts the stream', () => {
    const jb = new JitterBuffer({ startDepth: 1, minDepth: 1 });
    put(jb, 0, frame(1));
    assert.equal(put(jb, 10_000 * F, frame(2)), 'restarted');
    assert.deepEqual(popMany(jb, 1), [2]);
  });

  test('a far end sending faster than we play is trimmed back to the depth', () => {
    const jb = new JitterBuffer({ startDepth: 2 });
    let ts = 0;
    const out = new Int16Array(F);
    // 51 packets for every 50 ticks: without trimming the delay would grow a frame a second.
    for (let tick = 0; tick < 1000; tick++) {
      put(jb, ts, frame(1));
      ts += F;
      if (tick % 50 === 0) {
        put(jb, ts, frame(1));
        ts += F;
      }
      jb.pop(out);
    }
    assert.ok(jb.stats.dropped >= 15, `dropped ${jb.stats.dropped}`);
    assert.equal(jb.stats.late, 0);
  });

  test('the depth shrinks back after a long calm', () => {
    const jb = new JitterBuffer({ startDepth: 4, minDepth: 2 });
    const out = new Int16Array(F);
    for (let tick = 0; tick < 1200; tick++) {
      put(jb, tick * F, frame(1));
      jb.pop(out);
    }
    assert.equal(jb.depth, 2);
  });

  test('each buffer keeps its own depth limits, made before the slabs grow or after', () => {
    const early = new JitterBuffer({ startDepth: 2, maxDepth: 3 });
    // Enough buffers to make the slabs grow (their limits too) whatever the tests before took.
    const others = Array.from({ length: 300 }, () => new JitterBuffer());
    const later = new JitterBuffer({ startDepth: 2, maxDepth: 5 });
    for (const jb of [early, later]) {
      put(jb, 0, frame(1));
      put(jb, F, frame(2));
      popMany(jb, 3);
      for (let i = 0; i < 10; i++) assert.equal(put(jb, 0, frame(9)), 'late');
    }
    assert.deepEqual([early.depth, later.depth], [3, 5]);
    others.forEach((jb) => jb.release());
  });

  test('buffers share their thread\'s slabs: each keeps its own frames and counters as more are made, and one made in a released one\'s place starts clean', () => {
    // Enough buffers to make the slabs grow (they start with room for 64) while the first ones hold frames.
    const buffers: JitterBuffer[] = [];
    for (let i = 0; i < 200; i++) {
      const jb = new JitterBuffer({ startDepth: 2 });
      put(jb, 0, frame(i & 0xff));
      put(jb, F, frame((i + 1) & 0xff));
      if (i % 2) put(jb, 0, frame(9)); // a duplicate on every other
      buffers.push(jb);
    }
    buffers.forEach((jb, i) => {
      assert.deepEqual(popMany(jb, 3), [null, i & 0xff, (i + 1) & 0xff], `buffer ${i}`);
      assert.equal(jb.stats.duplicates, i % 2);
    });
    // Released with frames still in it and counters run up: its counters stay readable, its place is taken by a new buffer.
    const old = buffers[7]!;
    for (let n = 0; n < 10; n++) put(old, (2 + n) * F, frame(50 + n));
    put(old, 0, frame(1)); // late
    old.release();
    assert.equal(old.stats.late, 1);
    const fresh = Array.from({ length: 3 }, () => new JitterBuffer({ startDepth: 2 }));
    for (const jb of fresh) {
      assert.deepEqual(jb.stats, { late: 0, duplicates: 0, concealed: 0, dropped: 0, starts: 0 });
      put(jb, 5000, frame(3));
      assert.deepEqual(popMany(jb, 5), [null, 3, 0, 0, 0], 'nothing of the released buffer\'s frames');
    }
  });
});
