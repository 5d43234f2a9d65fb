// The SIP transport's UDP sends (udp-sends.ts): a turn's datagrams leave
// together in one call to the addon, in order, each to its own
// destination; one the kernel refuses goes through the fallback (dgram)
// and the rest still leave; closing the transport sends what is queued.
// A recording addon checks the calls; real sockets on loopback check what
// arrives (never when).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { loadBatchedUdp } from '../../../src/telephony/sip/rtp/rtp-udp-batch.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';
import { loadSipUdp, UdpSends, type SipUdpAddon } from '../../../src/telephony/sip/transport/udp-sends.ts';

const loaded = loadBatchedUdp();
const noAddon = 'reason' in loaded ? `the batched-UDP addon is not built: ${loaded.reason}` : false;
const udp = (address: string, port: number): Flow => ({ transport: 'udp', address, port });
const turn = () => new Promise((r) => setImmediate(r));
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

/** Decodes the records as sip_udp.c reads them: length, port, address length, address, datagram. */
function decode(records: ArrayBuffer, first: number, count: number): string[] {
  const bytes = Buffer.from(records);
  const out: string[] = [];
  for (let i = 0, at = 0; i < count; i++) {
    const length = bytes.readUInt16LE(at);
    const port = bytes.readUInt16LE(at + 2);
    const addressLength = bytes[at + 4]!;
    const address = bytes.toString('latin1', at + 8, at + 8 + addressLength);
    if (i >= first) out.push(`${address}:${port} ${bytes.toString('latin1', at + 8 + addressLength, at + 8 + addressLength + length)}`);
    at += (8 + addressLength + length + 3) & ~3;
  }
  return out;
}

test("a turn's datagrams go to the addon in one call at its end, in order, each with its destination", async () => {
  const calls: string[][] = [];
  const addon: SipUdpAddon = {
    openUdp: () => 0,
    sendRecords: (_fd, _family, records, first, count) => (calls.push(decode(records, first, count)), count),
  };
  const sends = new UdpSends(addon, 7, 4, () => assert.fail('nothing refused'));
  const reused = Buffer.from('INVITE');
  sends.send(reused, udp('127.0.0.1', 5060));
  reused.write('XXXXXX'); // the caller may reuse its bytes once send returns
  sends.send(Buffer.from('100 Trying'), udp('10.1.2.3', 5070));
  sends.send(Buffer.from('a'), udp('::1', 5080));
  assert.deepEqual(calls, [], 'nothing sent before the turn ends');
  await turn();
  assert.deepEqual(calls, [['127.0.0.1:5060 INVITE', '10.1.2.3:5070 100 Trying', '::1:5080 a']]);
  sends.send(Buffer.from('BYE'), udp('127.0.0.1', 5060));
  await turn();
  assert.deepEqual(calls[1], ['127.0.0.1:5060 BYE'], 'the next turn starts an empty batch');
});

test('a datagram the kernel refuses goes through the fallback, and the ones after it still leave', async () => {
  const calls: [number, number][] = [];
  const fallback: string[] = [];
  const addon: SipUdpAddon = {
    openUdp: () => 0,
    // Refuses record 1 the first time it is asked.
    sendRecords: (_fd, _family, _records, first, count) => (calls.push([first, count]), first <= 1 ? 1 : count),
  };
  const sends = new UdpSends(addon, 7, 4, (bytes, to) => void fallback.push(`${to.address}:${to.port} ${bytes.toString()}`));
  for (const [i, text] of ['one', 'two', 'three'].entries()) sends.send(Buffer.from(text), udp('127.0.0.1', 5060 + i));
  await turn();
  assert.deepEqual(calls, [
    [0, 3],
    [2, 3],
  ]);
  assert.deepEqual(fallback, ['127.0.0.1:5061 two']);
});

