// The sandbox's speech recognizer (words read off annotated audio, a word at
// a time as heard) and the audio stream protocol's parsing of what a
// customer's service sends back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameRun } from '../../../src/telephony/driver.ts';
import { annotationRecognizer, type Hypothesis } from '../../../src/voice/speech.ts';
import { parseIncoming } from '../../../src/voice/streams/protocol.ts';

describe('annotation recognizer', () => {
  const hear = (runs: FrameRun[], at = 1000) => {
    const out: Hypothesis[] = [];
    const s = annotationRecognizer.open({ language: 'en-US', hints: [], model: 'default', profanityFilter: false }, (h) => out.push(h));
    for (const r of runs) s.write(r, at);
    return out;
  };

  test('partial hypotheses word by word, the final one at the end of the speech', () => {
    const out = hear([{ samples: new Int16Array(8000 * 1.2), annotation: { type: 'said', text: 'Book a table!' } }]);
    assert.deepEqual(
      out.map((h) => [h.text, h.final, h.at]),
      [
        ['Book', false, 1400],
        ['Book a', false, 1800],
        ['Book a table!', true, 2200],
      ],
    );
  });

  test('audio without speech is not recognized', () => {
    assert.deepEqual(hear([{ samples: new Int16Array(800) }, { samples: new Int16Array(800), annotation: { type: 'beep' } }]), []);
  });
});

describe('stream messages from the service', () => {
  test('playAudio, checkpoint, clearAudio, sendDTMF', () => {
    assert.deepEqual(parseIncoming('{"event":"playAudio","media":{"contentType":"audio/x-mulaw","sampleRate":8000,"payload":"AAA="}}'), {
      event: 'playAudio',
      contentType: 'audio/x-mulaw',
      sampleRate: 8000,
      payload: 'AAA=',
    });
    assert.deepEqual(parseIncoming('{"event":"checkpoint","streamId":"s","name":"greeting"}'), { event: 'checkpoint', name: 'greeting' });
    assert.deepEqual(parseIncoming('{"event":"clearAudio","streamId":"s"}'), { event: 'clearAudio' });
    assert.deepEqual(parseIncoming('{"event":"sendDTMF","dtmf":"12#"}'), { event: 'sendDTMF', digits: '12#' });
  });

  test('anything else is reported, not thrown', () => {
    assert.match((parseIncoming('not json') as { error: string }).error, /must be JSON/);
    assert.match((parseIncoming('{"event":"playAudio","media":{}}') as { error: string }).error, /media.payload/);
    assert.match((parseIncoming('{"event":"sendDTMF","dtmf":"x"}') as { error: string }).error, /DTMF keys/);
    assert.match((parseIncoming('{"event":"dance"}') as { error: string }).error, /unknown stream event "dance"/);
    assert.match((parseIncoming('[1]') as { error: string }).error, /unknown stream event/);
  });
});
