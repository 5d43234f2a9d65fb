// The workers' real sockets, every kind: node:dgram (rtp-udp.ts) and the
// batched-UDP addon (rtp-udp-batch.ts, when `npm ci` built it) over
// io_uring (where the kernel allows it) and over epoll. A socket
// told to listen to one peer is connected to it (sends name no address) and
// still reaches anyone else it is asked to send to; told to listen to anyone
// again, it hears any source. Real UDP on loopback; only what arrives is
// checked, never when.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';
import type { Network, UdpSocket } from '../../../../src/telephony/sip/rtp/rtp-media-loop.ts';
import { udpNetwork } from '../../../../src/telephony/sip/rtp/rtp-udp.ts';
import { BatchedNetwork, loadBatchedUdp } from '../../../../src/telephony/sip/rtp/rtp-udp-batch.ts';
import { monoNow } from '../../../../src/telephony/sip/rtp/rtp-time.ts';

const HOST = '127.0.0.1';
const at = (port: number): Address => ({ address: HOST, port });
const addon = loadBatchedUdp();
const cleanups: (() => void)[] = [];
after(() =>
  cleanups.forEach((c) => {
    try {
      c();
    } catch {
      // Closed by its test already (dgram throws on a second close).
    }
  }),
);

/**
 * A network as a worker drives it: a batched one hands over what arrived
 * only when asked and sends only when flushed, so here it is asked often.
 */
function driven(network: Network): Network {
  if (!network.receive) return network;
  const pump = setInterval(() => {
    network.flush!();
    network.receive!();
  }, 2);
  cleanups.push(() => clearInterval(pump));
  return network;
}

const noAddon = 'reason' in addon && `the batched-UDP addon is not available: ${addon.reason}`;
const uringUnavailable = 'addon' in addon ? addon.addon.uringUnavailable() : null;
/** The addon's network, over io_uring where it can be set up (`uring`), else epoll. */
const batched = (uring: boolean) => new BatchedNetwork((addon as { addon: never }).addon, uring);

const networks: [string, number, () => Network][] = [
  ['dgram', 42100, () => udpNetwork],
  ['batched', 42110, () => driven(batched(true))],
  ['batched over epoll', 42130, () => driven(batched(false))],
];

for (const [name, base, make] of networks) {
  const skip = name !== 'dgram' && noAddon;

  /** A bound socket and what reached it, as "from-port:first-byte". */
  async function end(network: Network, port: number) {
    const got: string[] = [];
    const waiters: (() => void)[] = [];
    const socket: UdpSocket = await network.bind(port, HOST, (packet, from) => {
      got.push(`${from.port}:${packet[0]}`);
      waiters.splice(0).forEach((w) => w());
    });
    cleanups.unshift(() => socket.close());
    /** Resolves once `what` has arrived. */
    const receives = (what: string) =>
      new Promise<void>((resolve) => {
        const look = () => (got.includes(what) ? resolve() : waiters.push(look));
        look();
      });
    return { socket, got, receives };
  }

  test(`${name}: connected to its peer it still sends to others, and hears anyone once opened again`, { skip }, async () => {
    const network = make();
    const [a, b, c] = await Promise.all([end(network, base), end(network, base + 2), end(network, base + 4)]);
    a.socket.connect!(at(base + 2));
    a.socket.send(Uint8Array.of(1), at(base + 2));
    await b.receives(`${base}:1`);
    b.socket.send(Uint8Array.of(2), at(base));
    await a.receives(`${base + 2}:2`);
    // Asked to send elsewhere, the socket leaves its peer rather than fail.
    a.socket.send(Uint8Array.of(3), at(base + 4));
    await c.receives(`${base}:3`);
    a.socket.connect!(at(base + 2));
    a.socket.connect!(null);
    c.socket.send(Uint8Array.of(4), at(base));
    await a.receives(`${base + 4}:4`);
    assert.deepEqual(b.got, [`${base}:1`]);
  });

  test(`${name}: telling a closed socket whom to hear does nothing`, { skip }, async () => {
    const a = await end(make(), base + 6);
    a.socket.close();
    assert.doesNotThrow(() => a.socket.connect!(at(base + 2)));
    assert.doesNotThrow(() => a.socket.connect!(null));
  });

  test(`${name}: a port in use is refused with EADDRINUSE`, { skip }, async () => {
    const network = make();
    await end(network, base + 8);
    await assert.rejects(network.bind(base + 8, HOST, () => {}), { code: 'EADDRINUSE' });
  });
}

