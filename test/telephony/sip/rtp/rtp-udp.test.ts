// The workers' real sockets: a socket told to listen to one peer is
// connected to it (sends name no address) and still reaches anyone else it
// is asked to send to; told to listen to anyone again, it hears any source.
// Real UDP on loopback; only what arrives is checked, never when.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';
import type { UdpSocket } from '../../../../src/telephony/sip/rtp/rtp-media-loop.ts';
import { udpNetwork } from '../../../../src/telephony/sip/rtp/rtp-udp.ts';

const HOST = '127.0.0.1';
const at = (port: number): Address => ({ address: HOST, port });

/** A bound socket and what reached it, as "from-port:first-byte". */
async function end(port: number) {
  const got: string[] = [];
  const waiters: (() => void)[] = [];
  const socket: UdpSocket = await udpNetwork.bind(port, HOST, (packet, from) => {
    got.push(`${from.port}:${packet[0]}`);
    waiters.splice(0).forEach((w) => w());
  });
  /** Resolves once `what` has arrived. */
  const receives = (what: string) =>
    new Promise<void>((resolve) => {
      const look = () => (got.includes(what) ? resolve() : waiters.push(look));
      look();
    });
  return { socket, got, receives };
}

const opened: UdpSocket[] = [];
after(() => opened.forEach((s) => s.close()));

test('connected to its peer it still sends to others, and hears anyone once opened again', async () => {
  const [a, b, c] = await Promise.all([end(42100), end(42102), end(42104)]);
  opened.push(a.socket, b.socket, c.socket);
  a.socket.connect!(at(42102));
  a.socket.send(Uint8Array.of(1), at(42102));
  await b.receives('42100:1');
  b.socket.send(Uint8Array.of(2), at(42100));
  await a.receives('42102:2');
  // Asked to send elsewhere, the socket leaves its peer rather than fail.
  a.socket.send(Uint8Array.of(3), at(42104));
  await c.receives('42100:3');
  a.socket.connect!(at(42102));
  a.socket.connect!(null);
  c.socket.send(Uint8Array.of(4), at(42100));
  await a.receives('42104:4');
  assert.deepEqual(b.got, ['42100:1']);
});

test('telling a closed socket whom to hear does nothing', async () => {
  const a = await end(42106);
  a.socket.close();
  assert.doesNotThrow(() => a.socket.connect!(at(42102)));
  assert.doesNotThrow(() => a.socket.connect!(null));
});
