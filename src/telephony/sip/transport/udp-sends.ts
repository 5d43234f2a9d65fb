// The SIP transport's UDP sends through the batched-UDP addon
// (native/rtp-udp/sip_udp.c): a turn's datagrams are written into one
// buffer and leave together at its end (setImmediate: after the event
// loop's poll phase has handled everything that arrived) in one `sendmmsg`.
// node:dgram costs each datagram a lookup callback, an async-id scope, a
// request object, a system call and a process.nextTick for its callback.
// A datagram the kernel refuses here goes through dgram instead, which
// queues it (EAGAIN) or reports the error as it did before.
import { loadBatchedUdp } from '../rtp/rtp-udp-batch.ts';
import type { Flow } from './sip-flow.ts';

/** What this module needs of the addon (native/rtp-udp/sip_udp.c describes the records' layout). */
export interface SipUdpAddon {
  /** A bound UDP socket's descriptor (for dgram's bind({ fd })); throws the system error with its name as `code` (EADDRINUSE …). */
  openUdp(host: string, port: number): number;
  /** Sends records first..count-1; the index of the first the kernel refused, or count. */
  sendRecords(fd: number, family: 4 | 6, records: ArrayBuffer, first: number, count: number): number;
}

/**
 * The addon when it is built and has these functions (a checkout updated
 * without `npm run postprepare` keeps an older build: its media workers
 * still use it, the SIP transport uses dgram).
 */
export function loadSipUdp(path?: string): SipUdpAddon | null {
  const batched = loadBatchedUdp(path);
  if (!('addon' in batched)) return null;
  const { openUdp, sendRecords } = batched.addon;
  return openUdp !== undefined && sendRecords !== undefined ? { openUdp, sendRecords } : null;
}

const RECORDS_BYTES = 256 * 1024;
const RECORD_HEADER = 8;
/** Longest address text a record carries (an IPv6 address is at most 45). */
const MAX_ADDRESS = 63;

export class UdpSends {
  private readonly records = new ArrayBuffer(RECORDS_BYTES);
  private readonly bytes = Buffer.from(this.records);
  private readonly halves = new Uint16Array(this.records);
  private at = 0;
  /** Each queued record's destination and byte offset. */
  private readonly flows: Flow[] = [];
  private readonly starts: number[] = [];
  private scheduled = false;
  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    private readonly addon: SipUdpAddon,
    private readonly fd: number,
    private readonly family: 4 | 6,
    /** Sends one datagram another way (dgram): the kernel refused it here. */
    private readonly fallback: (bytes: Buffer, to: Flow) => void,
  ) {}

  /** Queues the datagram for the end of the turn; `bytes` may be reused once this returns. */
  send(bytes: Buffer, to: Flow): void {
    const address = to.address;
    // (A record's length is 16 bits: a larger datagram, which UDP cannot carry anyway, gets dgram's error.)
    if (address.length > MAX_ADDRESS || bytes.length > 0xffff) {
      this.fallback(bytes, to);
      return;
    }
    const size = (RECORD_HEADER + address.length + bytes.length + 3) & ~3;
    if (this.at + size > RECORDS_BYTES) this.flush();
    const at = this.at;
    this.halves[at >> 1] = bytes.length;
    this.halves[(at >> 1) + 1] = to.port;
    this.bytes[at + 4] = address.length;
    this.bytes.write(address, at + RECORD_HEADER, 'latin1');
    bytes.copy(this.bytes, at + RECORD_HEADER + address.length);
    this.flows.push(to);
    this.starts.push(at);
    this.at = at + size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushLater);
    }
  }

  /** Sends everything queued now (at the end of the turn, and before the socket closes). */
  flush(): void {
    const count = this.flows.length;
    for (let i = 0; i < count; ) {
      i = this.addon.sendRecords(this.fd, this.family, this.records, i, count);
      if (i < count) this.refused(i++);
    }
    this.flows.length = 0;
    this.starts.length = 0;
    this.at = 0;
  }

  private refused(i: number): void {
    const at = this.starts[i]!;
    const data = at + RECORD_HEADER + this.bytes[at + 4]!;
    // A copy: dgram may keep it queued past this buffer's next turn.
    this.fallback(Buffer.from(this.bytes.subarray(data, data + this.halves[at >> 1]!)), this.flows[i]!);
  }
}
