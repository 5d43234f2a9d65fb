// Text to speech: real eSpeak NG speech, the prompt cache, SSML, voices.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_RATE } from '../../src/media/frame.ts';
import { dbfs, rms, rmsWindows } from '../../src/media/pcm.ts';
import { CachingTts } from '../../src/media/tts/cache.ts';
import { EspeakTts } from '../../src/media/tts/espeak.ts';
import { toEspeakMarkup } from '../../src/media/tts/ssml.ts';
import type { SpeakRequest, Tts } from '../../src/media/tts/tts.ts';
import { espeakVoice } from '../../src/media/tts/voices.ts';

const engine = new EspeakTts();
after(() => engine.close());

const PROMPT: SpeakRequest = { text: 'Press one for sales', voice: 'WOMAN', language: 'en-US' };

/** Longest run of consecutive near-silent 20 ms windows (under -35 dBFS, speech is ~-20), in seconds. */
function longestPause(samples: Int16Array): number {
  let best = 0;
  let run = 0;
  for (const level of rmsWindows(samples, 20)) {
    run = dbfs(level) < -35 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return (best * 20) / 1000;
}

describe('speech', () => {
  test('"Press one for sales" is real speech of a plausible length', async () => {
    const audio = await engine.synthesize(PROMPT);
    const seconds = audio.length / SAMPLE_RATE;
    assert.ok(seconds >= 0.8 && seconds <= 4, `${seconds} s`);
    assert.ok(dbfs(rms(audio)) > -30, `overall level ${dbfs(rms(audio)).toFixed(1)} dBFS`);
    const windows = rmsWindows(audio, 20);
    const voiced = windows.filter((level) => dbfs(level) > -40).length;
    assert.ok(voiced / windows.length > 0.6, `${voiced} of ${windows.length} windows carry speech`);
  });

  test('a synthesizer warmed at start-up (SIP mode) answers a request sent during its warm-up', async () => {
    const warmed = new EspeakTts();
    warmed.warm();
    const audio = await warmed.synthesize(PROMPT);
    assert.ok(audio.length / SAMPLE_RATE >= 0.8, `${audio.length / SAMPLE_RATE} s`);
    await warmed.close();
  });

  test('an SSML break of 1 s is about a second of silence between the words', async () => {
    const audio = await engine.synthesize({ ...PROMPT, text: 'Hello <break time="1s"/> world', ssml: true });
    const pause = longestPause(audio);
    assert.ok(pause >= 0.9 && pause <= 1.2, `longest pause ${pause} s`);
    const plain = await engine.synthesize({ ...PROMPT, text: 'Hello world' });
    assert.ok(longestPause(plain) < 0.5);
  });

  test('prosody rate stretches the speech', async () => {
    const normal = await engine.synthesize(PROMPT);
    const slow = await engine.synthesize({ ...PROMPT, ssml: true, text: '<prosody rate="x-slow">Press one for sales</prosody>' });
    assert.ok(slow.length > normal.length * 1.3, `${slow.length} vs ${normal.length}`);
  });

  test('every Plivo language and voice kind speaks without error', async () => {
    const languages = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'fr-FR', 'fr-CA', 'es-ES', 'es-US', 'de-DE', 'it-IT',
      'pt-BR', 'pt-PT', 'ja-JP', 'ko-KR', 'cmn-CN', 'arb', 'ru-RU', 'nl-NL', 'da-DK', 'nb-NO', 'sv-SE', 'pl-PL',
      'tr-TR', 'ro-RO', 'cy-GB', 'is-IS', 'hi-IN', 'xx-XX'];
    for (const language of languages) {
      for (const voice of ['WOMAN', 'MAN']) {
        const audio = await engine.synthesize({ text: 'One two three', voice, language });
        assert.ok(rms(audio) > 300, `${voice} ${language} is silent`);
      }
    }
    for (const voice of ['Polly.Joanna', 'Polly.Matthew', 'Polly.Amy-Neural', 'Polly.Céline', 'Polly.Hans', 'Polly.Unknown']) {
      assert.ok(rms(await engine.synthesize({ ...PROMPT, voice })) > 300, voice);
    }
  });
});

