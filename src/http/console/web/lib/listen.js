// Plays what a sandbox call's far end hears, live: the server streams it as
// 8 kHz µ-law (GET …/Sandbox/Call/{uuid}/Listen/) and each chunk is
// scheduled right after the previous one with the Web Audio API.
import { accountPath } from './api.js';

const RATE = 8000;

/** G.711 µ-law byte → linear sample in [-1, 1). */
const ULAW = new Float32Array(256).map((_, i) => {
  const u = ~i & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - t : t - 0x84) / 32768;
});

/** Starts listening; returns a function that stops. `onEnd` runs when the call's audio ends. */
export function listen(uuid, onEnd) {
  const ctx = new AudioContext({ sampleRate: RATE });
  const abort = new AbortController();
  let at = 0;
  (async () => {
    const res = await fetch(accountPath(`Sandbox/Call/${uuid}/Listen/`), { signal: abort.signal, credentials: 'same-origin' });
    if (!res.ok || !res.body) throw new Error(`listen: ${res.status}`);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      const buffer = ctx.createBuffer(1, value.length, RATE);
      const data = buffer.getChannelData(0);
      for (let i = 0; i < value.length; i++) data[i] = ULAW[value[i]];
      const node = ctx.createBufferSource();
      node.buffer = buffer;
      node.connect(ctx.destination);
      // A little latency absorbs network jitter; a gap resets the schedule.
      at = Math.max(at, ctx.currentTime + 0.15);
      node.start(at);
      at += buffer.duration;
    }
  })()
    .catch(() => {})
    .finally(() => onEnd?.());
  return () => {
    abort.abort();
    ctx.close();
  };
}
