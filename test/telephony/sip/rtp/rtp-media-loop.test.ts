// A media worker's loop without the thread: commands in, steps by hand over
// an in-memory network, batches of heard audio and keys out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTMF_DIGITS, dtmfTone } from '../../../../src/media/dtmf.ts';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../../../src/media/g711.ts';
import { concat, silence } from '../../../../src/media/pcm.ts';
import type { Address } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';
import { MediaLoop, type Network, type PacketHandler, type UdpSocket } from '../../../../src/telephony/sip/rtp/rtp-media-loop.ts';
import { LINE_FINDING, LINE_SOUND, type Command, type WorkerMessage } from '../../../../src/telephony/sip/rtp/rtp-protocol.ts';
import type { NegotiatedMedia } from '../../../../src/telephony/sip/sip-sdp.ts';
import { keyTone, speechLike } from '../../../media/audio-fixtures.ts';

const HOST = '127.0.0.1';

/** Ports on one in-memory host: a packet sent is delivered at once. */
function memoryNetwork(): Network {
  const bound = new Map<number, (p: Uint8Array, from: Address) => void>();
  return {
    async bind(port, _host, onPacket) {
      if (bound.has(port)) throw Object.assign(new Error(`bind EADDRINUSE ${port}`), { code: 'EADDRINUSE' });
      bound.set(port, onPacket);
      const socket: UdpSocket = {
        send: (packet, to) => bound.get(to.port)?.(packet, { address: HOST, port }),
        close: () => bound.delete(port),
      };
      return socket;
    },
  };
}

/** With `transfer`, what the loop posts is moved as postMessage moves it: the buffers it transfers are detached in the loop. */
function loop({ transfer = false } = {}) {
  let now = 5000;
  const posted: WorkerMessage[] = [];
  const post = (m: WorkerMessage, list?: ArrayBuffer[]) => posted.push(transfer && list ? structuredClone(m, { transfer: list }) : m);
  const l = new MediaLoop({ network: memoryNetwork(), post, now: () => now, t0: 5000, deliverTicks: 5, wallOffset: 1_700_000_000_000 });
  const send = (...list: Command[]) => l.handle({ wallOffset: 1_700_000_000_000, list });
  let m = 0;
  /** `ticks` ticks of every session: four steps each, one per phase (but the steps `skipped`, as a pacer that fell behind skips them). */
  const run = (ticks: number, skipped = (_m: number) => false) => {
    for (let i = 0; i < ticks * 4; i++, m++) {
      now = 5000 + m * 5 + 0.3; // every step 0.3 ms late
      if (!skipped(m)) l.step(m);
    }
  };
  return { l, posted, send, run, settle: () => new Promise((r) => setImmediate(r)) };
}

const toward = (port: number): NegotiatedMedia => ({
  remote: { address: HOST, port, rtcpAddress: HOST, rtcpPort: port + 1 },
  codecs: [{ name: 'PCMA', payloadType: 8 }],
  telephoneEvent: 101,
  direction: 'sendrecv',
});
/** Session `sid` on phase sid mod 4. */
const open = (sid: number, port: number, analyse = false): Command => ({ op: 'open', sid, port, host: HOST, phase: sid % 4, inbandDtmf: true, analyse, cname: `s${sid}`, jitter: { startDepth: 2 } });

test('two sessions exchange audio and keys; heard runs come back in batches with their times', async () => {
  const { posted, send, run, settle } = loop();
  send(open(1, 10000), open(2, 10002));
  await settle();
  assert.deepEqual(posted.splice(0), [
    { type: 'opened', sid: 1 },
    { type: 'opened', sid: 2 },
  ]);
  const samples = mulawDecode(mulawEncode(new Int16Array(800).map((_, i) => (i % 50) * 100 - 2500)));
  send(
    { op: 'configure', sid: 1, media: toward(10002) },
    { op: 'configure', sid: 2, media: toward(10000) },
    { op: 'send', sid: 1, at: 5000 + 4 * 20, samples },
    { op: 'digit', sid: 1, at: 5000, digit: '9', frames: 3 },
  );
  run(20);
  const batches = posted.filter((m): m is Extract<WorkerMessage, { type: 'batch' }> => m.type === 'batch');
  assert.equal(batches.length, 4, 'one batch per 5 ticks');
  const heard = batches.flatMap((b) => b.runs.filter((r) => r.sid === 2));
  assert.ok(heard.length > 0 && heard.every((r) => (r.at - 5000 - 2 * 5) % 20 === 0), 'runs start on the ticks of phase 2');
  const all = new Int16Array(heard.reduce((n, r) => n + r.samples.length, 0));
  heard.reduce((at, r) => (all.set(r.samples, at), at + r.samples.length), 0);
  const pcmaRoundTrip = all.filter((s) => s !== 0);
  assert.ok(pcmaRoundTrip.length > 700, 'the run arrived through A-law');
  assert.deepEqual(
    batches.flatMap((b) => b.keys).map((k) => [k.sid, k.digit, k.source]),
    [[2, '9', 'rfc4733']],
  );
});

