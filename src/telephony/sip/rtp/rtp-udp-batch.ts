// The media workers' network through the batched-UDP addon
// (native/rtp-udp, built by `npm ci`'s prepare step when a C toolchain is
// there): the addon owns a worker's sockets, and a whole step's datagrams
// cross between JS and the kernel in one call each way — `receive()` hands
// every datagram pending on every socket to its socket's handler, `flush()`
// sends every packet queued since the last flush. The addon reaches the
// kernel through io_uring where it can be set up (a few system calls per
// step), else through epoll + recvmmsg + sendmsg. Without the addon the
// workers use node:dgram (rtp-udp.ts); RtpMedia says which once at start.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Address } from './rtp-latch.ts';
import type { DatagramHandler, Network, PacketHandler, UdpSocket } from './rtp-media-loop.ts';

/** The addon's functions (native/rtp-udp/rtp_udp.c describes the buffers' layouts). */
interface Addon {
  readonly SLOT_BYTES: number;
  readonly SLOT_HEADER: number;
  /** Through io_uring when `uring` and it can be set up here, else epoll (`kind` says which). */
  create(recv: ArrayBuffer, send: ArrayBuffer, uring: boolean): Io;
  kind(io: Io): BatchedIo;
  /** Why io_uring cannot be set up in this process ("io_uring_setup EPERM": a seccomp filter …), or null when it can. */
  uringUnavailable(): string | null;
  /** A socket bound to host:port; throws the system error with its name as `code` (EADDRINUSE …). */
  bind(io: Io, host: string, port: number): number;
  close(io: Io, socket: number): void;
  /** The socket sends and hears nothing more; it is closed at the next closeMarked (with every socket marked before it: one cancel and wait for all over io_uring). */
  closeLater(io: Io, socket: number): void;
  closeMarked(io: Io): void;
  /** Where the socket's packets go from now on; false when `host` is no address. */
  target(io: Io, socket: number, host: string, port: number): boolean;
  /** Receive only from host:port (null: from anyone); true once connected. */
  connect(io: Io, socket: number, host: string | null, port: number): boolean;
  /** Datagrams written into the receive buffer's slots; the buffer may have filled: call again. */
  receive(io: Io): number;
  /** The source address (text) of the datagram in receive slot `slot`. */
  addressAt(io: Io, slot: number): string;
  /** Send the first `count` records of the send buffer; how many the kernel took. */
  flush(io: Io, count: number): number;
  /** The SIP transport's socket and sends (src/telephony/sip/transport/udp-sends.ts); absent from a build older than them. */
  openUdp?(host: string, port: number): number;
  sendRecords?(fd: number, family: 4 | 6, records: ArrayBuffer, first: number, count: number): number;
}
/** How the addon reaches the kernel. */
export type BatchedIo = 'io_uring' | 'epoll';
declare const ioBrand: unique symbol;
type Io = { readonly [ioBrand]: true };

const ADDON = fileURLToPath(new URL('../../../../native/rtp-udp/build/Release/rtp_udp.node', import.meta.url));

/** The addon, or why it cannot be used here (not built: no toolchain at install, not Linux …). */
export function loadBatchedUdp(path = ADDON): { addon: Addon } | { reason: string } {
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<Addon>;
    // A checkout updated without rebuilding keeps the addon its last `npm ci` built.
    if (typeof addon.closeMarked !== 'function') return { reason: 'native/rtp-udp was built from older sources: run `npm run postprepare` (or npm ci) to rebuild it' };
    return { addon: addon as Addon };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { reason: e.code === 'MODULE_NOT_FOUND' ? 'native/rtp-udp is not built (npm ci builds it where a C compiler and Node headers are installed)' : e.message };
  }
}

/** Datagrams one receive() call can hand over (more wait for the next call). */
const RECEIVE_SLOTS = 1024;
const SEND_BYTES = 256 * 1024;
const RECORD_HEADER = 8;

/**
 * One of the addon's sockets, with the same behaviour as rtp-udp.ts's dgram
 * sockets: connected to a peer, it hears only it; asked to send elsewhere,
 * it leaves its peer rather than fail. A class, not closures over a record:
 * a session's every packet goes through it, and one object is less cold
 * memory per tick than three closures, their context and the record.
 */
class BatchedSocket implements UdpSocket {
  /** The source of the last datagram received (one object while it stays the same, as the latch compares it). */
  from: Address = { address: '', port: 0 };
  /** The destination the addon sends this socket's packets to, and whether the socket is connected to it. */
  private to: Address | null = null;
  private peer: Address | null = null;
  private open = true;

  constructor(
    private readonly network: BatchedNetwork,
    private readonly addon: Addon,
    private readonly io: Io,
    private readonly index: number,
    readonly onPacket: PacketHandler,
    /** Takes datagrams in place in the receive buffer (no view per datagram) when the socket's owner can. */
    readonly onDatagram: DatagramHandler | undefined,
  ) {}

