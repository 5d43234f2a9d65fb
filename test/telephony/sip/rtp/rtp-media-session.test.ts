// A leg's media handle on the main thread, against a stand-in for its
// worker: the queue it keeps (what `send` answers, exactly as a sandbox leg
// would), the commands it leaves for the worker, how audio crosses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alawEncode, mulawEncode } from '../../../../src/media/g711.ts';
import { MediaSession, type MediaListener, type SessionHost } from '../../../../src/telephony/sip/rtp/rtp-media.ts';
import type { Command } from '../../../../src/telephony/sip/rtp/rtp-protocol.ts';

const listener: MediaListener = { audio() {}, dtmf() {}, lost() {} };
/** Monotonic time is platform time minus this, here. */
const OFFSET = 1_000_000;

function session() {
  const commands: Command[] = [];
  let now = 5_000_000;
  let retired = 0;
  const host: SessionHost = {
    now: () => now,
    command: (c) => void commands.push(c),
    toMono: (platform) => platform - OFFSET,
    retire: () => void retired++,
  };
  return { s: new MediaSession(host, 7, 10000, 1, listener), commands, retired: () => retired, pass: (ms: number) => (now += ms), now: () => now };
}

const run = (ms: number) => ({ samples: new Int16Array(ms * 8) });
const at = (c: Command | undefined) => (c && 'at' in c ? c.at + OFFSET : NaN);

test('runs queue back to back; send answers when each will have played', () => {
  const { s, commands, now } = session();
  const t0 = now();
  assert.equal(s.playingUntil <= t0, true, 'idle');
  assert.equal(s.send(run(100)), t0 + 100);
  assert.equal(s.send(run(30)), t0 + 140, 'a short last frame still takes a whole 20 ms');
  assert.equal(s.playingUntil, t0 + 140);
  assert.deepEqual(
    commands.map((c) => [c.op, at(c)]),
    [
      ['send', t0],
      ['send', t0 + 100],
    ],
  );
});

test('a run sent after the queue ran dry starts now', () => {
  const { s, commands, pass, now } = session();
  s.send(run(100));
  pass(500);
  assert.equal(s.send(run(100)), now() + 100);
  assert.equal(at(commands[1]), now());
});

test('clear empties the queue from now; mix neither waits for nor moves it', () => {
  const { s, commands, pass, now } = session();
  s.send(run(1000));
  pass(200);
  s.clear();
  assert.equal(s.playingUntil, now());
  assert.deepEqual([commands[1]!.op, at(commands[1])], ['clear', now()]);
  s.mix(run(500));
  assert.deepEqual([commands[2]!.op, at(commands[2])], ['mix', now()]);
  assert.equal(s.playingUntil, now());
});

test('keys queue after the audio with a 100 ms pause each; w and W wait', () => {
  const { s, commands, now } = session();
  const t0 = now();
  s.send(run(200));
  assert.equal(s.sendDigits('1w2W', 100), t0 + 200 + 200 + 500 + 200 + 1000);
  const keys = commands.filter((c) => c.op === 'digit');
  assert.deepEqual(
    keys.map((c) => [c.op === 'digit' && c.digit, c.op === 'digit' && c.frames, at(c)]),
    [
      ['1', 5, t0 + 200],
      ['2', 5, t0 + 900],
    ],
  );
});

test('a long run is shared (the same memory every time); a short one is copied (the caller may reuse its array)', () => {
  const { s, commands } = session();
  const prompt = new Int16Array(8000).fill(3);
  s.send({ samples: prompt });
  s.send({ samples: prompt });
  const [a, b] = commands as Extract<Command, { op: 'send' }>[];
  assert.ok(a!.samples.buffer instanceof SharedArrayBuffer);
  assert.equal(a!.samples, b!.samples);
  const short = new Int16Array(160).fill(9);
  s.mix({ samples: short });
  const c = commands[2] as Extract<Command, { op: 'mix' }>;
  assert.notEqual(c.samples, short);
  assert.deepEqual(c.samples, short);
  assert.ok(!(c.samples.buffer instanceof SharedArrayBuffer));
});

test('a long run queued goes with its bytes in the session\'s codec, encoded once; a mixed one, a short one and one before any codec without', () => {
  const { s, commands } = session();
  const prompt = Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
  const codec = (name: 'PCMU' | 'PCMA') => ({ remote: null, codecs: [{ name, payloadType: name === 'PCMU' ? 0 : 8 }] as const, telephoneEvent: null, direction: 'sendrecv' as const });
  s.send({ samples: prompt });
  s.configure(codec('PCMA'));
  s.send({ samples: prompt });
  s.mix({ samples: prompt });
  s.send({ samples: prompt.slice(0, 160) });
  s.configure(codec('PCMU'));
  s.send({ samples: prompt });
  s.configure(codec('PCMA'));
  s.send({ samples: prompt });
  const sends = commands.filter((c) => c.op === 'send' || c.op === 'mix') as Extract<Command, { op: 'send' }>[];
  assert.deepEqual(
    sends.map((c) => Object.keys(c.g711 ?? {})),
    [[], ['PCMA'], [], [], ['PCMU'], ['PCMA']],
  );
  const [, alaw, , , mulaw, again] = sends;
  assert.deepEqual(alaw!.g711!.PCMA, alawEncode(prompt));
  assert.deepEqual(mulaw!.g711!.PCMU, mulawEncode(prompt));
  assert.ok(alaw!.g711!.PCMA!.buffer instanceof SharedArrayBuffer);
  assert.equal(again!.g711!.PCMA, alaw!.g711!.PCMA, 'encoded once per array and codec');
});

test('close sends one close and frees the pair once; nothing is sent after it', () => {
  const { s, commands, retired } = session();
  s.close();
  s.close();
  s.send(run(100));
  assert.deepEqual(commands, [{ op: 'close', sid: 7 }]);
  assert.equal(retired(), 1);
});
