// A media worker thread: real UDP sockets (rtp-udp.ts), a timer paced on the
// monotonic clock, and the MediaLoop that does the work. Started by RtpMedia through
// rtp-worker.mjs (which makes TypeScript loadable in the thread).
import { parentPort, workerData } from 'node:worker_threads';
import { MailboxReader } from './rtp-mailbox.ts';
import { MediaLoop } from './rtp-media-loop.ts';
import { LATE_STEP_MS, Pacer, StepGroups, StepMeter } from './rtp-pacer.ts';
import { loadThreadPriority, startScheduling } from './rtp-priority.ts';
import type { MainMessage, WorkerInit, WorkerMessage, WorkerStats } from './rtp-protocol.ts';
import { monoNow, PHASE_MS } from './rtp-time.ts';
import { udpNetwork } from './rtp-udp.ts';
import { BatchedNetwork, loadBatchedUdp } from './rtp-udp-batch.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

/** The main thread loaded the addon and tried io_uring before asking for either (RtpMedia logs which I/O the workers use). */
function network() {
  const batched = init.io === 'dgram' ? null : loadBatchedUdp();
  return batched && 'addon' in batched ? new BatchedNetwork(batched.addon, init.io === 'io_uring') : udpNetwork;
}

// Only this thread is made real-time (after warm-up, guarded), never the process: see rtp-priority.ts.
const { scheduling, guard } = startScheduling(init.realtime, loadThreadPriority());
const meter = new StepMeter();

const t0 = monoNow();
const loop = new MediaLoop({
  network: network(),
  post: (message: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer),
  now: monoNow,
  t0,
  deliverTicks: init.deliverTicks,
  wallOffset: init.wallOffset,
  wake: () => {
    if (immediate) return;
    clearTimeout(timer);
    timer = setTimeout(step, 0);
    wakesAt = monoNow();
    rest();
  },
  scheduling: (reset) => ({ steps: meter.snapshot(reset), realtime: guard?.realtime ?? scheduling.kind === 'inherited', demotions: guard?.demotions ?? 0 }),
});
/**
 * The main thread's commands: read from the mailbox at every step and
 * whenever a message comes (a wake-up, or commands the mailbox could not
 * carry, which come after those in it); before the thread sleeps it says
 * until when, and reads what came in meanwhile (rtp-mailbox.ts).
 */
const mailbox = new MailboxReader(init.mailbox, init.wallOffset);
/** When the thread wakes by itself next (its timer's step, monotonic ms). */
let wakesAt = 0;
const readMailbox = (): void => {
  const list = mailbox.take();
  if (list.length > 0) loop.handle({ wallOffset: mailbox.wallOffset, list });
};
const rest = (): void => {
  while (mailbox.sleeping(wakesAt)) {
    mailbox.awake(monoNow());
    readMailbox();
  }
};
port.on('message', (m: MainMessage) => {
  mailbox.awake(monoNow());
  readMailbox();
  if (m.type === 'commands') {
    mailbox.received(m);
    loop.handle(m);
    mailbox.handled();
  }
  rest();
});
// bench:sip's app ladder reads each worker's counters over the server's inspector (the server is another
// process, its workers unreachable otherwise): a function on this thread's own global, which nothing else shares.
(globalThis as { rtpWorkerStats?: (reset: boolean) => WorkerStats }).rtpWorkerStats = (reset) => loop.stats(reset);

/**
 * The steps the pacer finds due, with the small ones after them that
 * StepGroups puts in the same wake-up, run together (MediaLoop.steps);
 * those with work are measured (how late each started, how long they took)
 * for the stats, the guard and the groups' estimate.
 */
const due: number[] = [];
const pacer = new Pacer(monoNow, t0, (m) => due.push(m), init.maxCatchUp);
const busy = (m: number) => loop.busy(m);
const groups = new StepGroups();
const ticking = (m: number) => loop.ticking(m);
const groupEnd = (first: number) => groups.end(first, ticking);
const runDue = (): void => {
  const start = monoNow();
  pacer.run(groupEnd);
  let working = 0;
  let late = 0;
  let ticks = 0;
  for (const m of due) {
    if (!busy(m)) continue;
    working++;
    ticks += ticking(m);
    if (start - (t0 + m * PHASE_MS) > LATE_STEP_MS) late++;
  }
  loop.steps(due);
  due.length = 0;
  if (working === 0) return;
  const end = monoNow();
  meter.record(working, late, end - start);
  groups.measured(ticks, end - start);
  const change = guard?.ran(end, working, late);
  if (change) port.postMessage({ type: 'priority', ...change } satisfies WorkerMessage);
};
/**
 * A timer fires on libuv's whole-millisecond loop clock: up to a
 * millisecond after the time asked, which every packet of the step would
 * carry as lateness. So the timer is set a millisecond early and the rest
 * is slept exactly (Atomics.wait; the sockets' datagrams wait in the kernel
 * meanwhile, for under a millisecond). A worker still behind after that
 * goes on at once after the event loop's turn (setImmediate: the commands
 * from the main thread get in), not after a timer's millisecond or two.
 * Steps with nothing to do (phases without sessions, an idle worker) are
 * slept through: each wake-up costs the thread about 0.1 ms of CPU on a
 * virtual machine.
 */
const nap = new Int32Array(new SharedArrayBuffer(4));
let timer: NodeJS.Timeout | undefined;
let immediate: NodeJS.Immediate | undefined;
const step = (): void => {
  immediate = undefined;
  mailbox.awake(monoNow());
  readMailbox();
  runDue();
  let wait = pacer.untilBusy(busy);
  if (wait < 1) {
    Atomics.wait(nap, 0, 0, wait);
    runDue();
    wait = pacer.untilBusy(busy);
  }
  loop.skippedTicks = pacer.skipped;
  if (wait < 1) immediate = setImmediate(step);
  else timer = setTimeout(step, wait - 1);
  wakesAt = monoNow() + Math.max(0, wait - 1);
  rest();
};
port.postMessage({ type: 'ready', t0, scheduling } satisfies WorkerMessage);
step();
