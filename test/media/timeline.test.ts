// Forked audio on the platform clock: runs placed, cut and rendered into
// windows; the sound detector that ends recordings on silence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mixDown, Timeline } from '../../src/media/timeline.ts';
import { soundUntilMs } from '../../src/media/voice-activity.ts';

const filled = (ms: number, v: number) => new Int16Array(ms * 8).fill(v);

describe('timeline', () => {
  test('renders runs where they start, silence in the gaps, and mixes overlaps', () => {
    const t = new Timeline();
    t.add(1020, filled(20, 100));
    t.add(1000, filled(40, 10));
    const out = t.render(1000, 1080);
    assert.equal(out.length, 640);
    assert.deepEqual([out[0], out[160], out[319], out[320], out[639]], [10, 110, 110, 0, 0]);
  });

  test('a cut drops what starts later and stops a playing run at its last whole frame', () => {
    const t = new Timeline();
    t.add(0, filled(100, 1));
    t.add(100, filled(100, 2));
    t.cutAt(50);
    const out = t.render(0, 200);
    assert.equal(out.slice(0, 320).every((v) => v === 1), true, 'two whole frames kept');
    assert.equal(out.slice(320).every((v) => v === 0), true);
  });

  test('a cut stops every run still playing, not only the last one placed (speech mixed over a prompt)', () => {
    const t = new Timeline();
    t.add(0, filled(1000, 1));
    t.add(200, filled(100, 2));
    t.add(400, filled(400, 4));
    t.add(950, filled(100, 8));
    t.cutAt(500);
    const out = t.render(0, 1100);
    assert.deepEqual([out[0], out[200 * 8], out[350 * 8], out[450 * 8], out[500 * 8], out[1000 * 8]], [1, 3, 1, 5, 0, 0]);
  });

  test('windows before a run are silent; dropped runs are gone; annotations by start', () => {
    const t = new Timeline();
    t.add(500, filled(20, 7), { type: 'said', text: 'hi' });
    assert.equal(t.render(400, 500).every((v) => v === 0), true);
    assert.deepEqual(t.annotations(0, 1000), [{ type: 'said', text: 'hi' }]);
    t.dropBefore(520);
    assert.equal(t.render(500, 520).every((v) => v === 0), true);
  });

  test('mixDown sums tracks with saturation', () => {
    const a = new Timeline();
    const b = new Timeline();
    a.add(0, filled(20, 30000));
    b.add(0, filled(20, 30000));
    assert.equal(mixDown([a, b], 0, 20)[0], 32767);
  });

  test('sound ends at the last loud frame', () => {
    const s = new Int16Array(800);
    s.fill(2000, 0, 320);
    assert.equal(soundUntilMs(s), 40);
    assert.equal(soundUntilMs(new Int16Array(800)), 0);
  });
});
