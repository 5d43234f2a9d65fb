// Two sessions on real media workers over loopback: real RTP packets carry
// real audio frames both ways, and keys as RFC 4733 events. Only content is
// asserted, never timing: on a starved machine packets may arrive late or in
// bursts, so the workers here never skip overdue ticks and buffer deeply,
// and the check is that what was heard is the signal's own frames, in order.
// The workers' sockets are the batched-UDP addon's where `npm ci` built it
// (over io_uring where the kernel allows it); one pair of sessions also runs
// through the addon over epoll, and one over node:dgram, the fallbacks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { RealClock } from '../../../../src/clock/clock.ts';
import { dtmfTone } from '../../../../src/media/dtmf.ts';
import { mulawDecode, mulawEncode } from '../../../../src/media/g711.ts';
import { concat } from '../../../../src/media/pcm.ts';
import type { NegotiatedMedia } from '../../../../src/telephony/sip/sip-sdp.ts';
import { RtpMedia, type MediaListener, type MediaSession } from '../../../../src/telephony/sip/rtp/rtp-media.ts';
import { loadBatchedUdp } from '../../../../src/telephony/sip/rtp/rtp-udp-batch.ts';

const addon = loadBatchedUdp();
/** What RtpMedia said at start about its workers' sockets. */
const said: { level: number; msg: string; reason?: string }[] = [];
const options = {
  clock: new RealClock(),
  bindAddress: '127.0.0.1',
  workers: 2,
  catchUpMs: 60_000,
  jitter: { startDepth: 25, minDepth: 25, maxDepth: 49 },
};
let media: RtpMedia;
before(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void said.push(JSON.parse(line)) });
  media = await RtpMedia.start({ ...options, ports: { min: 42000, max: 42099 }, log });
});
after(() => media.close());

test('the workers use the batched-UDP addon where npm ci built it, and say once how their sockets work', () => {
  assert.equal(said.length, 1);
  if ('reason' in addon) {
    assert.equal(media.io, 'dgram');
    assert.match(said[0]!.msg, /node:dgram/);
    assert.equal(said[0]!.reason, addon.reason);
  } else {
    assert.equal(media.io, 'batched');
    assert.match(said[0]!.msg, /batched UDP/);
  }
});

test('the addon runs over io_uring where the kernel allows it, else over epoll, saying why', { skip: 'reason' in addon && 'the batched-UDP addon is not built' }, () => {
  const why = (addon as { addon: { uringUnavailable(): string | null } }).addon.uringUnavailable();
  if (why === null) {
    assert.equal(media.sockets, 'io_uring');
    assert.match(said[0]!.msg, /through io_uring/);
  } else {
    assert.equal(media.sockets, 'epoll');
    assert.match(said[0]!.msg, /through epoll/);
    assert.equal(said[0]!.reason, why);
  }
});

test('asked for real-time priority, the workers take it for their threads where allowed, else say once why not and what to do', async () => {
  const lines: { level: number; msg: string; reason?: string; priority?: number }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const rt = await RtpMedia.start({ ...options, workers: 2, ports: { min: 42240, max: 42259 }, io: 'epoll', realtime: 12, log });
  await rt.close();
  const about = lines.filter((l) => /priority/.test(l.msg));
  assert.equal(about.length, 1, 'one line for both workers');
  const s = rt.scheduling!;
  if (s.kind === 'guarded') {
    assert.equal(s.priority, 12);
    assert.match(about[0]!.msg, /take real-time priority .* the rest of the process stays at normal priority/);
  } else if (s.kind === 'inherited') {
    assert.match(about[0]!.msg, /whole process runs at real-time priority/);
  } else {
    assert.ok(s.reason, 'refused, with the reason');
    assert.equal(about[0]!.reason, s.reason);
    assert.match(about[0]!.msg, /CAP_SYS_NICE .*--cap-add SYS_NICE.*LimitRTPRIO/);
  }
});

test('not asked, the workers leave their scheduling as it is and say nothing about it', () => {
  assert.ok(media.scheduling?.kind === 'normal' || media.scheduling?.kind === 'inherited');
  assert.ok(!said.some((l) => /priority/.test(l.msg)));
});

interface Ear extends MediaListener {
  runs: { samples: Int16Array; at: number }[];
  keys: string[];
  /** What line analysis found (sessions opened with `analyse`). */
  found: string[];
  /** Resolves once `check` holds after some audio or a key arrived (or fails after `ms`). */
  until(check: () => boolean, ms?: number): Promise<void>;
}

function ear(): Ear {
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  const e: Ear = {
    runs: [],
    keys: [],
    found: [],
    sound(start, end) {
      e.found.push(`sound ${end - start}`);
      poke();
    },
    tone(digit, start, end) {
      e.found.push(`key ${digit} ${Math.round((end - start) / 20) * 20}`);
      poke();
    },
    audio(run, at) {
      e.runs.push({ samples: run.samples, at });
      poke();
    },
    dtmf(digit) {
      e.keys.push(digit);
      poke();
    },
    lost(reason) {
      throw new Error(`media lost: ${reason}`);
    },
    until(check, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for media')), ms);
        const look = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(look);
          resolve();
        };
        waiters.add(look);
        look();
      });
    },
  };
  return e;
}

const toward = (s: MediaSession): NegotiatedMedia => ({
  remote: { address: '127.0.0.1', port: s.port, rtcpAddress: '127.0.0.1', rtcpPort: s.port + 1 },
  codecs: [{ name: 'PCMU', payloadType: 0 }],
  telephoneEvent: 101,
  direction: 'sendrecv',
});

