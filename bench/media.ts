// Media plane benchmark, in one process (one core). Run:
//   npm run bench:media      (BENCH_SECONDS=5 per step by default)
//
// 1. TTS: milliseconds per sentence, cold (first synthesis) and cached.
// 2. Legs of continuous audio: the voice engine on the sandbox carrier and
//    the real clock runs N calls, half of them <Speak loop="0"> and half
//    <Play loop="0"> of a hold tone; a stand-in for the SIP driver paces
//    them as RTP would: every 20 ms per leg (legs spread over 4 offsets, one
//    shared 5 ms tick) it renders the leg's next frame from what the engine
//    sent it, µ-law encodes it into an RTP-sized packet and sends it over UDP
//    to a sink process. Lateness is the time from a frame's due time to its
//    packet leaving. N grows until the p99
//    lateness reaches 5 ms or the process saturates its core.
import { benchEngine, dialBenchCall } from './engine.ts';
import dgram from 'node:dgram';
import { RealClock } from '../src/clock/clock.ts';
import { FRAME_MS, FRAME_SAMPLES } from '../src/media/frame.ts';
import { mulawEncode } from '../src/media/g711.ts';
import { rms } from '../src/media/pcm.ts';
import { Timeline } from '../src/media/timeline.ts';
import { renderTone } from '../src/media/tones.ts';
import { createTts } from '../src/media/tts/index.ts';
import type { Call } from '../src/voice/engine/call.ts';
import { fmt, spawnUntil } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const LADDER = [250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000];
const MAX_LATENESS_MS = 5;
const SATURATED = 0.95;
const PROMPT = 'Thank you for holding. Your call is important to us, please stay on the line.';
const RTP_HEADER = 12;
/** Legs are spread over this many offsets within the 20 ms frame time. */
const PHASES = 4;

const SENTENCES = [
  'Welcome to the city library, how can we help you today?',
  'Press one for opening hours, or two to renew a book.',
  'Your reservation for two people is confirmed for seven thirty.',
  'We are sorry, all our agents are busy at the moment.',
  'Please leave a message after the tone and we will call you back.',
  'Your account balance is forty two dollars and ten cents.',
  'The parcel will be delivered between nine and eleven tomorrow.',
  'To hear these options again, press the star key.',
];

const tts = createTts();
const speech = (text: string) => tts.tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' });

async function ttsFigures() {
  let t = performance.now();
  await speech('Starting the speech engine.');
  const startup = performance.now() - t;
  t = performance.now();
  for (const s of SENTENCES) await speech(s);
  const cold = (performance.now() - t) / SENTENCES.length;
  t = performance.now();
  for (const s of SENTENCES) await speech(s);
  const cached = (performance.now() - t) / SENTENCES.length;
  return { startup, cold, cached };
}

interface Paced {
  call: Call;
  timeline: Timeline;
}

/** N calls on a fresh engine, answered and playing; each call's audio forked into a timeline for the pacer. */
async function startLegs(n: number, hold: Int16Array) {
  const clock = new RealClock();
  const docs: Record<string, string> = {
    '/speak': `<Response><Speak loop="0">${PROMPT}</Speak></Response>`,
    '/play': '<Response><Play loop="0">http://bench.invalid/hold.wav</Play></Response>',
  };
  const serve = async (req: { url: string }) => ({ ok: true, status: 200, body: docs[req.url], attempts: 1 });
  const engine = benchEngine({ clock, fetch: serve, speech, audioFile: async () => hold });
  const legs: Paced[] = [];
  for (let i = 0; i < n; i++) {
    const call = dialBenchCall(engine, i, { answer: { url: i % 2 ? '/play' : '/speak', method: 'POST' } });
    const timeline = new Timeline();
    call.farEnd.listen({ queued: (run, start) => timeline.add(start, run.samples), cut: (at) => timeline.cutAt(at) }, clock.now());
    legs.push({ call, timeline });
  }
  // Ring 1 s, answer, fetch, first audio queued.
  while (legs.some((l) => l.call.leg?.audio.playingUntil === undefined || l.call.leg.audio.playingUntil <= clock.now())) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { engine, legs };
}

