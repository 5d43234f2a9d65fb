// The sandbox's speech recognizer: the words come from the label its phones'
// speech carries; when and whether they were said comes from the audio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, silence } from '../../src/media/pcm.ts';
import { labelRecognizer } from '../../src/sandbox/label-recognizer.ts';
import type { FrameRun } from '../../src/telephony/driver.ts';
import type { Hypothesis } from '../../src/voice/speech.ts';
import { speechLike } from '../media/audio-fixtures.ts';

const hear = (runs: FrameRun[], at = 1000) => {
  const out: Hypothesis[] = [];
  const s = labelRecognizer.open({ language: 'en-US', hints: [], model: 'default', profanityFilter: false }, (h) => out.push(h));
  for (const r of runs) s.write(r, at);
  return out;
};

test('the label\'s words, spread over the sound of the run, the whole text final where the sound ends', () => {
  // 200 ms of silence, then 780 ms of speech-like sound (Book·a·table!), then 400 ms of silence.
  const samples = concat([silence(200), speechLike('Book a table!'), silence(400)]);
  assert.deepEqual(
    hear([{ samples, annotation: { type: 'said', text: 'Book a table!' } }]).map((h) => [h.text, h.final, h.at, h.confidence]),
    [
      ['Book', false, 1000 + 200 + 260, 1],
      ['Book a', false, 1000 + 200 + 520, 1],
      ['Book a table!', true, 1000 + 980, 1],
    ],
  );
});

test('a label on audio without sound is not speech, and audio without a spoken label is not recognized', () => {
  assert.deepEqual(hear([{ samples: silence(1200), annotation: { type: 'said', text: 'Book a table' } }]), []);
  assert.deepEqual(hear([{ samples: speechLike('hello there') }, { samples: speechLike('beep'), annotation: { type: 'beep' } }]), []);
});
