// A media worker thread: real UDP sockets, a timer paced on the monotonic
// clock, and the MediaLoop that does the work. Started by RtpMedia through
// rtp-worker.mjs (which makes TypeScript loadable in the thread).
import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { Address } from './rtp-latch.ts';
import { MediaLoop, type Network, type UdpSocket } from './rtp-media-loop.ts';
import { Pacer } from './rtp-pacer.ts';
import type { CommandBatch, WorkerInit, WorkerMessage } from './rtp-protocol.ts';
import { monoNow } from './rtp-time.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

/**
 * dgram resolves every destination before sending, an IP address included,
 * and sends on the next tick. An address is answered at once instead, so
 * each datagram reaches the kernel inside send(): packets leave when their
 * session ticks, and the lateness measured is when they really left.
 */
function lookup(host: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(host);
  if (family) return callback(null, host, family);
  dnsLookup(host, typeof options === 'number' ? { family: options } : options, callback);
}

const network: Network = {
  bind(localPort, host, onPacket) {
    return new Promise<UdpSocket>((resolve, reject) => {
      const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', lookup });
      const failed = (err: Error) => {
        socket.close();
        reject(err);
      };
      socket.once('error', failed);
      socket.bind(localPort, host, () => {
        socket.off('error', failed);
        // A send to an unreachable far end must not end the worker; the session just goes on.
        socket.on('error', () => {});
        socket.on('message', (msg, rinfo) => onPacket(msg, rinfo));
        resolve({
          send: (packet: Uint8Array, to: Address) => socket.send(packet, to.port, to.address),
          close: () => socket.close(),
        });
      });
    });
  },
};

const t0 = monoNow();
const loop = new MediaLoop({
  network,
  post: (message: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer),
  now: monoNow,
  t0,
  deliverTicks: init.deliverTicks,
  wallOffset: init.wallOffset,
});
port.on('message', (batch: CommandBatch) => loop.handle(batch));

const pacer = new Pacer(monoNow, t0, (m) => loop.step(m), init.maxCatchUp);
const step = (): void => {
  const wait = pacer.run();
  loop.skippedTicks = pacer.skipped;
  setTimeout(step, wait);
};
port.postMessage({ type: 'ready', t0 } satisfies WorkerMessage);
step();
