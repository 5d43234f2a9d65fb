// The audio stream protocol's parsing of what a customer's service sends back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIncoming } from '../../../src/voice/streams/protocol.ts';

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
