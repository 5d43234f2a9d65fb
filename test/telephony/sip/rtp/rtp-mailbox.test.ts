// The mailbox between the main thread and a media worker: commands through
// a ring in shared memory, by message only where the ring cannot carry them,
// always in the order given, and a wake-up posted exactly when the worker
// would otherwise sleep past a command's bound. The last test races a real
// worker thread's sleep against the writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MailboxReader, MailboxWriter, OPEN_WAKE_BOUND_MS, WAKE_BOUND_MS } from '../../../../src/telephony/sip/rtp/rtp-mailbox.ts';
import type { Command, CommandBatch, MainMessage } from '../../../../src/telephony/sip/rtp/rtp-protocol.ts';
import { monoNow } from '../../../../src/telephony/sip/rtp/rtp-time.ts';

/** A writer and a reader on one ring in this thread; messages are kept until `deliver` hands them to the reader as the worker would. */
function mailbox(capacity = 4096) {
  let now = 1000;
  const messages: MainMessage[] = [];
  const writer = new MailboxWriter((m) => void messages.push(m), () => now, capacity);
  const reader = new MailboxReader(writer.buffer, 0);
  const got: Command[] = [];
  /** What the worker does on a step: read the ring. */
  const step = () => got.push(...reader.take());
  /** What it does on a message: the ring first, then the message's commands. */
  const deliver = () => {
    for (const m of messages.splice(0)) {
      step();
      if (m.type !== 'commands') continue;
      reader.received(m);
      got.push(...m.list);
      reader.handled();
    }
  };
  return { writer, reader, got, messages, step, deliver, pass: (ms: number) => (now += ms), now: () => now };
}

const close = (sid: number): Command => ({ op: 'close', sid });
const sids = (list: Command[]) => list.map((c) => ('sid' in c ? c.sid : -1));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const commandsIn = (m: MainMessage[]) => m.filter((x): x is CommandBatch => x.type === 'commands');

test('commands go through the ring in order, across its wrap-around, with no message while the worker is awake', () => {
  const { writer, reader, got, messages, step } = mailbox(256);
  reader.awake(1000);
  let sid = 0;
  for (let round = 0; round < 50; round++) {
    // Records of different sizes, so they end at every offset and some find too little room before the ring's end.
    const list = range(0, 1 + (round % 4)).map(() => (sid % 3 === 0 ? { op: 'hear' as const, sid: sid++, on: true, at: 1.5 } : close(sid++)));
    writer.send(list, 0);
    step();
  }
  assert.deepEqual(sids(got), range(0, sid));
  assert.deepEqual(messages, [], 'all through the ring, the worker awake');
});

test('short runs are copied into the ring; shared ones are given once by message, then named by id; forgotten ids are dropped', () => {
  const { writer, reader, got, messages, step, deliver } = mailbox();
  reader.awake(1000);
  const short = Int16Array.from({ length: 160 }, (_, i) => i - 80);
  const prompt = new Int16Array(new SharedArrayBuffer(16000)).fill(5);
  const pcmu = new Uint8Array(new SharedArrayBuffer(8000)).fill(0xff);
  writer.send([{ op: 'mix', sid: 1, at: 10, samples: short }], 0);
  step();
  const mix = got[0] as Extract<Command, { op: 'mix' }>;
  assert.deepEqual(mix.samples, short);
  assert.notEqual(mix.samples.buffer, short.buffer, 'a copy out of the ring');
  const send: Command = { op: 'send', sid: 1, at: 20, samples: prompt, g711: { PCMU: pcmu } };
  writer.send([send, close(2)], 0);
  assert.equal(commandsIn(messages).length, 1, 'the first use of a shared run goes by message');
  assert.equal(commandsIn(messages)[0]!.shares.length, 2);
  writer.send([close(3)], 0);
  assert.equal(commandsIn(messages).length, 2, 'and the next commands too, until the worker handled it');
  deliver();
  assert.equal(reader.sharedCount, 2);
  writer.send([send], 0);
  assert.equal(messages.length, 0, 'now through the ring');
  step();
  assert.deepEqual(sids(got), [1, 1, 2, 3, 1]);
  const again = got[4] as Extract<Command, { op: 'send' }>;
  assert.equal(again.samples, prompt, 'the same shared memory');
  assert.equal(again.g711!.PCMU, pcmu);
  (writer as unknown as { forget(id: number): void }).forget(1);
  step();
  assert.equal(reader.sharedCount, 1);
});