test('a port already bound fails the open with its code; closing frees it', async () => {
  const { posted, send, settle } = loop();
  send(open(1, 10000), open(2, 10000));
  await settle();
  const bySid = (sid: number) => posted.find((m) => 'sid' in m && m.sid === sid);
  assert.deepEqual(bySid(1), { type: 'opened', sid: 1 });
  assert.deepEqual(bySid(2), { type: 'failed', sid: 2, error: 'bind EADDRINUSE 10000', code: 'EADDRINUSE' });
  send({ op: 'close', sid: 1 }, open(3, 10000));
  await settle();
  assert.deepEqual(bySid(3), { type: 'opened', sid: 3 });
});

test('stats: packet lateness after each tick, totals over sessions closed and live', async () => {
  const { posted, send, run, settle } = loop();
  send(open(1, 10000), open(2, 10002));
  await settle();
  send({ op: 'configure', sid: 1, media: toward(10002) }, { op: 'configure', sid: 2, media: toward(10000) });
  run(10);
  send({ op: 'close', sid: 1 }, { op: 'stats', id: 7, reset: true }, { op: 'stats', id: 8, reset: false });
  const stats = posted.filter((m): m is Extract<WorkerMessage, { type: 'stats' }> => m.type === 'stats');
  assert.equal(stats[0]!.id, 7);
  const s = stats[0]!.stats;
  assert.equal(s.sessions, 1);
  assert.equal(s.lateness[3], 20, 'every packet 0.3 ms after its tick');
  assert.equal(s.totals.packetsSent, 20);
  assert.equal(s.totals.packetsLost, 0);
  assert.equal(stats[1]!.stats.lateness[3], 0, 'reset');
  assert.equal(stats[1]!.stats.totals.packetsSent, 20, 'totals are cumulative');
});

test('an analysed session posts what line analysis found, its audio only while the main thread asks for it', async () => {
  const { posted, send, run, settle } = loop();
  send(open(1, 10000), open(2, 10002, true));
  await settle();
  posted.splice(0);
  // Sound, then key 5 as tones (no telephone-event is needed for that: the analysis hears the audio).
  const audio = mulawDecode(mulawEncode(concat([speechLike('hello'), silence(100), dtmfTone('5', 200), silence(200)])));
  send({ op: 'configure', sid: 1, media: toward(10002) }, { op: 'configure', sid: 2, media: toward(10000) }, { op: 'send', sid: 1, at: 5000 + 4 * 20, samples: audio });
  run(60);
  const batches = () => posted.splice(0).filter((m): m is Extract<WorkerMessage, { type: 'batch' }> => m.type === 'batch');
  const first = batches();
  assert.deepEqual(first.flatMap((b) => b.runs.filter((r) => r.sid === 2)), [], 'no audio posted');
  const found = first.flatMap((b) => Array.from({ length: b.line.length / LINE_FINDING }, (_, i) => [...b.line.subarray(i * LINE_FINDING, (i + 1) * LINE_FINDING)]));
  assert.ok(found.every(([sid]) => sid === 2));
  const keys = found.filter(([, code]) => code !== LINE_SOUND).map(([, code, start, end]) => [DTMF_DIGITS[code! - 1], Math.round(end! - start!)]);
  assert.deepEqual(keys, [['5', 200]], 'the key and how long it sounded');
  assert.ok(found.some(([, code, start, end]) => code === LINE_SOUND && end! - start! >= 100), 'the speech is sound');
  // A listener the main thread got before the last delivery, whose word came after it: that period's audio too.
  const lastDelivery = 5000 + 59 * 20 + 3 * 5 + 0.3;
  send({ op: 'configure', sid: 1, media: toward(10002) }, { op: 'send', sid: 1, at: 5000 + 61 * 20, samples: audio.subarray(0, 1600) });
  send({ op: 'hear', sid: 2, on: true, at: lastDelivery - 1 });
  run(5);
  const heard = batches().flatMap((b) => b.runs.filter((r) => r.sid === 2));
  assert.equal(heard[0]!.at, 5000 + 2 * 5 + 55 * 20, 'from the held period on');
  assert.equal(heard.reduce((n, r) => n + r.samples.length, 0), 10 * 160, 'two periods of frames');
  // A listener that came after the delivery: from then on only.
  send({ op: 'hear', sid: 2, on: false, at: 0 });
  run(5);
  assert.deepEqual(batches().flatMap((b) => b.runs.filter((r) => r.sid === 2)), []);
  send({ op: 'hear', sid: 2, on: true, at: lastDelivery + 200 + 1 });
  run(5);
  const later = batches().flatMap((b) => b.runs.filter((r) => r.sid === 2));
  assert.equal(later.reduce((n, r) => n + r.samples.length, 0), 5 * 160, 'one period of frames');
});