  send(packet: Uint8Array, to: Address): void {
    if (!this.open) return;
    const current = this.to;
    if (current !== to && (current === null || current.port !== to.port || current.address !== to.address)) {
      this.disconnect();
      if (!this.addon.target(this.io, this.index, to.address, to.port)) return;
      this.to = to;
    }
    this.network.queue(this.index, packet);
  }

  connect(to: Address | null): void {
    if (!this.open) return;
    this.disconnect();
    if (to === null) return;
    if (this.addon.connect(this.io, this.index, to.address, to.port)) this.peer = this.to = to;
  }

  /** Closed at the network's next flush or bind (a step's or a command batch's closes go together), after the session's last packets (RTCP BYE) left. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.network.close(this.index);
  }

  private disconnect(): void {
    if (this.peer === null) return;
    this.peer = null;
    this.addon.connect(this.io, this.index, null, 0);
  }
}

export class BatchedNetwork implements Network {
  private readonly io: Io;
  private readonly recv: ArrayBuffer;
  private readonly recvBytes: Uint8Array;
  private readonly recvWords: Uint32Array;
  private readonly recvHalves: Uint16Array;
  private readonly recvTimes: Float64Array;
  private readonly send = new ArrayBuffer(SEND_BYTES);
  private readonly sendBytes = new Uint8Array(this.send);
  private readonly sendWords = new Uint32Array(this.send);
  private readonly sendHalves = new Uint16Array(this.send);
  private readonly sockets: (BatchedSocket | undefined)[] = [];
  private queued = 0;
  private queuedBytes = 0;
  /** Sockets closed since the last flush or bind (the addon closes them together then). */
  private closing = 0;
  readonly kind: BatchedIo;

  /** Through io_uring unless `uring` is false or it cannot be set up (then epoll). */
  constructor(
    private readonly addon: Addon,
    uring = true,
  ) {
    this.recv = new ArrayBuffer(RECEIVE_SLOTS * addon.SLOT_BYTES);
    this.recvBytes = new Uint8Array(this.recv);
    this.recvWords = new Uint32Array(this.recv);
    this.recvHalves = new Uint16Array(this.recv);
    this.recvTimes = new Float64Array(this.recv);
    this.io = addon.create(this.recv, this.send, uring);
    this.kind = addon.kind(this.io);
  }

  bind(port: number, host: string, onPacket: PacketHandler, onDatagram?: DatagramHandler): Promise<UdpSocket> {
    // A port closed before is free again for this bind (its socket's last packets sent first).
    if (this.closing > 0) this.flush();
    let index: number;
    try {
      index = this.addon.bind(this.io, host, port);
    } catch (err) {
      return Promise.reject(err);
    }
    const socket = new BatchedSocket(this, this.addon, this.io, index, onPacket, onDatagram);
    this.sockets[index] = socket;
    return Promise.resolve(socket);
  }

  /** Hand every datagram waiting on any socket to its handler. */
  receive(): void {
    const { addon, io, recvBytes: bytes, recvWords: words, recvHalves: halves, recvTimes: times } = this;
    const slot = addon.SLOT_BYTES;
    for (;;) {
      const n = addon.receive(io);
      for (let i = 0; i < n; i++) {
        const at = i * slot;
        const s = this.sockets[words[at >> 2]!];
        if (!s) continue;
        if (halves[(at >> 1) + 3]! & 1) s.from = { address: addon.addressAt(io, i), port: halves[(at >> 1) + 8]! };
        const start = at + addon.SLOT_HEADER;
        const length = halves[(at >> 1) + 2]!;
        if (s.onDatagram) s.onDatagram(bytes, start, length, s.from, times[(at >> 3) + 1]!);
        else s.onPacket(bytes.subarray(start, start + length), s.from, times[(at >> 3) + 1]!);
      }
      if (n < RECEIVE_SLOTS) return;
    }
  }

  /** Send everything queued since the last flush, then close the sockets closed since (their last packets gone). */
  flush(): void {
    if (this.queued > 0) {
      this.addon.flush(this.io, this.queued);
      this.queued = 0;
      this.queuedBytes = 0;
    }
    if (this.closing > 0) {
      this.closing = 0;
      this.addon.closeMarked(this.io);
    }
  }

  /** Socket `index`'s packet, queued for the next flush (its BatchedSocket's send). */
  queue(index: number, packet: Uint8Array): void {
    const size = RECORD_HEADER + ((packet.length + 3) & ~3);
    if (this.queuedBytes + size > SEND_BYTES) this.flush();
    const at = this.queuedBytes;
    this.sendWords[at >> 2] = index;
    this.sendHalves[(at >> 1) + 2] = packet.length;
    this.sendBytes.set(packet, at + RECORD_HEADER);
    this.queuedBytes = at + size;
    this.queued++;
  }

  /** Socket `index` is closed (its BatchedSocket's close): it hears nothing more, and is closed for good at the next flush or bind. */
  close(index: number): void {
    this.sockets[index] = undefined;
    this.addon.closeLater(this.io, index);
    this.closing++;
  }
}
