// A leg's media handle on the main thread, against a stand-in for its
// worker: the queue it predicts (what `send` answers), the commands it
// leaves for the worker, how audio crosses. Relations only, no wall time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaSession, type MediaListener, type SessionHost } from '../../../../src/telephony/sip/rtp/rtp-media.ts';
import type { Command } from '../../../../src/telephony/sip/rtp/rtp-protocol.ts';
import { monoNow } from '../../../../src/telephony/sip/rtp/rtp-time.ts';

const listener: MediaListener = { audio() {}, dtmf() {}, lost() {} };

function session(phase = 1) {
  const commands: Command[] = [];
  const transfers: (ArrayBuffer | undefined)[] = [];
  let retired = 0;
  const host: SessionHost = {
    t0: Math.round(monoNow()) - 1000, // whole milliseconds, so sums compare exactly
    command: (c, t) => {
      commands.push(c);
      transfers.push(t);
    },
    // Platform time is the monotonic time plus a fixed offset here.
    toPlatform: (mono) => mono + 1_000_000,
    retire: () => void retired++,
  };
  return { s: new MediaSession(host, 7, 10000, phase, listener), commands, transfers, host, retired: () => retired };
}

const run = (ms: number) => ({ samples: new Int16Array(ms * 8) });
const at = (c: Command) => ('at' in c ? c.at : NaN);

test('runs queue back to back on the session’s 20 ms grid; send answers when each will have played', () => {
  const { s, commands, host } = session(1);
  const first = s.send(run(100));
  const second = s.send(run(30)); // a short last frame still takes a whole tick
  assert.equal(second - first, 40);
  assert.equal(s.playingUntil, second);
  assert.deepEqual(
    commands.map((c) => c.op),
    ['send', 'send'],
  );
  assert.equal(at(commands[1]!) - at(commands[0]!), 100, 'the second starts where the first ends');
  assert.equal((at(commands[0]!) - host.t0 - 5) % 20, 0, 'phase 1 ticks fall 5 ms after the worker’s');
  assert.equal(first - 1_000_000, at(commands[0]!) + 100);
});

test('clear empties the predicted queue from the next tick; mix neither waits for nor moves it', () => {
  const { s, commands } = session();
  s.send(run(1000));
  s.clear();
  const cleared = commands[1]!;
  assert.equal(cleared.op, 'clear');
  assert.equal(s.playingUntil - 1_000_000, at(cleared));
  s.mix(run(500));
  assert.equal(commands[2]!.op, 'mix');
  assert.equal(at(commands[2]!), at(cleared));
  assert.equal(s.playingUntil - 1_000_000, at(cleared));
});

test('keys queue after the audio with a 100 ms pause each; w and W wait', () => {
  const { s, commands } = session();
  s.send(run(200));
  const until = s.sendDigits('1w2', 100);
  const [audio, one, two] = commands;
  assert.deepEqual([one, two].map((c) => c && c.op === 'digit' && [c.digit, c.frames]), [
    ['1', 5],
    ['2', 5],
  ]);
  assert.equal(at(one!), at(audio!) + 200);
  assert.equal(at(two!), at(one!) + 100 + 100 + 500);
  assert.equal(until - 1_000_000, at(two!) + 200);
});

test('a long run is shared (the same memory every time); a short one is copied and transferred', () => {
  const { s, commands, transfers } = session();
  const prompt = new Int16Array(8000).fill(3);
  s.send({ samples: prompt });
  s.send({ samples: prompt });
  const [a, b] = commands as Extract<Command, { op: 'send' }>[];
  assert.ok(a!.samples.buffer instanceof SharedArrayBuffer);
  assert.equal(a!.samples, b!.samples);
  assert.deepEqual(transfers.slice(0, 2), [undefined, undefined]);
  const short = new Int16Array(160).fill(9);
  s.mix({ samples: short });
  const c = commands[2] as Extract<Command, { op: 'mix' }>;
  assert.notEqual(c.samples, short);
  assert.deepEqual(c.samples, short);
  assert.equal(transfers[2], c.samples.buffer);
});

test('close sends one close and frees the pair once; nothing is sent after it', () => {
  const { s, commands, retired } = session();
  s.close();
  s.close();
  s.send(run(100));
  assert.deepEqual(commands, [{ op: 'close', sid: 7 }]);
  assert.equal(retired(), 1);
});
