// UDP and TCP on one listen address (RFC 3261 §18). Receiving hands each
// datagram, or each message framed out of a TCP stream, to one handler
// with its flow; sending goes along a flow: a datagram, or the TCP
// connection named by the flow, or a connection to that address already
// open (either direction), or a new one. Idle TCP connections close after
// `tcpIdleMs` of platform time. UDP datagrams leave together at the end of
// the turn through the batched-UDP addon when it is built (udp-sends.ts),
// else one by one through dgram.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { Clock, Timer } from '../../../clock/clock.ts';
import { StreamFramer } from './stream-framer.ts';
import { flowKey, type Flow } from './sip-flow.ts';
import { loadSipUdp, UdpSends } from './udp-sends.ts';

export interface SipTransportOptions {
  /** Address to bind ("0.0.0.0", "127.0.0.1" …). */
  host: string;
  /** Port for both UDP and TCP; 0 picks a free one (the same number for both). */
  port: number;
  clock: Clock;
  /** Largest message accepted (and sent over UDP). */
  maxMessageBytes?: number;
  /** A TCP connection with no traffic for this long is closed. */
  tcpIdleMs?: number;
  /** Most TCP connections open at once; past it new ones are refused. */
  maxConnections?: number;
  /** How UDP datagrams leave: 'batched' (the default) when the addon loads, else (or asked) node:dgram one by one. */
  udpSends?: 'batched' | 'dgram';
}

/** A datagram or a framed stream message, and where it came from. */
export type ReceiveHandler = (bytes: Buffer, flow: Flow) => void;

export interface SipTransport {
  /** The bound address and port (the port picked when 0 was asked). */
  readonly local: { address: string; port: number };
  send(bytes: Buffer, to: Flow): void;
  /** Whether the TCP connection of `flow` is still open (a registration's flow, a response's way back). */
  connected(flow: Flow): boolean;
  close(): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 65_535;
const UDP_BUFFER_BYTES = 4 << 20;
const DEFAULT_TCP_IDLE_MS = 15 * 60_000;
const DEFAULT_MAX_CONNECTIONS = 4096;

class Connection {
  readonly framer: StreamFramer;
  lastActive: number;
  idle: Timer | undefined;
  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    readonly flow: Flow,
    maxBytes: number,
    now: number,
  ) {
    this.framer = new StreamFramer(maxBytes);
    this.lastActive = now;
  }
}

/**
 * Where a datagram goes: flows carry addresses (sources, and gateways and
 * URIs resolved once), so an address is its own answer, at once — dgram's
 * default lookup answers even those through dns.lookup and a process.nextTick
 * per datagram. A name still goes to dns.lookup.
 */
const literalLookup: dgram.SocketOptions['lookup'] = (hostname, options, callback) => {
  const family = net.isIP(hostname);
  if (family === 0) dns.lookup(hostname, options, callback);
  else callback(null, hostname, family);
};

export class NetSipTransport implements SipTransport {
  private udp!: dgram.Socket;
  /** The batched sends on the UDP socket, or null: dgram's send. */
  private sends: UdpSends | null = null;
  private tcp!: net.Server;
  private readonly byId = new Map<number, Connection>();
  /** Open connections by far address:port, for reuse in both directions. */
  private readonly byPeer = new Map<string, Connection>();
  private nextId = 1;
  private closed = false;
  local = { address: '', port: 0 };
  private readonly maxBytes: number;
  private readonly idleMs: number;
  private readonly maxConnections: number;

  private constructor(
    private readonly opts: SipTransportOptions,
    private readonly receive: ReceiveHandler,
    private readonly onError: (err: Error, flow?: Flow) => void,
  ) {
    this.maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.idleMs = opts.tcpIdleMs ?? DEFAULT_TCP_IDLE_MS;
    this.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  }

  static async listen(opts: SipTransportOptions, receive: ReceiveHandler, onError: (err: Error, flow?: Flow) => void): Promise<NetSipTransport> {
    const t = new NetSipTransport(opts, receive, onError);
    await t.bind();
    return t;
  }