test('a datagram longer than a record can say, or an address longer than one can hold, goes straight to the fallback', async () => {
  const calls: string[][] = [];
  const fallback: string[] = [];
  const addon: SipUdpAddon = { openUdp: () => 0, sendRecords: (_fd, _family, records, first, count) => (calls.push(decode(records, first, count)), count) };
  const sends = new UdpSends(addon, 7, 4, (bytes, to) => void fallback.push(`${to.address.length} ${bytes.length}`));
  sends.send(Buffer.alloc(0x10000), udp('127.0.0.1', 5060));
  sends.send(Buffer.from('x'), udp('h'.repeat(64), 5060));
  sends.send(Buffer.from('ok'), udp('127.0.0.1', 5060));
  await turn();
  assert.deepEqual(fallback, ['9 65536', '64 1']);
  assert.deepEqual(calls, [['127.0.0.1:5060 ok']]);
});

async function receiver(type: 'udp4' | 'udp6', host: string): Promise<{ port: number; got: string[] }> {
  const socket = dgram.createSocket(type);
  const got: string[] = [];
  socket.on('message', (m, from) => void got.push(`${from.port} ${m.toString()}`));
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  cleanups.push(() => socket.close());
  return { port: socket.address().port, got };
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 2));
}

for (const [type, host] of [
  ['udp4', '127.0.0.1'],
  ['udp6', '::1'],
] as const) {
  test(`over ${type}: the transport's datagrams arrive from its port, in order, to each destination (over udp4 a name too, through dgram's lookup)`, { skip: noAddon }, async () => {
    const transport = await NetSipTransport.listen({ host, port: 0, clock: new VirtualClock(0) }, () => {}, (err) => assert.fail(err));
    cleanups.push(() => transport.close());
    const a = await receiver(type, host);
    const b = await receiver(type, host);
    for (let i = 0; i < 20; i++) {
      // In the middle of the batch: the addon refuses it (no address), dgram sends it, the addon goes on after it.
      // (Not over udp6: a host's /etc/hosts may give no name an IPv6 loopback address.)
      if (i === 10) transport.send(Buffer.from('by name'), udp(type === 'udp4' ? 'localhost' : host, b.port));
      transport.send(Buffer.from(`to a ${i}`), udp(host, a.port));
    }
    transport.send(Buffer.from('to b'), udp(host, b.port));
    await until(() => a.got.length === 20 && b.got.length === 2);
    const from = transport.local.port;
    assert.deepEqual(
      a.got,
      Array.from({ length: 20 }, (_, i) => `${from} to a ${i}`),
    );
    assert.deepEqual(b.got.sort(), [`${from} by name`, `${from} to b`]);
  });
}

test('closing the transport sends what it queued this turn first', { skip: noAddon }, async () => {
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock: new VirtualClock(0) }, () => {}, (err) => assert.fail(err));
  const a = await receiver('udp4', '127.0.0.1');
  transport.send(Buffer.from('last words'), udp('127.0.0.1', a.port));
  await transport.close();
  await until(() => a.got.length === 1);
  assert.deepEqual(a.got, [`${transport.local.port} last words`]);
});

test('the transport receives on the socket the addon opened', { skip: noAddon }, async () => {
  const got: string[] = [];
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock: new VirtualClock(0) }, (bytes, flow) => void got.push(`${flow.transport} ${bytes.toString()}`), (err) => assert.fail(err));
  cleanups.push(() => transport.close());
  const socket = dgram.createSocket('udp4');
  cleanups.push(() => socket.close());
  socket.send('OPTIONS', transport.local.port, '127.0.0.1');
  await until(() => got.length === 1);
  assert.deepEqual(got, ['udp OPTIONS']);
});

test('an addon built before these functions is not used for SIP (dgram sends), and not refused for the media workers', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const old = `${await mkdtemp(`${tmpdir()}/sip-udp-`)}/rtp_udp.js`;
  await writeFile(old, 'module.exports = { create() {}, receive() {}, flush() {}, closeMarked() {} };');
  assert.equal(loadSipUdp(old), null);
  assert.ok('addon' in loadBatchedUdp(old));
  assert.equal(loadSipUdp('/nonexistent/rtp_udp.node'), null);
});
