// The worker side of rtp-mailbox.test.ts's race: a thread that reads the
// mailbox as a media worker does — when woken by a message or by its own
// timer — and between reads sleeps either briefly (a timer, like a worker's
// next step) or until a message wakes it, so a lost wake-up leaves it asleep
// for good. It acks every `hear` command it reads and reports what it saw.
import { register } from 'tsx/esm/api';
register();
const { parentPort } = await import('node:worker_threads');
const { MailboxReader } = await import('../../../../src/telephony/sip/rtp/rtp-mailbox.ts');
const { monoNow } = await import('../../../../src/telephony/sip/rtp/rtp-time.ts');

parentPort.once('message', (buffer) => {
  const reader = new MailboxReader(buffer, 0);
  const errors = [];
  let expected = 0;
  let sleeps = 0;
  let timer;
  const got = (c) => {
    if (c.sid !== expected) errors.push(`read ${c.sid} where ${expected} was next`);
    expected = c.sid + 1;
    if (c.op === 'hear') parentPort.postMessage({ ack: c.sid });
  };
  const read = () => {
    for (const c of reader.take()) got(c);
  };
  const rest = () => {
    clearTimeout(timer);
    let until;
    if (Math.random() < 0.5) {
      const ms = Math.random() * 3;
      until = monoNow() + ms;
      timer = setTimeout(wake, ms);
    } else {
      until = monoNow() + 3_600_000;
      sleeps++;
    }
    while (reader.sleeping(until)) {
      reader.awake(monoNow());
      read();
    }
  };
  const wake = () => {
    reader.awake(monoNow());
    read();
    rest();
  };
  parentPort.on('message', (m) => {
    if (m.type === 'done') return parentPort.postMessage({ count: expected, errors, sleeps });
    reader.awake(monoNow());
    read();
    if (m.type === 'commands') {
      reader.received(m);
      for (const c of m.list) got(c);
      reader.handled();
    }
    rest();
  });
  parentPort.postMessage({ ready: true });
  rest();
});
