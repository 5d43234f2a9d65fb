// A network in memory for SIP stack tests on the virtual clock: each
// endpoint is a SipTransport; a message is delivered on the next microtask
// (so replies never re-enter the sender), and a test can drop or hold
// messages to force retransmissions and races.
import type { SipTransport, ReceiveHandler } from '../../../src/telephony/sip/transport/sip-transport.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';

export interface Packet {
  from: string;
  to: string;
  text: string;
}

export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryTransport>();
  readonly log: Packet[] = [];
  /** Return true to lose a packet. */
  drop: (p: Packet) => boolean = () => false;

  endpoint(address: string, port: number, receive?: ReceiveHandler): MemoryTransport {
    const t = new MemoryTransport(this, address, port, receive ?? (() => undefined));
    this.endpoints.set(`${address}:${port}`, t);
    return t;
  }

  deliver(bytes: Buffer, from: MemoryTransport, to: Flow): void {
    const p = { from: `${from.local.address}:${from.local.port}`, to: `${to.address}:${to.port}`, text: bytes.toString() };
    this.log.push(p);
    if (this.drop(p)) return;
    const target = this.endpoints.get(p.to);
    if (!target) return;
    queueMicrotask(() => target.receive(Buffer.from(bytes), { transport: to.transport, address: from.local.address, port: from.local.port }));
  }

  /** Start lines of what went from `from` to `to` (or all), in order. */
  lines(filter: (p: Packet) => boolean = () => true): string[] {
    return this.log.filter(filter).map((p) => p.text.slice(0, p.text.indexOf('\r\n')));
  }
}

export class MemoryTransport implements SipTransport {
  readonly local: { address: string; port: number };
  constructor(
    private readonly net: MemoryNetwork,
    address: string,
    port: number,
    public receive: ReceiveHandler,
  ) {
    this.local = { address, port };
  }
  send(bytes: Buffer, to: Flow): void {
    this.net.deliver(bytes, this, to);
  }
  connected(): boolean {
    return true;
  }
  async close(): Promise<void> {}
}
