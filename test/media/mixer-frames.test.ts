// Conference mixing and the frame helpers everything else builds on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_SAMPLES, silentFrame } from '../../src/media/frame.ts';
import { Mixer, type MixMember } from '../../src/media/mixer.ts';
import { concat, framesToSamples, rms, rmsWindows, toFrames } from '../../src/media/pcm.ts';
import { dominantFrequency } from '../../src/media/spectrum.ts';
import { renderTone } from '../../src/media/tones.ts';
import { assertEvery } from '../helpers/assert.ts';

const frameOf = (value: number): Int16Array => new Int16Array(FRAME_SAMPLES).fill(value);

function member(input: Int16Array | null, flags: Partial<Pick<MixMember, 'muted' | 'deaf'>> = {}): MixMember {
  return { input, muted: false, deaf: false, output: new Int16Array(FRAME_SAMPLES), ...flags };
}

describe('mixer', () => {
  test('three members: each hears the other two, never itself', () => {
    const [a, b, c] = [member(frameOf(100)), member(frameOf(20)), member(frameOf(3))];
    new Mixer().mix([a, b, c]);
    assert.deepEqual(a.output, frameOf(23));
    assert.deepEqual(b.output, frameOf(103));
    assert.deepEqual(c.output, frameOf(120));
  });

  test('a muted member is heard by nobody but still hears the others', () => {
    const [a, b, muted] = [member(frameOf(100)), member(frameOf(20)), member(frameOf(3), { muted: true })];
    new Mixer().mix([a, b, muted]);
    assert.deepEqual(a.output, frameOf(20));
    assert.deepEqual(b.output, frameOf(100));
    assert.deepEqual(muted.output, frameOf(120));
  });

  test('a deaf member gets silence but is still heard', () => {
    const [a, b, deaf] = [member(frameOf(100)), member(frameOf(20)), member(frameOf(3), { deaf: true })];
    deaf.output.fill(999); // stale audio from the last tick must not leak through
    new Mixer().mix([a, b, deaf]);
    assert.deepEqual(deaf.output, frameOf(0));
    assert.deepEqual(a.output, frameOf(23));
    assert.deepEqual(b.output, frameOf(103));
  });

  test('a member that sent nothing this tick still hears everyone', () => {
    const [a, quiet] = [member(frameOf(50)), member(null)];
    new Mixer().mix([a, quiet]);
    assert.deepEqual(quiet.output, frameOf(50));
    assert.deepEqual(a.output, frameOf(0));
  });

  test('loud sums saturate instead of wrapping around', () => {
    const members = [member(frameOf(30000)), member(frameOf(30000)), member(frameOf(-30000)), member(frameOf(-30000)), member(frameOf(-30000))];
    new Mixer().mix(members);
    assert.deepEqual(members[0].output, frameOf(-32768)); // 30000 - 90000
    const up = [member(frameOf(30000)), member(frameOf(30000)), member(frameOf(0))];
    new Mixer().mix(up);
    assert.deepEqual(up[2].output, frameOf(32767));
  });

  test('real audio: each listener hears the tones of the others', () => {
    const tones = [440, 1000, 1800].map((f) => renderTone([f], 0.2, 20));
    const members = tones.map((t) => member(t));
    const mixer = new Mixer();
    mixer.mix(members);
    for (let i = 0; i < 3; i++) {
      const heard = members[i].output;
      const others = tones.filter((_, j) => j !== i);
      const expected = others[0].map((v, k) => v + others[1][k]);
      assert.deepEqual(heard, Int16Array.from(expected));
    }
  });

  test('a 500-member conference: outputs written in place, muted members left out', () => {
    const members = Array.from({ length: 500 }, (_, i) => member(frameOf(i % 7), { muted: i % 10 === 0 }));
    const outputs = members.map((m) => m.output);
    new Mixer().mix(members);
    assertEvery(members, (m, i) => m.output === outputs[i], 'outputs are written in place');
    const total = members.reduce((sum, m, i) => sum + (m.muted ? 0 : i % 7), 0);
    assert.equal(members[1].output[0], total - 1);
    assert.equal(members[0].output[0], total);
  });
});

describe('frames', () => {
  test('PCM is cut into 20 ms frames, the last one padded with silence', () => {
    const samples = Int16Array.from({ length: 400 }, (_, i) => i + 1);
    const frames = toFrames(samples, { type: 'beep' });
    assert.equal(frames.length, 3);
    assertEvery(frames, (f) => f.samples.length === FRAME_SAMPLES, 'whole frames');
    assert.deepEqual(frames[0].annotation, { type: 'beep' });
    assert.equal(frames[1].annotation, undefined);
    assert.equal(frames[2].samples[79], 400);
    assert.equal(frames[2].samples[80], 0);
    assert.deepEqual(framesToSamples(frames).subarray(0, 400), samples);
    assert.deepEqual(toFrames(new Int16Array(0)), []);
  });

  test('concatenation and RMS per window', () => {
    const loud = renderTone([500], 0.5, 100);
    const joined = concat([silentFrame().samples, loud, new Int16Array(320)]);
    assert.equal(joined.length, 160 + 800 + 320);
    const windows = rmsWindows(joined, 20);
    assert.equal(windows.length, 8);
    assert.equal(windows[0], 0);
    assert.ok(windows[3] > 10000);
    assert.equal(windows[7], 0);
    assert.ok(Math.abs(rms(loud, 80, 720) - (0.5 * 32767) / Math.SQRT2) < 200);
  });

  test('dominant frequency finds a played tone and reports 0 for silence', () => {
    for (const f of [350, 440, 1004, 2600]) {
      assert.ok(Math.abs(dominantFrequency(renderTone([f], 0.3, 200)) - f) < 3, `${f} Hz`);
    }
    assert.equal(dominantFrequency(new Int16Array(800)), 0);
  });
});
