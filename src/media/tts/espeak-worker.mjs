// Runs eSpeak NG (WebAssembly, from @echogarden/espeak-ng-emscripten) off the
// main thread: a synthesis takes tens of milliseconds of CPU, which would
// otherwise stall every leg's 20 ms audio clock. Plain JavaScript so the
// worker starts without a TypeScript loader.
//
// Request:  { id, markup, voice }   (markup: SSML for eSpeak, voice: e.g. "en-us+f3")
//           { warm: true }   (no reply: speak a few sentences to get up to speed)
// Reply:    { id, samples: Int16Array, rate } | { id, error }
import { parentPort } from 'node:worker_threads';
import initialize from '@echogarden/espeak-ng-emscripten';

const module = await initialize();
const espeak = new module.eSpeakNGWorker();
const rate = espeak.get_samplerate();

/** The samples eSpeak produces for `markup` in `voice` (throws when it has no such voice). */
function synthesize(markup, voice) {
  if (espeak.set_voice(voice) !== 0) throw new Error(`eSpeak has no voice "${voice}"`);
  const chunks = [];
  let length = 0;
  espeak.synthesize(markup, (samples) => {
    if (samples && samples.length > 0) {
      chunks.push(samples.slice()); // the callback's array views WebAssembly memory
      length += samples.length;
    }
  });
  const out = new Int16Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// Warming: the first syntheses run ~10× slower than later ones while V8
// optimises eSpeak's code (its JIT, not the WebAssembly tiers); a few sentences, one per turn of the event
// loop so requests that come meanwhile are answered between them.
const WARM_SENTENCES = 8;
const WARM_MARKUP = 'Thanks for calling. Press 1 for sales, 2 for support, or stay on the line.';
const WARM_VOICE = 'en-us+f3'; // WOMAN, en-US: the voice of a <Speak> that names none

parentPort.on('message', ({ id, markup, voice, warm }) => {
  if (warm) {
    const next = (left) => {
      try {
        synthesize(WARM_MARKUP, WARM_VOICE);
      } catch {
        return; // a real request will say what is wrong
      }
      if (left > 1) setImmediate(next, left - 1);
    };
    return setImmediate(next, WARM_SENTENCES);
  }
  try {
    const out = synthesize(markup, voice);
    parentPort.postMessage({ id, samples: out, rate }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