test('batched: io_uring where the kernel allows it, else epoll', { skip: noAddon }, () => {
  assert.equal(batched(true).kind, uringUnavailable === null ? 'io_uring' : 'epoll');
  assert.equal(batched(false).kind, 'epoll');
});

for (const [name, base, uring] of [
  ['batched', 42150, true],
  ['batched over epoll', 42170, false],
] as const) {
  test(`${name}: one receive hands over datagrams from several sources on several sockets, each with its own source and arrival time`, { skip: noAddon }, async () => {
    const network = batched(uring);
    const got: string[] = [];
    const times: number[] = [];
    const sockets = await Promise.all(
      [0, 2, 4].map((d) =>
        network.bind(base + d, HOST, (packet, from, arrivalMs) => {
          got.push(`${base + d}<${from.port}:${packet.join('.')}`);
          times.push(arrivalMs!);
        }),
      ),
    );
    cleanups.unshift(() => sockets.forEach((s) => s.close()));
    const before = monoNow();
    // 0 → 2, 4 → 2, 0 → 2 again (the source changes twice in one batch), 2 → 4.
    sockets[0]!.send(Uint8Array.of(1, 1), at(base + 2));
    sockets[2]!.send(Uint8Array.of(2), at(base + 2));
    sockets[0]!.send(Uint8Array.of(3, 3, 3), at(base + 2));
    sockets[1]!.send(Uint8Array.of(4), at(base + 4));
    network.flush();
    while (got.length < 4) {
      await new Promise((r) => setTimeout(r, 2));
      network.receive();
    }
    assert.deepEqual(got.sort(), [`${base + 2}<${base}:1.1`, `${base + 2}<${base}:3.3.3`, `${base + 2}<${base + 4}:2`, `${base + 4}<${base + 2}:4`]);
    // Arrival times are the kernel's, on the workers' monotonic clock (not the wall clock the kernel stamps
    // with): between the sends and now, give or take what a starved machine may put between two clock readings.
    const now = monoNow();
    for (const t of times) assert.ok(t >= before - 100 && t <= now + 100, `arrival ${t} not within [${before}, ${now}]`);
  });

  test(`${name}: datagrams waiting together on one socket all come in one receive; one longer than a slot is dropped alone`, { skip: noAddon }, async () => {
    const network = batched(uring);
    const got: number[] = [];
    const a = await network.bind(base + 6, HOST, () => {});
    const b = await network.bind(base + 8, HOST, (packet) => void got.push(packet[0]!));
    cleanups.unshift(() => [a, b].forEach((s) => s.close()));
    const sender = (await import('node:dgram')).createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, HOST, () => r()));
    cleanups.unshift(() => sender.close());
    // Sent from outside the network, and all there before it looks: io_uring's receive completes
    // one datagram per socket at a time, the rest wait behind it in the kernel.
    for (const packet of [Uint8Array.of(1), new Uint8Array(3000).fill(2), Uint8Array.of(3), Uint8Array.of(4)]) {
      await new Promise<void>((r) => sender.send(packet, base + 8, HOST, () => r()));
    }
    a.send(Uint8Array.of(5), at(base + 8));
    network.flush();
    await new Promise((r) => setTimeout(r, 20));
    network.receive();
    // On a starved machine the last datagram may still be on its way.
    while (got.length < 4) {
      await new Promise((r) => setTimeout(r, 5));
      network.receive();
    }
    assert.deepEqual(got, [1, 3, 4, 5]);
  });

  test(`${name}: a socket bound with a datagram handler gets each datagram in place in the receive buffer, with its source and arrival time`, { skip: noAddon }, async () => {
    const network = batched(uring);
    const got: string[] = [];
    const viewed: number[] = [];
    const a = await network.bind(base + 14, HOST, () => {});
    const b = await network.bind(
      base + 16,
      HOST,
      (packet) => void viewed.push(packet[0]!),
      (buffer, start, length, from, arrivalMs) => {
        assert.ok(Number.isFinite(arrivalMs));
        got.push(`${from.port}:${buffer.subarray(start, start + length).join('.')}`);
      },
    );
    cleanups.unshift(() => [a, b].forEach((s) => s.close()));
    a.send(Uint8Array.of(1, 2, 3), at(base + 16));
    a.send(Uint8Array.of(4), at(base + 16));
    a.send(new Uint8Array(172).fill(5), at(base + 16));
    network.flush();
    while (got.length + viewed.length < 3) {
      await new Promise((r) => setTimeout(r, 2));
      network.receive();
    }
    assert.deepEqual(got, [`${base + 14}:1.2.3`, `${base + 14}:4`, `${base + 14}:${new Array(172).fill(5).join('.')}`]);
    assert.deepEqual(viewed, [], 'no view made for the packet handler');
  });

  test(`${name}: a closed socket's port is free at once, its receive given back`, { skip: noAddon }, async () => {
    const network = batched(uring);
    network.receive(); // its receive armed and with the kernel
    const first = await network.bind(base + 10, HOST, () => {});
    network.receive();
    first.close();
    const got: number[] = [];
    const again = await network.bind(base + 10, HOST, (packet) => void got.push(packet[0]!));
    cleanups.unshift(() => again.close());
    const other = await network.bind(base + 12, HOST, () => {});
    cleanups.unshift(() => other.close());
    other.send(Uint8Array.of(7), at(base + 10));
    network.flush();
    while (got.length < 1) {
      await new Promise((r) => setTimeout(r, 2));
      network.receive();
    }
    assert.deepEqual(got, [7]);
  });

  test(`${name}: sockets closed together send what they queued before, and their ports are free after the next flush`, { skip: noAddon }, async () => {
    const network = batched(uring);
    const { createSocket } = await import('node:dgram');
    const receiver = createSocket('udp4');
    const got: number[] = [];
    receiver.on('message', (m) => void got.push(m[0]!));
    await new Promise<void>((r) => receiver.bind(0, HOST, () => r()));
    cleanups.unshift(() => receiver.close());
    const to = at(receiver.address().port);
    const ports = [base + 18, base + 19];
    const sockets = await Promise.all(ports.map((port) => network.bind(port, HOST, () => {})));
    sockets.forEach((s, i) => s.send(Uint8Array.of(i + 1), to));
    sockets.forEach((s) => s.close());
    network.flush();
    for (const port of ports) {
      const again = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.bind(port, HOST, () => resolve());
      });
      again.close();
    }
    while (got.length < 2) await new Promise((r) => setTimeout(r, 2));
    assert.deepEqual(got.sort(), [1, 2]);
  });
}

test('an addon that cannot be loaded says why', () => {
  const missing = loadBatchedUdp('/nonexistent/rtp_udp.node');
  assert.ok('reason' in missing && /not built/.test(missing.reason));
});

test('an addon built from older sources (the checkout updated without npm ci) is not used, and says how to rebuild it', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const old = `${await mkdtemp(`${tmpdir()}/rtp-udp-`)}/rtp_udp.js`;
  await writeFile(old, 'module.exports = { create() {}, receive() {}, flush() {} };');
  const stale = loadBatchedUdp(old);
  assert.ok('reason' in stale && /postprepare/.test(stale.reason));
});
