// Runs eSpeak NG (WebAssembly, from @echogarden/espeak-ng-emscripten) off the
// main thread: a synthesis takes tens of milliseconds of CPU, which would
// otherwise stall every leg's 20 ms audio clock. Plain JavaScript so the
// worker starts without a TypeScript loader.
//
// Request:  { id, markup, voice }   (markup: SSML for eSpeak, voice: e.g. "en-us+f3")
// Reply:    { id, samples: Int16Array, rate } | { id, error }
import { parentPort } from 'node:worker_threads';
import initialize from '@echogarden/espeak-ng-emscripten';

const module = await initialize();
const espeak = new module.eSpeakNGWorker();
const rate = espeak.get_samplerate();

parentPort.on('message', ({ id, markup, voice }) => {
  try {
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
    parentPort.postMessage({ id, samples: out, rate }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
