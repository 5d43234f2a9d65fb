// Forked audio on the platform clock: runs placed, cut and rendered into
// windows; the sound detector that ends recordings on silence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mixDown, Timeline } from '../../src/media/timeline.ts';
import { assertEvery } from '../helpers/assert.ts';

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
    assertEvery(out.slice(0, 320), (v) => v === 1, 'two whole frames kept');
    assertEvery(out.slice(320), (v) => v === 0, 'the rest cut');
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

  test('windows before a run are silent; dropped runs are gone; runs by start', () => {
    const t = new Timeline();
    t.add(500, filled(20, 7), { type: 'said', text: 'hi' });
    assertEvery(t.render(400, 500), (v) => v === 0, 'silence');
    assert.deepEqual(t.runsIn(0, 1000).map((r) => [r.start, r.annotation]), [[500, { type: 'said', text: 'hi' }]]);
    assert.deepEqual(t.runsIn(501, 1000), []);
    t.dropBefore(520);
    assertEvery(t.render(500, 520), (v) => v === 0, 'silence');
  });

  test('mixDown sums tracks with saturation', () => {
    const a = new Timeline();
    const b = new Timeline();
    a.add(0, filled(20, 30000));
    b.add(0, filled(20, 30000));
    assert.equal(mixDown([a, b], 0, 20)[0], 32767);
  });
});