const batchesOf = (posted: WorkerMessage[]) => posted.filter((m): m is Extract<WorkerMessage, { type: 'batch' }> => m.type === 'batch');
/** Session `sid`'s heard runs, checked to follow each other without a gap, joined. */
function heardBy(posted: WorkerMessage[], sid: number): Int16Array {
  const runs = batchesOf(posted).flatMap((b) => b.runs.filter((r) => r.sid === sid));
  runs.forEach((r, i) => i > 0 && assert.equal(r.at, runs[i - 1]!.at + runs[i - 1]!.samples.length / 8, `run ${i} follows the one before`));
  return concat(runs.map((r) => r.samples));
}
/** Where `sent` (a whole number of frames, through A-law) starts in `heard`, on a frame boundary; -1 if it is not there whole. */
function frameOf(heard: Int16Array, sent: Int16Array): number {
  const expected = alawDecode(alawEncode(sent));
  for (let f = 0; (f * 160) + expected.length <= heard.length; f++) if (heard.subarray(f * 160, f * 160 + expected.length).every((x, i) => x === expected[i])) return f;
  return -1;
}

/** Sessions 1 and 2 opened and configured toward each other, `from` sending the other a ramp (30 distinct frames) from tick 4. */
async function rampBetween(from: 1 | 2) {
  const l = loop();
  l.send(open(1, 10000), open(2, 10002));
  await l.settle();
  const ramp = new Int16Array(30 * 160).map((_, i) => 1000 + (i % 700) * 40);
  l.send({ op: 'configure', sid: 1, media: toward(10002) }, { op: 'configure', sid: 2, media: toward(10000) }, { op: 'send', sid: from, at: 5000 + 4 * 20, samples: ramp });
  return { ...l, ramp };
}

test('a period whose delivery step was skipped (the pacer fell behind): the frames that filled the staging buffer are delivered first, none lost or moved', async () => {
  const { posted, run, ramp } = await rampBetween(2);
  // Step 39 delivers ticks 5–9; without it session 1's buffer is full when its tick 10 plays (step 41).
  run(40, (m) => m === 39);
  assert.deepEqual(batchesOf(posted).map((b) => b.runs.filter((r) => r.sid === 1).reduce((n, r) => n + r.samples.length / 160, 0)), [3, 5, 5, 5, 5, 5, 5, 5], 'the full period went when tick 10 played');
  assert.notEqual(frameOf(heardBy(posted, 1), ramp), -1, 'every frame sent was heard, in order');
});

test('a tick a session missed (its step skipped) ends its heard run: the frames after it start a run of their own, at their own time', async () => {
  const { posted, run } = await rampBetween(1);
  const missed = 12; // session 2's tick 12: step 4 · 12 + 2
  run(25, (m) => m === 4 * missed + 2);
  const runs = batchesOf(posted).flatMap((b) => b.runs.filter((r) => r.sid === 2));
  const at = (tick: number) => 5000 + 2 * 5 + tick * 20;
  assert.ok(runs.some((r) => r.at + (r.samples.length / 160) * 20 === at(missed)), 'a run ends at the missed tick');
  assert.ok(runs.some((r) => r.at === at(missed + 1)), 'the next starts after it');
  assert.ok(runs.every((r) => r.at > at(missed) || r.at + (r.samples.length / 160) * 20 <= at(missed)), 'none covers it');
});

test('an analysed session heard by the main thread: keys whose tones straddle deliveries are found though its staging buffer is given away at each', async () => {
  const { posted, send, run, settle } = loop({ transfer: true });
  send(open(1, 10000), open(2, 10002, true));
  await settle();
  send({ op: 'hear', sid: 2, on: true, at: 0 });
  // 40 ms keys on the 10 ms between frames, 90 ms apart: each is a key only with the blocks straddling two frames, some of them two deliveries.
  const keys = concat([silence(10), ...Array.from('1470258*369#', (d) => concat([keyTone(d, { ms: 40 }), silence(50)])), silence(20)]);
  send({ op: 'configure', sid: 1, media: toward(10002) }, { op: 'configure', sid: 2, media: toward(10000) }, { op: 'send', sid: 1, at: 5000 + 4 * 20, samples: keys });
  run(70);
  const found = batchesOf(posted).flatMap((b) => Array.from({ length: b.line.length / LINE_FINDING }, (_, i) => [...b.line.subarray(i * LINE_FINDING, (i + 1) * LINE_FINDING)]));
  const heardKeys = found.filter(([, code]) => code !== LINE_SOUND).map(([, code, start, end]) => [DTMF_DIGITS[code! - 1], Math.round(end! - start!)]);
  assert.deepEqual(heardKeys.map(([d]) => d).join(''), '1470258*369#');
  assert.ok(heardKeys.every(([, ms]) => Math.abs((ms as number) - 40) <= 10), JSON.stringify(heardKeys));
  assert.notEqual(frameOf(heardBy(posted, 2), keys), -1, 'and the audio posted is what was sent');
});

