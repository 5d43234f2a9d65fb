// The call's own audio toward a leg (FarEndAudio.carry): queued as usual;
// while a live-call API sound is in front, mixed over it or dropped; what a
// recording forks follows the leg (mixed runs overlap, survive a clear).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../../../src/media/timeline.ts';
import { runDurationMs, type AudioOut, type FrameRun, type Leg } from '../../../src/telephony/driver.ts';
import { FarEndAudio } from '../../../src/voice/engine/far-end-audio.ts';

const filled = (ms: number, v: number): FrameRun => ({ samples: new Int16Array(ms * 8).fill(v) });

/** A leg whose audio port only keeps time: what was queued, what was mixed. */
function fakeLeg(now: () => number) {
  const mixed: FrameRun[] = [];
  let tail = 0;
  const audio: AudioOut = {
    send: (run) => (tail = Math.max(now(), tail) + runDurationMs(run)),
    clear: () => void (tail = Math.min(tail, now())),
    mix: (run) => void mixed.push(run),
    get playingUntil() {
      return tail;
    },
  };
  return { leg: { audio } as Leg, mixed };
}

test('call audio is queued; mixed over a sound in front; dropped while a mix=false sound is in front', () => {
  let now = 0;
  const { leg, mixed } = fakeLeg(() => now);
  const far = new FarEndAudio();
  const fork = new Timeline();
  far.listen({ queued: (run, start) => fork.add(start, run.samples), cut: (at) => fork.cutAt(at) }, now);

  const leave = far.putInFront({ mix: true });
  assert.equal(far.fronted, true);
  far.send(leg, filled(1000, 100), now);
  now = 200;
  far.carry(leg, filled(600, 20), now);
  assert.equal(leg.audio.playingUntil, 1000, 'the sound in front is not delayed');
  assert.equal(mixed.length, 1);
  now = 500;
  far.clear(leg, now);
  leave();
  const out = fork.render(0, 1000);
  assert.deepEqual([out[100 * 8], out[300 * 8], out[600 * 8], out[900 * 8]], [100, 120, 20, 0], 'the recording has both, and the party to its end after the clear');

  const leaveQuiet = far.putInFront({ mix: false });
  now = 1000;
  far.carry(leg, filled(200, 7), now);
  assert.equal(mixed.length, 1, 'not mixed');
  assert.equal(leg.audio.playingUntil, 500, 'not queued either');
  leaveQuiet();
  assert.equal(far.fronted, false);
  far.carry(leg, filled(200, 7), now);
  assert.equal(leg.audio.playingUntil, 1200, 'with nothing in front it is queued');
  assert.equal(fork.render(1000, 1200)[0], 7);
});
