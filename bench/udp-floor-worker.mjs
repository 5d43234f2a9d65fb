// The floor of bench:sip-media: one media worker's share of N legs as bare
// UDP sockets — every 20 ms (legs in four 5 ms phases) each sends a
// 172-byte datagram to its partner and counts what it receives — with no
// RTP work at all. What the real workers spend above this is our code.
// Like the workers' sockets once a session's source is settled, each socket
// is connected to its partner (sends name no address). `io` picks the
// sockets the workers use: node:dgram, or the batched-UDP addon over
// io_uring or epoll (native/rtp-udp: each step receives everything pending
// in one call and sends its packets in one call, as rtp-udp-batch.ts does).
// workerData: { ports: number[] (this worker's legs), partnerOf: {[port]: port}, seconds, io: 'dgram' | 'epoll' | 'io_uring' }
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const { ports, partnerOf, seconds, io } = workerData;
const PACKET_BYTES = 172;
let received = 0;
let sent = 0;

/** send(i): queue (batched) or send socket i's packet; flush(): what a step queued leaves; close(). */
async function dgramSockets() {
  const lookup = (host, _options, callback) => callback(null, host, 4);
  const sockets = await Promise.all(
    ports.map(
      (port) =>
        new Promise((resolve) => {
          const s = dgram.createSocket({ type: 'udp4', lookup });
          s.on('message', () => received++);
          s.bind(port, '127.0.0.1', () => s.connect(partnerOf[port], '127.0.0.1', () => resolve(s)));
        }),
    ),
  );
  const packet = Buffer.alloc(PACKET_BYTES);
  return { send: (i) => sockets[i].send(packet), flush: () => {}, receive: () => {}, close: () => sockets.forEach((s) => s.close()) };
}

function batchedSockets(uring) {
  const addon = createRequire(import.meta.url)('../native/rtp-udp/build/Release/rtp_udp.node');
  const recv = new ArrayBuffer(1024 * addon.SLOT_BYTES);
  const send = new ArrayBuffer(1024 * 1024);
  const words = new Uint32Array(send);
  const halves = new Uint16Array(send);
  const handle = addon.create(recv, send, uring);
  if (addon.kind(handle) !== io) throw new Error(`the floor's sockets use ${addon.kind(handle)}, not ${io}`);
  const index = ports.map((port) => addon.bind(handle, '127.0.0.1', port));
  for (const [i, port] of ports.entries()) addon.connect(handle, index[i], '127.0.0.1', partnerOf[port]);
  const record = 8 + PACKET_BYTES;
  let queued = 0;
  return {
    send: (i) => {
      words[(queued * record) >> 2] = index[i];
      halves[((queued * record) >> 1) + 2] = PACKET_BYTES;
      queued++;
    },
    flush: () => {
      addon.flush(handle, queued);
      queued = 0;
    },
    receive: () => {
      for (let n = 1024; n === 1024; received += n) n = addon.receive(handle);
    },
    close: () => index.forEach((s) => addon.close(handle, s)),
  };
}

const sockets = io === 'dgram' ? await dgramSockets() : batchedSockets(io === 'io_uring');
parentPort.postMessage({ ready: true });
await new Promise((resolve) => parentPort.once('message', resolve));
const t0 = performance.now();
let step = 0;
const run = () => {
  const now = performance.now();
  sockets.receive();
  while (t0 + step * 5 <= now) {
    for (let i = step % 4; i < ports.length; i += 4) {
      sockets.send(i);
      sent++;
    }
    sockets.flush();
    step++;
  }
  if (now - t0 < seconds * 1000) setTimeout(run, t0 + step * 5 - performance.now());
  else {
    sockets.receive();
    sockets.close();
    parentPort.postMessage({ sent, received });
  }
};
run();