test('a session ticks from its configure on; until then its phase still counts as busy, and audio queued for it lands where it would have had it ticked', async () => {
  const { l, posted, send, run, settle } = loop();
  send(open(1, 10000), open(2, 10002));
  await settle();
  assert.deepEqual([0, 1, 2, 3].map((m) => l.busy(m)), [false, true, true, false], 'the steps of phases 1 and 2 keep their time');
  run(3);
  const ramp = new Int16Array(6 * 160).map((_, i) => 1000 + (i % 700) * 40);
  // Asked for tick 1, which went by: it plays whole from tick 3, as it would have had session 1 ticked all along.
  send({ op: 'send', sid: 1, at: 5000 + 1 * 20, samples: ramp }, { op: 'configure', sid: 1, media: toward(10002) }, { op: 'configure', sid: 2, media: toward(10000) });
  run(12);
  assert.notEqual(frameOf(heardBy(posted, 2), ramp), -1, 'every frame sent was heard, in order');
});

/** A batched in-memory network that logs what the loop asks of it: sends wait for a flush, and arrive at the next receive. */
function batchedNetwork(log: string[]): Network {
  const bound = new Map<number, PacketHandler>();
  let queued: { packet: Uint8Array; from: number; to: number }[] = [];
  let sent: typeof queued = [];
  return {
    async bind(port, _host, onPacket) {
      bound.set(port, onPacket);
      return {
        send: (packet, to) => {
          log.push(`send ${port}`);
          queued.push({ packet: packet.slice(), from: port, to: to.port });
        },
        close: () => bound.delete(port),
      };
    },
    flush() {
      log.push(`flush ${queued.length}`);
      sent.push(...queued);
      queued = [];
    },
    receive() {
      log.push('receive');
      const arrived = sent;
      sent = [];
      for (const d of arrived) bound.get(d.to)?.(d.packet, { address: HOST, port: d.from });
    },
  };
}

/** counts[p] sessions on phase p, each sending to the one opened after it (the last to the first). */
async function batchedLoop(counts: number[]) {
  const log: string[] = [];
  const l = new MediaLoop({ network: batchedNetwork(log), post: () => {}, now: () => 5000, t0: 5000, deliverTicks: 5, wallOffset: 0 });
  const cmd = (...list: Command[]) => l.handle({ wallOffset: 0, list });
  const ports: number[] = [];
  counts.forEach((count, phase) => {
    for (let i = 0; i < count; i++) {
      const sid = ports.length;
      ports.push(20000 + 2 * sid);
      cmd({ op: 'open', sid, port: ports[sid]!, host: HOST, phase, inbandDtmf: false, cname: `s${sid}`, jitter: {} });
    }
  });
  await new Promise((r) => setImmediate(r));
  cmd(...ports.map((_, sid): Command => ({ op: 'configure', sid, media: toward(ports[(sid + 1) % ports.length]!) })));
  log.length = 0;
  return { l, log, port: (sid: number) => ports[sid]! };
}

test('a step hands its packets to the network 64 at a time, so the first ones leave before the whole phase is sent', async () => {
  const { l, log } = await batchedLoop([150]);
  l.step(0);
  assert.deepEqual(
    log.filter((e) => e.startsWith('flush')),
    ['flush 64', 'flush 64', 'flush 22', 'flush 0'],
    'the sends in three flushes, then what playing out sent (nothing yet)',
  );
});

test('steps that came due together (a worker behind): every packet of them leaves before any frame plays out', async () => {
  const { l, log, port } = await batchedLoop([2, 2]);
  l.steps([0, 1]);
  const firstReceive = log.indexOf('receive');
  assert.deepEqual(log.slice(0, firstReceive), [`send ${port(0)}`, `send ${port(1)}`, 'flush 2', `send ${port(2)}`, `send ${port(3)}`, 'flush 2']);
  assert.equal(log.filter((e) => e === 'receive').length, 2, 'then each step receives and plays out');
});
