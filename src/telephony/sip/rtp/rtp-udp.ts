// The media workers' network: real UDP sockets (node:dgram) behind the
// MediaLoop's Network interface.
import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Address } from './rtp-latch.ts';
import type { Network, UdpSocket } from './rtp-media-loop.ts';

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

/**
 * A connected socket (the session's source is settled) sends without an
 * address: no lookup, no address parsing, and the kernel keeps the route.
 * Connecting and disconnecting are synchronous here (addresses are answered
 * at once), so no send ever finds the socket half-connected.
 */
function udpSocket(socket: dgram.Socket): UdpSocket {
  let peer: Address | null = null;
  const disconnect = () => {
    if (!peer) return;
    peer = null;
    try {
      socket.disconnect();
    } catch {
      // Closed meanwhile.
    }
  };
  return {
    send(packet, to) {
      if (peer && peer !== to && (peer.port !== to.port || peer.address !== to.address)) disconnect();
      // dgram keeps the bytes it is handed, not a copy, when the kernel cannot take them at once; a session's packet is rewritten by the next one.
      const bytes = Buffer.from(packet);
      if (peer) socket.send(bytes);
      else socket.send(bytes, to.port, to.address);
    },
    connect(to) {
      disconnect();
      if (!to) return;
      try {
        socket.connect(to.port, to.address);
        socket.remoteAddress(); // throws unless the connect took
        peer = to;
      } catch {
        // Not connected (closed, or the address refused): keep sending with the address.
      }
    },
    close: () => socket.close(),
  };
}

export const udpNetwork: Network = {
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
        socket.on('message', onPacket);
        resolve(udpSocket(socket));
      });
    });
  },
};

