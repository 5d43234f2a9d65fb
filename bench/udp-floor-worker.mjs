// The floor of bench:sip-media: one media worker's share of N legs as bare
// UDP sockets — every 20 ms (legs in four 5 ms phases) each sends a
// 172-byte datagram to its partner and counts what it receives — with no
// RTP work at all. What the real workers spend above this is our code.
// Like the workers' sockets once a session's source is settled, each socket
// is connected to its partner (sends name no address).
// workerData: { ports: number[] (this worker's legs), partnerOf: {[port]: port}, seconds }
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

const { ports, partnerOf, seconds } = workerData;
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
let received = 0;
let sent = 0;
const packet = Buffer.alloc(172);
parentPort.postMessage({ ready: true });
await new Promise((resolve) => parentPort.once('message', resolve));
const t0 = performance.now();
let step = 0;
const run = () => {
  const now = performance.now();
  while (t0 + step * 5 <= now) {
    for (let i = step % 4; i < sockets.length; i += 4) {
      sockets[i].send(packet);
      sent++;
    }
    step++;
  }
  if (now - t0 < seconds * 1000) setTimeout(run, t0 + step * 5 - performance.now());
  else {
    for (const s of sockets) s.close();
    parentPort.postMessage({ sent, received });
  }
};
run();
