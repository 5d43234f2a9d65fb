// RTP fixed header (RFC 3550 §5.1), read and written in place. Hand-written
// rather than taken from a library: it is twelve bytes, and the media workers
// read and write a hundred thousand of them a second, so parsing fills one
// reusable object instead of allocating per packet.

export const RTP_VERSION = 2;
export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  /** 16 bits. */
  sequence: number;
  /** 32 bits, unsigned. */
  timestamp: number;
  /** 32 bits, unsigned. */
  ssrc: number;
  /** Where the payload starts in the buffer read and how long it is (CSRCs, extension and padding skipped). */
  payloadOffset: number;
  payloadLength: number;
}

export const emptyHeader = (): RtpHeader => ({ payloadType: 0, marker: false, sequence: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 });

/**
 * Read the datagram of `length` bytes at `packet[start]` into `out` (its
 * payloadOffset counts from the start of `packet`); false when it is not a
 * well-formed RTP packet (wrong version, truncated, RTCP). A batched network
 * hands over one receive buffer with each datagram's place in it, so no view
 * is made per packet.
 */
export function readRtp(packet: Uint8Array, out: RtpHeader, start = 0, length = packet.length - start): boolean {
  if (length < RTP_HEADER_BYTES) return false;
  const n = start + length;
  const b0 = packet[start]!;
  if (b0 >> 6 !== RTP_VERSION) return false;
  const b1 = packet[start + 1]!;
  const payloadType = b1 & 0x7f;
  // RTCP packet types 200-204 appear here as marker + 72..76 when RTCP is sent to the RTP port.
  if (payloadType >= 72 && payloadType <= 76) return false;
  let offset = start + RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > n) return false;
    offset += 4 + ((packet[offset + 2]! << 8) | packet[offset + 3]!) * 4;
  }
  let end = n;
  if (b0 & 0x20) end -= packet[n - 1]!;
  if (offset > end) return false;
  out.payloadType = payloadType;
  out.marker = (b1 & 0x80) !== 0;
  out.sequence = (packet[start + 2]! << 8) | packet[start + 3]!;
  out.timestamp = ((packet[start + 4]! << 24) | (packet[start + 5]! << 16) | (packet[start + 6]! << 8) | packet[start + 7]!) >>> 0;
  out.ssrc = ((packet[start + 8]! << 24) | (packet[start + 9]! << 16) | (packet[start + 10]! << 8) | packet[start + 11]!) >>> 0;
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return true;
}

/** Write a 12-byte header (no CSRC, no extension) at the start of `packet`; the payload follows it. */
export function writeRtpHeader(packet: Uint8Array, payloadType: number, marker: boolean, sequence: number, timestamp: number, ssrc: number): void {
  packet[0] = RTP_VERSION << 6;
  packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  packet[2] = (sequence >> 8) & 0xff;
  packet[3] = sequence & 0xff;
  packet[4] = timestamp >>> 24;
  packet[5] = (timestamp >>> 16) & 0xff;
  packet[6] = (timestamp >>> 8) & 0xff;
  packet[7] = timestamp & 0xff;
  packet[8] = ssrc >>> 24;
  packet[9] = (ssrc >>> 16) & 0xff;
  packet[10] = (ssrc >>> 8) & 0xff;
  packet[11] = ssrc & 0xff;
}

/** Signed distance from `b` to `a` on the 32-bit timestamp circle. */
export const tsDelta = (a: number, b: number): number => (a - b) | 0;
/** Signed distance from `b` to `a` on the 16-bit sequence circle. */
export const seqDelta = (a: number, b: number): number => (((a - b + 0x8000) & 0xffff) - 0x8000);
