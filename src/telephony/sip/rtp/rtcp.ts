// RTCP (RFC 3550 §6): what each side tells the other about the stream every
// few seconds, on the port after the RTP one. We send a sender report while
// we send (a receiver report otherwise) with one report block on the far
// end's stream and our CNAME, and read theirs for loss, jitter and round
// trip. Reception statistics follow the RFC's appendix A algorithms.
import { seqDelta } from './rtp-packet.ts';

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;
const SDES_CNAME = 1;
/** Seconds from 1900 (NTP's epoch) to 1970. */
const NTP_EPOCH_OFFSET = 2208988800;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export interface ReportBlock {
  ssrc: number;
  /** Fraction of packets lost since the previous report, 0..255 of 256. */
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units (1/8000 s). */
  jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received from `ssrc`'s sender, 0 if none. */
  lsr: number;
  /** Delay since that SR, in 1/65536 s. */
  dlsr: number;
}

/** Reception statistics of one source (RFC 3550 A.1, A.3, A.8). */
export class ReceptionStats {
  received = 0;
  private started = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit = 0;
  /** RFC 3550's estimator, kept as a float in timestamp units. */
  jitter = 0;

  /** A packet with `seq` and RTP timestamp `ts` arrived at `arrival` (in timestamp units, any origin). */
  update(seq: number, ts: number, arrival: number): void {
    if (!this.started) {
      this.started = true;
      this.baseSeq = this.maxSeq = seq;
      this.transit = (arrival - ts) | 0;
    } else {
      const delta = seqDelta(seq, this.maxSeq);
      if (delta > 0 && delta < MAX_DROPOUT) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      } else if (delta <= -MAX_MISORDER || delta >= MAX_DROPOUT) {
        // A jump too big to be loss or reordering: the sender restarted its sequence.
        this.baseSeq = this.maxSeq = seq;
        this.cycles = 0;
        this.received = this.expectedPrior = this.receivedPrior = 0;
      }
      const transit = (arrival - ts) | 0;
      const d = Math.abs((transit - this.transit) | 0);
      this.transit = transit;
      this.jitter += (d - this.jitter) / 16;
    }
    this.received++;
  }

  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.started ? this.extendedMax - this.baseSeq + 1 : 0;
  }

  /** Packets never received (negative when duplicates outnumber losses). */
  get lost(): number {
    return this.expected - this.received;
  }

  /** The report block for this source; moves the "since last report" window. */
  block(ssrc: number, lsr: number, dlsr: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
    return { ssrc, fractionLost, cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, this.lost)), extendedHighestSeq: this.extendedMax >>> 0, jitter: Math.floor(this.jitter), lsr, dlsr };
  }
}

/** NTP time (RFC 5905 64-bit format) of a wall-clock time in epoch milliseconds, as [seconds, fraction]. */
export function ntpOf(epochMs: number): [number, number] {
  const seconds = Math.floor(epochMs / 1000);
  const fraction = Math.floor(((epochMs - seconds * 1000) / 1000) * 0x100000000);
  return [(seconds + NTP_EPOCH_OFFSET) >>> 0, fraction >>> 0];
}

