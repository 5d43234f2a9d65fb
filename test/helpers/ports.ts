// Ports for a test's own SIP listener. A fixed port inside the kernel's
// ephemeral range (32768–60999 on Linux) can be held at any moment by some
// process's outgoing socket (an HTTP client, SIPp, PostgreSQL), and then the
// server fails to start with EADDRINUSE; a port the kernel has just handed out
// as free, on UDP and on TCP, is not held by anyone.

import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

function tryTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback UDP port the kernel has just handed out as free. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** A loopback port free for both UDP and TCP, as a SIP server listens on both. */
export async function freeSipPort(): Promise<number> {
  for (;;) {
    const port = await freeUdpPort();
    if (await tryTcp(port)) return port;
  }
}
