// RTP port pairs from the operator's range (SWITCHBOARD_RTP_PORTS, read by
// config.ts): an even port for RTP and the next one for RTCP (RFC 3550
// §11). Pairs are handed out round-robin, so a port just freed is the last
// to be reused and stray packets of an ended call rarely reach the next one.

export interface PortRange {
  min: number;
  max: number;
}

const firstEven = (n: number): number => n + (n % 2);

export class PortPool {
  private readonly first: number;
  private readonly pairs: number;
  private readonly used: Uint8Array;
  private cursor = 0;
  private inUse = 0;

  constructor(readonly range: PortRange) {
    this.first = firstEven(range.min);
    this.pairs = Math.floor((range.max - this.first + 1) / 2);
    this.used = new Uint8Array(this.pairs);
  }

  get capacity(): number {
    return this.pairs;
  }

  get free(): number {
    return this.pairs - this.inUse;
  }

  /** The RTP port of a free pair, or null when all are taken. */
  take(): number | null {
    if (this.inUse === this.pairs) return null;
    while (this.used[this.cursor]) this.cursor = (this.cursor + 1) % this.pairs;
    const i = this.cursor;
    this.used[i] = 1;
    this.inUse++;
    this.cursor = (i + 1) % this.pairs;
    return this.first + 2 * i;
  }

  release(port: number): void {
    const i = (port - this.first) / 2;
    if (!Number.isInteger(i) || i < 0 || i >= this.pairs || !this.used[i]) return;
    this.used[i] = 0;
    this.inUse--;
  }
}