/** A second of a recognisable waveform that survives µ-law unchanged. */
function signal(seed: number): Int16Array {
  const raw = new Int16Array(8000);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.round(6000 * Math.sin((i * seed) / 50));
  return mulawDecode(mulawEncode(raw));
}

const F = 160;
const framesOf = (samples: Int16Array): string[] => Array.from({ length: samples.length / F }, (_, i) => samples.subarray(i * F, (i + 1) * F).join());

/**
 * How many of `sent`'s 20 ms frames were heard. Every frame heard with sound
 * in it must be one of them, exactly, and in the order sent (a frame lost or
 * concealed under load is missing, never wrong).
 */
function framesHeard(runs: { samples: Int16Array }[], sent: Int16Array): number {
  const order = new Map(framesOf(sent).map((f, i) => [f, i]));
  let last = -1;
  let found = 0;
  for (const f of framesOf(concat(runs.map((r) => r.samples)))) {
    if (/^(0,)*0$/.test(f)) continue;
    const i = order.get(f);
    assert.ok(i !== undefined, 'a heard frame is not one of the frames sent');
    assert.ok(i > last, 'frames heard out of order');
    last = i;
    found++;
  }
  return found;
}

/** Two sessions of `media` sending each other a second of audio, then keys. */
async function flows(media: RtpMedia): Promise<void> {
  const earA = ear();
  const earB = ear();
  const a = await media.open(earA);
  const b = await media.open(earB);
  assert.equal(a.port % 2, 0);
  a.configure(toward(b));
  b.configure(toward(a));

  const toB = signal(3);
  const toA = signal(7);
  const untilA = a.send({ samples: toB });
  b.send({ samples: toA });
  assert.ok(untilA >= Date.now() + 900, 'send answers when the run will have played');
  assert.equal(a.playingUntil, untilA);

  // Half the frames is plenty to show the path works; normally all 50 arrive.
  await earB.until(() => framesHeard(earB.runs, toB) >= 25);
  await earA.until(() => framesHeard(earA.runs, toA) >= 25);
  // Heard runs carry platform times in order.
  for (let i = 1; i < earB.runs.length; i++) assert.ok(earB.runs[i]!.at >= earB.runs[i - 1]!.at);

  a.sendDigits('12#', 100);
  await earB.until(() => earB.keys.length >= 3);
  assert.deepEqual(earB.keys, ['1', '2', '#']);

  a.close();
  b.close();
  a.close();
  const [w1, w2] = await media.stats();
  assert.equal(w1!.sessions + w2!.sessions, 0);
  assert.ok(w1!.totals.packetsSent + w2!.totals.packetsSent > 100);
}

test('audio flows both ways through the workers, sample for sample; keys arrive once each', () => flows(media));

/** `flows` on workers of their own whose sockets are a fallback's. */
async function flowsThrough(io: 'epoll' | 'dgram', ports: { min: number; max: number }) {
  const fallback = await RtpMedia.start({ ...options, ports, io });
  try {
    assert.equal(fallback.sockets, io);
    assert.equal(fallback.io, io === 'dgram' ? 'dgram' : 'batched');
    await flows(fallback);
  } finally {
    await fallback.close();
  }
}

test('without the addon (io: dgram, as where it could not be built) the workers do the same over node:dgram', () => flowsThrough('dgram', { min: 42200, max: 42219 }));

test('through the addon over epoll (io: epoll, as where io_uring cannot be set up) the workers do the same', { skip: 'reason' in addon && 'the batched-UDP addon is not built' }, () =>
  flowsThrough('epoll', { min: 42220, max: 42239 }),
);

test('a port pair in use by another program is skipped', async () => {
  const dgram = await import('node:dgram');
  const blocker = dgram.createSocket('udp4');
  const free = media.freePorts;
  await new Promise<void>((r) => blocker.bind(42000 + ((100 - free * 2 + 4) % 100), '127.0.0.1', () => r()));
  const sessions = await Promise.all([1, 2, 3].map(() => media.open(ear())));
  assert.equal(new Set(sessions.map((s) => s.port)).size, 3);
  for (const s of sessions) s.close();
  blocker.close();
});

test('a session opened with analyse: its worker reports sound and keys heard as tones, and posts audio only while asked', async () => {
  const earA = ear();
  const a = await media.open(earA, { analyse: true });
  const b = await media.open(ear());
  try {
    a.configure(toward(b));
    b.configure(toward(a));
    b.send({ samples: mulawDecode(mulawEncode(concat([signal(3).subarray(0, 2400), new Int16Array(800), dtmfTone('7', 200), new Int16Array(1600)]))) });
    await earA.until(() => earA.found.some((f) => f.startsWith('key 7 ')));
    assert.ok(earA.found.some((f) => f.startsWith('sound')), earA.found.join(', '));
    assert.deepEqual(earA.runs, [], 'no audio posted');
    // Asked now: what was heard since the worker's last delivery comes too (the key's silent tail), then the new audio.
    a.hearAudio(true);
    const sent = signal(5);
    b.send({ samples: sent });
    const frames = new Set(framesOf(sent));
    await earA.until(() => earA.runs.flatMap((r) => framesOf(r.samples)).filter((f) => frames.has(f)).length >= 25);
  } finally {
    a.close();
    b.close();
  }
});