test('a full ring: the rest go by message after what the ring holds, and every command after them too until it is handled', () => {
  const { writer, reader, got, messages, step, deliver } = mailbox(256);
  reader.awake(1000);
  writer.send(range(0, 40).map(close), 0);
  const first = commandsIn(messages);
  assert.equal(first.length, 1, 'what did not fit');
  assert.ok(first[0]!.list.length > 0 && first[0]!.list.length < 40);
  writer.send([close(40)], 0);
  step(); // the worker reads the ring at a step before the message comes: still in order
  writer.send([close(41)], 0);
  assert.equal(commandsIn(messages).length, 3, 'by message while one is in flight, though the ring has room');
  deliver();
  writer.send([close(42)], 0);
  assert.equal(messages.length, 0);
  step();
  assert.deepEqual(sids(got), range(0, 43));
});

test('a command wakes the worker only when it would sleep past the bound; an open past a millisecond', () => {
  const { writer, reader, messages, step, now } = mailbox();
  const wakes = () => messages.splice(0).filter((m) => m.type === 'wake').length;
  reader.awake(now());
  writer.send([close(1)], 0);
  assert.equal(wakes(), 0, 'awake: it reads the ring before it sleeps');
  assert.equal(reader.sleeping(now() + WAKE_BOUND_MS + 2), true, 'and the command is there when it says it sleeps');
  step();
  assert.equal(reader.sleeping(now() + WAKE_BOUND_MS - 1), false);
  writer.send([close(2)], 0);
  assert.equal(wakes(), 0, 'its next step is soon enough');
  step();
  reader.sleeping(now() + WAKE_BOUND_MS - 1);
  writer.send([{ op: 'open', sid: 3, port: 10000, host: '127.0.0.1', phase: 0, inbandDtmf: true, cname: 'x', jitter: {} }], 0);
  assert.equal(wakes(), 1, 'an open does not wait for it');
  step();
  reader.sleeping(now() + OPEN_WAKE_BOUND_MS - 0.5);
  writer.send([{ op: 'stats', id: 1, reset: false }], 0);
  assert.equal(wakes(), 0, 'unless it wakes within the open bound');
  step();
  reader.sleeping(now() + 50);
  writer.send([close(4), close(5)], 0);
  assert.equal(wakes(), 1, 'one wake-up for the turn\'s commands');
});

test('the platform clock\'s offset reaches the worker in order with the commands', () => {
  const { writer, reader, step } = mailbox();
  writer.send([close(1)], 7);
  step();
  assert.equal(reader.wallOffset, 7);
  writer.send([close(2)], 9);
  step();
  assert.equal(reader.wallOffset, 9);
});

test('a worker thread racing its sleep against the writes misses no command and no wake-up, and reads them in order', { timeout: 120_000 }, async () => {
  const ROUNDS = 5_000;
  const worker = new Worker(new URL('./mailbox-race-worker.mjs', import.meta.url));
  const acks = new Map<number, () => void>();
  let ready!: () => void;
  let done!: (r: { count: number; errors: string[]; sleeps: number }) => void;
  const started = new Promise<void>((r) => (ready = r));
  const finished = new Promise<{ count: number; errors: string[]; sleeps: number }>((r) => (done = r));
  worker.on('message', (m: { ready?: true; ack?: number; count?: number; errors: string[]; sleeps: number }) => {
    if (m.ready) ready();
    else if (m.ack !== undefined) acks.get(m.ack)?.();
    else done(m as { count: number; errors: string[]; sleeps: number });
  });
  let wakes = 0;
  const writer = new MailboxWriter(
    (m, transfer) => {
      if (m.type === 'wake') wakes++;
      worker.postMessage(m, transfer);
    },
    monoNow,
    256, // small: it fills, and some commands go by message
  );
  worker.postMessage(writer.buffer);
  await started;
  let sid = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // A few microseconds or none, so the writes fall at every point of the worker's way to sleep.
    const spin = Math.random() < 0.7 ? Math.random() * 0.03 : 0;
    for (const end = performance.now() + spin; performance.now() < end; );
    const list = range(sid, sid + 1 + (round % 3)).map(close);
    sid += list.length;
    // The round's last command asks for an ack: a wake-up lost on the way leaves the worker asleep and this test hanging.
    const last = sid++;
    const acked = new Promise<void>((r) => acks.set(last, r));
    writer.send([...list, { op: 'hear', sid: last, on: true, at: 0 }], 0);
    await acked;
    acks.delete(last);
  }
  worker.postMessage({ type: 'done' });
  const result = await finished;
  await worker.terminate();
  assert.deepEqual(result.errors, []);
  assert.equal(result.count, sid);
  assert.ok(wakes > 0 && result.sleeps > 0, 'the race was run: the worker slept and was woken');
});
