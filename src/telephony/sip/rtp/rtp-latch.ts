// Symmetric RTP (RFC 4961 practice): a phone behind NAT sends from an
// address its SDP cannot know, and only packets sent back to that address
// reach it. So we send to where the stream comes from, not to the SDP.
//
// Guard against hijacking (someone spraying packets at our port to take the
// call's audio): we latch on the first packet of a stream, then keep to that
// source. Another source is taken only for a different SSRC (a new stream:
// the far end re-routed its media), only after it has sent PROBATION packets
// in sequence, and only once the current source has gone quiet. A spoofer
// repeating the current SSRC from elsewhere is never followed. A re-INVITE
// with a new address starts learning again.

export interface Address {
  address: string;
  port: number;
}

export const LATCH_REJECT = 0;
export const LATCH_ACCEPT = 1;
export const LATCH_MOVED = 2;
export type LatchVerdict = typeof LATCH_REJECT | typeof LATCH_ACCEPT | typeof LATCH_MOVED;

/** Packets in sequence a new source must send before it is followed. */
export const PROBATION = 4;
/** Ticks (20 ms) the current source must have been silent before another may take over. */
export const QUIET_TICKS = 10;

export class Latch {
  /** Where to send; null until the SDP or a packet says. */
  target: Address | null;
  /** The SSRC of the stream we follow. */
  ssrc: number | undefined;
  private learning = true;
  private lastTick = 0;
  private candidate: (Address & { ssrc: number; seq: number; count: number }) | undefined;

  constructor(expected: Address | null) {
    this.target = expected;
  }

  /** Whether the source we follow has sent nothing for QUIET_TICKS (another may then take over). */
  quiet(tick: number): boolean {
    return tick - this.lastTick >= QUIET_TICKS;
  }

  /** New SDP (re-INVITE): send there and learn again from the first packet. */
  retarget(expected: Address | null): void {
    this.target = expected;
    this.learning = true;
    this.candidate = undefined;
  }

  /** Whether to take a packet from `address:port` with `ssrc` and `seq`, received at `tick`. */
  check(address: string, port: number, ssrc: number, seq: number, tick: number): LatchVerdict {
    const t = this.target;
    if (this.learning || !t) {
      this.learning = false;
      return this.follow(address, port, ssrc, tick);
    }
    if (t.address === address && t.port === port) {
      this.ssrc = ssrc;
      this.lastTick = tick;
      return LATCH_ACCEPT;
    }
    if (ssrc === this.ssrc) return LATCH_REJECT;
    const c = this.candidate;
    if (c && c.address === address && c.port === port && c.ssrc === ssrc && seq === ((c.seq + 1) & 0xffff)) {
      c.seq = seq;
      c.count++;
    } else this.candidate = { address, port, ssrc, seq, count: 1 };
    if (this.candidate!.count >= PROBATION && this.quiet(tick)) return this.follow(address, port, ssrc, tick);
    return LATCH_REJECT;
  }

  private follow(address: string, port: number, ssrc: number, tick: number): LatchVerdict {
    const moved = !this.target || this.target.address !== address || this.target.port !== port;
    this.target = { address, port };
    this.ssrc = ssrc;
    this.lastTick = tick;
    this.candidate = undefined;
    return moved ? LATCH_MOVED : LATCH_ACCEPT;
  }
}