/** The middle 32 bits of an NTP time: what LSR and round-trip arithmetic use (1/65536 s units). */
export const ntpMiddle = ([seconds, fraction]: [number, number]): number => (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;

export interface SenderInfo {
  ssrc: number;
  /** Wall-clock time of the report, epoch ms. */
  wallMs: number;
  /** The RTP timestamp matching `wallMs`. */
  rtpTimestamp: number;
  packets: number;
  octets: number;
}

/**
 * One compound report: SR when `sending` (else RR), at most one report
 * block, then SDES with our CNAME (every compound packet must carry it).
 */
export function buildReport(ssrc: number, cname: string, sender: SenderInfo | null, block: ReportBlock | null, bye = false): Uint8Array {
  const blocks = block ? 1 : 0;
  const head = sender ? 28 : 8;
  const reportBytes = head + blocks * 24;
  const name = Buffer.from(cname, 'utf8').subarray(0, 255);
  const sdesBytes = (8 + 2 + name.length + 1 + 3) & ~3; // header, ssrc, type, length, text, END, pad to 32 bits
  const byeBytes = bye ? 8 : 0;
  const out = Buffer.alloc(reportBytes + sdesBytes + byeBytes);
  out[0] = 0x80 | blocks;
  out[1] = sender ? PT_SR : PT_RR;
  out.writeUInt16BE(reportBytes / 4 - 1, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  if (sender) {
    const [seconds, fraction] = ntpOf(sender.wallMs);
    out.writeUInt32BE(seconds, 8);
    out.writeUInt32BE(fraction, 12);
    out.writeUInt32BE(sender.rtpTimestamp >>> 0, 16);
    out.writeUInt32BE(sender.packets >>> 0, 20);
    out.writeUInt32BE(sender.octets >>> 0, 24);
  }
  if (block) {
    const at = head;
    out.writeUInt32BE(block.ssrc >>> 0, at);
    out[at + 4] = block.fractionLost;
    const lost = block.cumulativeLost & 0xffffff;
    out[at + 5] = lost >> 16;
    out.writeUInt16BE(lost & 0xffff, at + 6);
    out.writeUInt32BE(block.extendedHighestSeq >>> 0, at + 8);
    out.writeUInt32BE(block.jitter >>> 0, at + 12);
    out.writeUInt32BE(block.lsr >>> 0, at + 16);
    out.writeUInt32BE(block.dlsr >>> 0, at + 20);
  }
  let at = reportBytes;
  out[at] = 0x81;
  out[at + 1] = PT_SDES;
  out.writeUInt16BE(sdesBytes / 4 - 1, at + 2);
  out.writeUInt32BE(ssrc >>> 0, at + 4);
  out[at + 8] = SDES_CNAME;
  out[at + 9] = name.length;
  name.copy(out, at + 10);
  at += sdesBytes;
  if (bye) {
    out[at] = 0x81;
    out[at + 1] = PT_BYE;
    out.writeUInt16BE(1, at + 2);
    out.writeUInt32BE(ssrc >>> 0, at + 4);
  }
  return out;
}

export interface RtcpInfo {
  /** SSRC of the first packet's sender. */
  ssrc: number;
  /** Middle 32 bits of the sender report's NTP time, when there was one. */
  srNtpMiddle: number | null;
  blocks: ReportBlock[];
  bye: boolean;
}

/** Read a compound RTCP packet; null when it is not one. */
export function parseRtcp(packet: Uint8Array): RtcpInfo | null {
  const buf = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  const info: RtcpInfo = { ssrc: 0, srNtpMiddle: null, blocks: [], bye: false };
  let at = 0;
  let first = true;
  while (at + 4 <= buf.length) {
    if (buf[at]! >> 6 !== 2) return null;
    const count = buf[at]! & 0x1f;
    const type = buf[at + 1]!;
    const end = at + (buf.readUInt16BE(at + 2) + 1) * 4;
    if (end > buf.length) return null;
    if (first && type !== PT_SR && type !== PT_RR) return null; // a compound packet starts with a report
    if ((type === PT_SR || type === PT_RR) && at + 8 <= end) {
      if (first) info.ssrc = buf.readUInt32BE(at + 4);
      let blockAt = at + 8;
      if (type === PT_SR) {
        if (at + 28 > end) return null;
        if (first) info.srNtpMiddle = ntpMiddle([buf.readUInt32BE(at + 8), buf.readUInt32BE(at + 12)]);
        blockAt = at + 28;
      }
      for (let i = 0; i < count && blockAt + 24 <= end; i++, blockAt += 24) {
        const lost = (buf[blockAt + 5]! << 16) | buf.readUInt16BE(blockAt + 6);
        info.blocks.push({
          ssrc: buf.readUInt32BE(blockAt),
          fractionLost: buf[blockAt + 4]!,
          cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
          extendedHighestSeq: buf.readUInt32BE(blockAt + 8),
          jitter: buf.readUInt32BE(blockAt + 12),
          lsr: buf.readUInt32BE(blockAt + 16),
          dlsr: buf.readUInt32BE(blockAt + 20),
        });
      }
    } else if (type === PT_BYE) info.bye = true;
    first = false;
    at = end;
  }
  return first ? null : info;
}
