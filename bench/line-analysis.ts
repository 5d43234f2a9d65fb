// What listening to a leg costs: the analysis every leg's inbound audio
// goes through (src/voice/engine/inbound-audio.ts: voice activity and
// in-band keys, src/media/line-analysis.ts), on one core, no I/O. Run:
//   npm run bench:line-analysis      (BENCH_SECONDS=3 of CPU per kind by default)
//
// For each kind of line — digital silence, line noise at -60 dBFS, speech
// (the TTS, through G.711), hold music, keys pressed as tones — it feeds
// 10 s of audio in the 100 ms batches an RTP session delivers, to fresh
// listeners over and over, and prints the CPU per leg-second of audio and
// how many legs' audio one core could analyse in real time.
import { TimerGroup, VirtualClock } from '../src/clock/clock.ts';
import { dtmfSequence } from '../src/media/dtmf.ts';
import { concat, msToSamples, silence } from '../src/media/pcm.ts';
import { holdMusic } from '../src/media/tones.ts';
import { createTts } from '../src/media/tts/index.ts';
import { InboundAudio } from '../src/voice/engine/inbound-audio.ts';
import { g711, noise } from '../test/media/audio-fixtures.ts';
import { fmt } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const LINE_MS = 10_000;
const BATCH_MS = 100;

/** `audio` repeated (or cut) to exactly LINE_MS. */
function fill(audio: Int16Array): Int16Array {
  const out = new Int16Array(msToSamples(LINE_MS));
  for (let i = 0; i < out.length; i += audio.length) out.set(audio.subarray(0, Math.min(audio.length, out.length - i)), i);
  return out;
}

async function lines(): Promise<Array<[string, Int16Array]>> {
  const tts = createTts();
  const said = await tts.tts.synthesize({ text: 'Hello, I am calling about my order, it has not arrived yet and I would like to know where it is.', voice: 'WOMAN', language: 'en-US' });
  await tts.close();
  return [
    ['digital silence', silence(LINE_MS)],
    ['line noise -60 dBFS', g711(noise(LINE_MS, -60))],
    ['speech (TTS, G.711)', g711(fill(concat([said, silence(500)])))],
    ['hold music', g711(fill(holdMusic()))],
    ['keys as tones (100 ms on, 100 ms off)', g711(fill(dtmfSequence('1234567890*#')))],
  ];
}

/** CPU µs per second of one leg's audio, analysed the way a call does. */
function measure(audio: Int16Array): number {
  const batch = msToSamples(BATCH_MS);
  let audioMs = 0;
  const clock = new VirtualClock(0);
  const group = new TimerGroup(clock);
  const started = process.cpuUsage();
  const budget = seconds * 1e6;
  let used = 0;
  while (used < budget) {
    for (let rep = 0; rep < 10; rep++) {
      const inbound = new InboundAudio(group, { sound: () => {}, key: () => {}, twin: () => {} });
      for (let i = 0; i < audio.length; i += batch) inbound.audio(audio.subarray(i, i + batch), (i / batch) * BATCH_MS);
      inbound.stop();
      audioMs += LINE_MS;
    }
    const u = process.cpuUsage(started);
    used = u.user + u.system;
  }
  return used / (audioMs / 1000);
}

console.log(`line analysis, ${BATCH_MS} ms batches, ${seconds} s of CPU per kind, node ${process.version}`);
for (const [name, audio] of await lines()) {
  measure(audio.subarray(0, msToSamples(1000))); // warm up the JIT
  const us = measure(audio);
  console.log(`${name.padEnd(40)} ${fmt(us, 1).padStart(8)} µs CPU per leg-second   ${fmt(1e6 / us, 0).padStart(9)} legs per core`);
}