  private async bind(): Promise<void> {
    const family = net.isIPv6(this.opts.host) ? 'udp6' : 'udp4';
    const addon = this.opts.udpSends === 'dgram' ? null : loadSipUdp();
    // Port 0: let TCP pick, then take the same number for UDP (retrying if it is taken there).
    for (let attempt = 0; ; attempt++) {
      this.tcp = net.createServer((s) => this.accept(s));
      this.tcp.maxConnections = this.maxConnections;
      await new Promise<void>((resolve, reject) => {
        this.tcp.once('error', reject);
        this.tcp.listen(this.opts.port, this.opts.host, () => resolve());
      });
      const port = (this.tcp.address() as net.AddressInfo).port;
      // Large buffers ride out a garbage-collection pause under load instead of dropping datagrams (the kernel caps them at rmem_max/wmem_max).
      this.udp = dgram.createSocket({ type: family, reuseAddr: false, recvBufferSize: UDP_BUFFER_BYTES, sendBufferSize: UDP_BUFFER_BYTES, lookup: literalLookup });
      try {
        // With the addon, it opens the socket (its sends need the descriptor) and dgram receives on it.
        const fd = addon?.openUdp(this.opts.host, port);
        await new Promise<void>((resolve, reject) => {
          this.udp.once('error', reject);
          if (fd === undefined) this.udp.bind(port, this.opts.host, () => resolve());
          else this.udp.bind({ fd }, () => resolve());
        });
        if (addon !== null && fd !== undefined) this.sends = new UdpSends(addon, fd, family === 'udp6' ? 6 : 4, (bytes, to) => this.sendDatagram(bytes, to));
      } catch (err) {
        this.udp.close();
        await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
        if (this.opts.port !== 0 || attempt > 10) throw err;
        continue;
      }
      this.local = { address: this.opts.host, port };
      break;
    }
    this.tcp.on('error', (err) => this.onError(err));
    this.udp.on('error', (err) => this.onError(err));
    this.udp.on('message', (bytes, rinfo) => {
      if (bytes.length > this.maxBytes) return;
      this.receive(bytes, { transport: 'udp', address: rinfo.address, port: rinfo.port });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.closed || socket.remoteAddress === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    this.track(socket, socket.remoteAddress, socket.remotePort);
  }

  private track(socket: net.Socket, address: string, port: number): Connection {
    const id = this.nextId++;
    const conn = new Connection(id, socket, { transport: 'tcp', address, port, connection: id }, this.maxBytes, this.opts.clock.now());
    this.byId.set(id, conn);
    this.byPeer.set(flowKey(conn.flow), conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.data(conn, chunk));
    socket.on('error', (err) => this.onError(err, conn.flow));
    socket.on('close', () => this.forget(conn));
    this.armIdle(conn);
    return conn;
  }

  private data(conn: Connection, chunk: Buffer): void {
    conn.lastActive = this.opts.clock.now();
    for (const f of conn.framer.push(chunk)) {
      if (f.kind === 'message') this.receive(f.bytes, conn.flow);
      else if (f.kind === 'ping') conn.socket.write('\r\n');
      else {
        this.onError(new Error(`closing TCP connection: ${f.reason}`), conn.flow);
        conn.socket.destroy();
        return;
      }
    }
  }

  /** One timer per connection, re-armed lazily: traffic only moves `lastActive`. */
  private armIdle(conn: Connection): void {
    const due = conn.lastActive + this.idleMs - this.opts.clock.now();
    conn.idle = this.opts.clock.after(Math.max(due, 1), () => {
      if (!this.byId.has(conn.id)) return;
      if (this.opts.clock.now() - conn.lastActive >= this.idleMs) conn.socket.destroy();
      else this.armIdle(conn);
    });
  }

  private forget(conn: Connection): void {
    conn.idle?.cancel();
    this.byId.delete(conn.id);
    const key = flowKey(conn.flow);
    if (this.byPeer.get(key) === conn) this.byPeer.delete(key);
  }

  connected(flow: Flow): boolean {
    if (flow.transport !== 'tcp') return true;
    if (flow.connection !== undefined) return this.byId.has(flow.connection);
    return this.byPeer.has(flowKey(flow));
  }

  send(bytes: Buffer, to: Flow): void {
    if (this.closed) return;
    if (to.transport === 'udp') {
      if (bytes.length > this.maxBytes) {
        this.onError(new Error(`not sending a ${bytes.length}-byte message over UDP`), to);
        return;
      }
      if (this.sends !== null) this.sends.send(bytes, to);
      else this.sendDatagram(bytes, to);
      return;
    }
    const conn = (to.connection !== undefined ? this.byId.get(to.connection) : undefined) ?? this.byPeer.get(flowKey(to)) ?? this.connect(to);
    conn.lastActive = this.opts.clock.now();
    conn.socket.write(bytes);
  }

  private sendDatagram(bytes: Buffer, to: Flow): void {
    this.udp.send(bytes, to.port, to.address, (err) => err && this.onError(err, to));
  }

  private connect(to: Flow): Connection {
    const socket = net.connect({ host: to.address, port: to.port, localAddress: this.opts.host === '0.0.0.0' || this.opts.host === '::' ? undefined : this.opts.host });
    return this.track(socket, to.address, to.port);
  }

  async close(): Promise<void> {
    this.sends?.flush();
    this.closed = true;
    for (const c of this.byId.values()) c.socket.destroy();
    await Promise.all([new Promise<void>((r) => this.tcp.close(() => r())), new Promise<void>((r) => this.udp.close(() => r()))]);
  }
}