/**
 * Pace every leg's frames for `ms`, the way a driver would: each leg has its
 * own 20 ms cadence, the legs spread over PHASES offsets so one tick every
 * 20/PHASES ms serves a share of them. Lateness per packet.
 */
async function pace(legs: Paced[], sink: dgram.Socket, ms: number) {
  const step = FRAME_MS / PHASES;
  const ticks = Math.floor(ms / step);
  const lateness = new Float64Array(Math.ceil(ticks / PHASES) * legs.length + legs.length);
  const frame = new Int16Array(FRAME_SAMPLES);
  const packets = legs.map(() => Buffer.alloc(RTP_HEADER + FRAME_SAMPLES));
  let sounding = 0;
  let checked = 0;
  let n = 0;
  const perf0 = performance.now() + FRAME_MS;
  const wall0 = Date.now() + FRAME_MS;
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < ticks; k++) {
    const due = perf0 + k * step;
    // One timer per tick, as a driver's pacing loop would have: its jitter is part of the lateness.
    await new Promise((r) => setTimeout(r, Math.max(0, Math.ceil(due - performance.now()))));
    const to = wall0 + k * step;
    const seq = Math.floor(k / PHASES);
    for (let i = k % PHASES; i < legs.length; i += PHASES) {
      const { timeline } = legs[i]!;
      timeline.render(to - FRAME_MS, to, frame);
      const packet = packets[i]!;
      packet.writeUInt16BE(seq & 0xffff, 2);
      mulawEncode(frame, packet.subarray(RTP_HEADER));
      // A connected UDP socket hands the datagram to the kernel within send(): it has left when send returns.
      sink.send(packet);
      lateness[n++] = performance.now() - due;
      if (seq % 50 === 0) {
        timeline.dropBefore(to - FRAME_MS);
        checked++;
        if (rms(frame) > 100) sounding++;
      }
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - perf0;
  const sorted = lateness.subarray(0, n).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[n - 1]!, cpu: (cpu.user + cpu.system) / 1000 / wall, sounding: sounding / checked };
}

async function main() {
  const t = await ttsFigures();
  console.log(`TTS: start-up ${fmt(t.startup)} ms; ${fmt(t.cold, 1)} ms per sentence cold, ${fmt(t.cached, 3)} ms cached (${SENTENCES.length} sentences)`);

  const { child, match } = await spawnUntil(
    ['-e', "const s=require('dgram').createSocket('udp4');s.on('message',()=>{});s.bind(0,'127.0.0.1',()=>console.log('sink '+s.address().port))"],
    /sink (\d+)/,
  );
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sink.connect(Number(match[1]), '127.0.0.1', resolve));
  const hold = renderTone([440, 480], 0.2, 2000, false);
  console.log(`\n${'legs'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU'.padStart(6)} ${'sound'.padStart(6)}`);
  let best = 0;
  let bestCpu = 0;
  let cpuPerLeg = 0;
  for (const n of LADDER) {
    const { engine, legs } = await startLegs(n, hold);
    const r = await pace(legs, sink, seconds * 1000);
    await engine.close();
    console.log(`${String(n).padStart(6)} ${fmt(r.p50, 2).padStart(8)} ${fmt(r.p99, 2).padStart(8)} ${fmt(r.max, 1).padStart(8)} ${`${fmt(r.cpu * 100)}%`.padStart(6)} ${`${fmt(r.sounding * 100)}%`.padStart(6)}`);
    cpuPerLeg = r.cpu / n;
    if (r.p99 >= MAX_LATENESS_MS || r.cpu >= SATURATED) break;
    best = n;
    bestCpu = r.cpu;
  }
  console.log(`\nsustained: ${best} legs of continuous audio with p99 frame lateness < ${MAX_LATENESS_MS} ms, the process at ${fmt(bestCpu * 100)}% of one core (target ≥ 500)`);
  // What a leg costs, engine and pacing together: how many would fill the core if lateness allowed.
  console.log(`CPU per leg: ${fmt(cpuPerLeg * 1e6 * (FRAME_MS / 1000), 1)} µs per 20 ms frame (${fmt(1 / cpuPerLeg)} legs would fill one core)`);
  sink.close();
  child.kill();
  await tts.close();
}

await main();
