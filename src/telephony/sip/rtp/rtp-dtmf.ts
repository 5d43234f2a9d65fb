// RFC 4733 telephone-events: keys sent as named events instead of tones.
// Sending: one event lasts several 20 ms packets that all carry the event's
// start timestamp and a growing duration; the first has the marker bit, the
// last the end bit and is sent three times (§2.5.1.4) so one loss cannot
// leave the key pressed. Receiving: all packets of one key share its start
// timestamp, so a key is reported once, on the first packet of a new
// timestamp, whatever is lost, duplicated or retransmitted after it.
import { DTMF_DIGITS } from '../../../media/dtmf.ts';

export const EVENT_PAYLOAD_BYTES = 4;
/** Times the end packet goes out. */
export const END_REPEATS = 3;
/** -10 dBm0, the level phones use. */
export const EVENT_VOLUME = 10;
/** The duration field is 16 bits of samples (8.19 s at 8 kHz); longer keys are capped there. */
const MAX_DURATION = 0xffff;

/** Event codes 0-15 are the keypad (RFC 4733 §3.2), in DTMF_DIGITS' order: 0-9, *, #, A-D. */
export const eventOf = (digit: string): number => {
  const code = DTMF_DIGITS.indexOf(digit.toUpperCase());
  if (code < 0) throw new RangeError(`"${digit}" is not a DTMF key`);
  return code;
};
export const digitOf = (event: number): string | null => (event >= 0 && event < DTMF_DIGITS.length ? DTMF_DIGITS[event]! : null);

/** Write an event payload (4 bytes) at `at`. */
export function writeEvent(packet: Uint8Array, at: number, event: number, end: boolean, durationSamples: number): void {
  const duration = Math.min(MAX_DURATION, durationSamples);
  packet[at] = event;
  packet[at + 1] = (end ? 0x80 : 0) | EVENT_VOLUME;
  packet[at + 2] = duration >> 8;
  packet[at + 3] = duration & 0xff;
}

/** Reads one stream's event packets and tells which start a new key. */
export class DtmfReceiver {
  private lastTs: number | undefined;

  /** The key when this packet (RTP timestamp `ts`, payload at `from`) begins a new event, else null (continuation, end repeats, unknown events). */
  receive(ts: number, packet: Uint8Array, from = 0, length = packet.length - from): string | null {
    if (length < EVENT_PAYLOAD_BYTES) return null;
    if (ts === this.lastTs) return null;
    this.lastTs = ts;
    return digitOf(packet[from]!);
  }

  /** A new stream (SSRC) starts its timestamps elsewhere. */
  reset(): void {
    this.lastTs = undefined;
  }
}
