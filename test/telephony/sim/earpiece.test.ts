// A virtual phone's earpiece and transcript when the call's own audio is
// mixed over a prompt (a bridged party heard during a live-call Play): both
// sounds are heard, summed, and each is its own transcript event; a clear
// cuts only the prompt, the end of the call cuts both.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Earpiece } from '../../../src/telephony/sim/earpiece.ts';
import { buildTranscript, heardSince } from '../../../src/telephony/sim/transcript.ts';

const filled = (ms: number, v: number) => new Int16Array(ms * 8).fill(v);
const PLAY = { type: 'play' as const, url: 'http://media/hold.wav' };
const SAID = { type: 'said' as const, text: 'are you there' };
const answered = [{ at: 0, seq: -1, type: 'answered' as const }];

describe('earpiece', () => {
  test('mixed audio plays over the queue without moving it, summed with saturation', () => {
    const ear = new Earpiece();
    ear.receive({ samples: filled(1000, 30000), annotation: PLAY }, 0, 0);
    ear.mix({ samples: filled(400, 5000), annotation: SAID }, 200, 1);
    assert.equal(ear.tail, 1000, 'the queue ends where it did');
    ear.receive({ samples: filled(200, 7) }, 0, 2);
    const out = ear.render(0, 1400);
    assert.deepEqual([out[100 * 8], out[300 * 8], out[700 * 8], out[1100 * 8], out[1300 * 8]], [30000, 32767, 30000, 7, 0]);
  });

  test('a window starting inside a run renders the rest of it (live listening hands over windows)', () => {
    const ear = new Earpiece();
    ear.receive({ samples: filled(1000, 11), annotation: PLAY }, 0, 0);
    ear.mix({ samples: filled(400, 5), annotation: SAID }, 200, 1);
    ear.receive({ samples: filled(200, 7) }, 0, 2);
    const window = ear.render(500, 1100);
    assert.equal(window.length, 600 * 8);
    assert.deepEqual([window[0], window[100 * 8], window[499 * 8], window[550 * 8]], [16, 11, 11, 7]);
    assert.deepEqual([...ear.render(1300, 1400)].every((v) => v === 0), true, 'a window after everything is silence');
  });

  test('both sounds are transcript events at their own times; audio continuing the prompt still belongs to it', () => {
    const ear = new Earpiece();
    ear.receive({ samples: filled(1000, 1), annotation: PLAY }, 0, 0);
    ear.mix({ samples: filled(400, 1), annotation: SAID }, 200, 1);
    ear.receive({ samples: filled(500, 1) }, 0, 2);
    ear.receive({ samples: filled(100, 1), annotation: { type: 'beep' } }, 0, 3);
    assert.deepEqual(buildTranscript(ear, answered, 0, 5000), [
      { at_ms: 0, type: 'answered' },
      { at_ms: 0, type: 'play', url: PLAY.url, duration_ms: 1500 },
      { at_ms: 200, type: 'speak', text: SAID.text, voice: '', language: '', duration_ms: 400 },
      { at_ms: 1500, type: 'beep', duration_ms: 100 },
    ]);
    assert.equal(heardSince(ear, 'you there', 0, 599), false, 'not before the words end');
    assert.equal(heardSince(ear, 'you there', 0, 600), true);
  });

  test('a clear cuts the queue and leaves the mixed audio to finish; the end of the call cuts both', () => {
    const ear = new Earpiece();
    ear.receive({ samples: filled(1000, 1), annotation: PLAY }, 0, 0);
    ear.mix({ samples: filled(600, 2), annotation: SAID }, 200, 1);
    ear.cutAt(500);
    assert.equal(ear.tail, 500);
    const t = buildTranscript(ear, answered, 0, 5000);
    assert.deepEqual(
      t.filter((e) => e.type !== 'answered' && e.type !== 'silence').map((e) => [e.type, e.at_ms, 'duration_ms' in e ? e.duration_ms : 0]),
      [
        ['play', 0, 500],
        ['speak', 200, 600],
      ],
    );
    ear.endAt(600);
    assert.deepEqual(ear.mixed.map((r) => r.durationMs), [400]);
    assert.equal(ear.render(0, 800)[700 * 8], 0);
  });
});