describe('prompt cache', () => {
  test('a repeated prompt is served from the cache: same audio, no second synthesis', async (t) => {
    const engine = new EspeakTts();
    t.after(() => engine.close());
    const tts = new CachingTts(engine);
    const first = await tts.synthesize(PROMPT);
    assert.equal(engine.invocations, 1);
    const second = await tts.synthesize({ ...PROMPT });
    assert.equal(second, first);
    assert.equal(engine.invocations, 1);
    await tts.synthesize({ ...PROMPT, voice: 'MAN' });
    await tts.synthesize({ ...PROMPT, language: 'en-GB' });
    await tts.synthesize({ ...PROMPT, ssml: true });
    assert.equal(engine.invocations, 4, 'voice, language and SSML are part of the key');
  });

  /** A stand-in synthesizer: the cache's behaviour does not depend on the audio. */
  class CountingEngine implements Tts {
    calls = 0;
    failNext = false;
    async synthesize(req: SpeakRequest): Promise<Int16Array> {
      this.calls++;
      if (this.failNext) {
        this.failNext = false;
        throw new Error('engine down');
      }
      return new Int16Array(req.text.length * 100);
    }
  }

  test('simultaneous requests for one prompt share a synthesis', async () => {
    const counting = new CountingEngine();
    const tts = new CachingTts(counting);
    const [a, b] = await Promise.all([tts.synthesize(PROMPT), tts.synthesize(PROMPT)]);
    assert.equal(a, b);
    assert.equal(counting.calls, 1);
  });

  test('memory is bounded: the least recently used prompt goes first', async () => {
    const counting = new CountingEngine();
    const tts = new CachingTts(counting, 2000 * 3); // room for three 2000-byte prompts
    for (const text of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) await tts.synthesize({ ...PROMPT, text });
    await tts.synthesize({ ...PROMPT, text: 'aaaaaaaaaa' }); // touch a
    await tts.synthesize({ ...PROMPT, text: 'dddddddddd' }); // evicts b
    assert.equal(counting.calls, 4);
    await tts.synthesize({ ...PROMPT, text: 'aaaaaaaaaa' });
    await tts.synthesize({ ...PROMPT, text: 'cccccccccc' });
    assert.equal(counting.calls, 4);
    await tts.synthesize({ ...PROMPT, text: 'bbbbbbbbbb' });
    assert.equal(counting.calls, 5);
  });

  test('a failure is not cached', async () => {
    const counting = new CountingEngine();
    const tts = new CachingTts(counting);
    counting.failNext = true;
    await assert.rejects(tts.synthesize(PROMPT), /engine down/);
    assert.ok((await tts.synthesize(PROMPT)).length > 0);
    assert.equal(counting.calls, 2);
  });
});

describe('SSML and voices', () => {
  test('Plivo SSML becomes what eSpeak reads', () => {
    assert.equal(
      toEspeakMarkup('Call <say-as interpret-as="telephone">415-555</say-as> or <sub alias="World Wide Web">WWW</sub>', true),
      '<speak>Call 4 1 5 - 5 5 5 or World Wide Web</speak>',
    );
    assert.equal(
      toEspeakMarkup('<speak><lang xml:lang="fr-FR">Bonjour</lang> <w role="x">and</w> <phoneme ph="x">tomato</phoneme></speak>', true),
      '<speak><voice xml:lang="fr-FR">Bonjour</voice> and tomato</speak>',
    );
    assert.equal(
      toEspeakMarkup('<p><s>Code <say-as interpret-as="spell-out">AB</say-as></s></p><break strength="strong"/>', true),
      '<speak><p><s>Code <say-as interpret-as="characters">AB</say-as></s></p><break strength="strong"/></speak>',
    );
    assert.equal(toEspeakMarkup('Tom & Jerry <3', false), '<speak>Tom &amp; Jerry &lt;3</speak>');
    assert.equal(toEspeakMarkup('<?xml version="1.0"?>Fish &amp; chips', true), '<speak>Fish &amp; chips</speak>');
  });

  test('voices: gender from WOMAN/MAN, Polly voices keep their own language', () => {
    assert.equal(espeakVoice('WOMAN', 'en-US'), 'en-us+f3');
    assert.equal(espeakVoice('MAN', 'en-GB'), 'en+m3');
    assert.equal(espeakVoice('WOMAN', 'es-US'), 'es-419+f3');
    assert.equal(espeakVoice('MAN', 'klingon'), 'en-us+m3');
    assert.match(espeakVoice('Polly.Celine', 'en-US'), /^fr\+f\d$/);
    assert.match(espeakVoice('Polly.Hans-Neural', 'en-US'), /^de\+m\d$/);
    assert.notEqual(espeakVoice('Polly.Joanna', 'en-US'), espeakVoice('Polly.Salli', 'en-US'));
  });
});
