// SDP offer/answer (RFC 3264) for one leg's audio: G.711 (PCMU, PCMA) with
// RFC 4733 telephone-event, 20 ms packets, one audio stream. The SIP side
// carries the bodies; this module alone reads them (with sdp-transform) and
// writes them, and hands the media session what it needs to know as one
// `NegotiatedMedia` value. Ours have one fixed shape, so they are written as
// text directly: sdp-transform's writer walks its whole grammar for every
// line (about 16 KB of garbage per description, once per call).
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { parse, parsePayloads, type MediaDescription, type SessionDescription } from 'sdp-transform';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type AudioCodecName = 'PCMU' | 'PCMA';

export interface RtpCodec {
  name: AudioCodecName;
  payloadType: number;
}

/** Where the far end wants RTP and RTCP. */
export interface MediaTarget {
  address: string;
  port: number;
  rtcpAddress: string;
  rtcpPort: number;
}

/** The outcome of one offer/answer exchange, from our side. */
export interface NegotiatedMedia {
  /** null: the far end asked for nothing to be sent to it (c=0.0.0.0, the old hold, or port 0). */
  remote: MediaTarget | null;
  /** What we send with first; any of them may arrive (an answer can keep several). */
  codecs: readonly [RtpCodec, ...RtpCodec[]];
  /** The RFC 4733 payload type both sides agreed on, or null (keys then travel as tones in the audio). */
  telephoneEvent: number | null;
  /** Our direction: whether we send, receive, both or neither. */
  direction: MediaDirection;
}

export type SdpFailure = { ok: false; reason: 'no common codec' | 'malformed'; detail: string };
export type SdpAnswer = { ok: true; sdp: string; media: NegotiatedMedia } | SdpFailure;
export type SdpAccepted = { ok: true; media: NegotiatedMedia } | SdpFailure;

export interface SdpSessionOptions {
  /** The address the far end reaches us at (public, behind NAT): c= and o=. */
  address: string;
  /** Our RTP port (even; RTCP is the next one). */
  port: number;
  /** Our codecs in order of preference (default PCMU, PCMA). */
  codecs?: readonly AudioCodecName[];
}

const STATIC_PT: Record<AudioCodecName, number> = { PCMU: 0, PCMA: 8 };
const STATIC_NAME = new Map<number, AudioCodecName>([
  [0, 'PCMU'],
  [8, 'PCMA'],
]);
/** The dynamic payload type we offer telephone-event on (the one most phones use). */
const TELEPHONE_EVENT_PT = 101;
/** DTMF 0-9, *, #, A-D (RFC 4733 §3.2): the events Plivo's verbs deal in. */
const TELEPHONE_EVENTS = '0-15';
const PTIME_MS = 20;
const RTP_PROFILE = 'RTP/AVP';

export const sendsTo = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'sendonly';
export const receivesFrom = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'recvonly';
const directionOf = (send: boolean, receive: boolean): MediaDirection =>
  send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive';

/** The far end's direction seen from our side: what it sends we receive. */
const mirrored = (theirs: MediaDirection, ours: MediaDirection, theyListen: boolean): MediaDirection =>
  directionOf(receivesFrom(theirs) && theyListen && sendsTo(ours), sendsTo(theirs) && receivesFrom(ours));

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/**
 * One leg's SDP state: the o= line's identity and version, our last offer.
 * Each leg gets its own; re-offers and answers to re-INVITEs go through the
 * same instance so the version moves only when the description changes.
 */
export class SdpSession {
  private readonly codecs: readonly AudioCodecName[];
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = 0;
  private lastBody: string | undefined;
  private pendingOffer: MediaDirection | undefined;

  constructor(private readonly local: SdpSessionOptions) {
    this.codecs = local.codecs ?? ['PCMU', 'PCMA'];
  }

  /** An offer (initial or re-offer): every codec of ours, telephone-event, ptime 20, `direction` (sendonly or inactive to hold). */
  offer(opts: { direction?: MediaDirection } = {}): string {
    const direction = opts.direction ?? 'sendrecv';
    this.pendingOffer = direction;
    const codecs = this.codecs.map((name) => ({ name, payloadType: STATIC_PT[name] }));
    return this.describe(this.audioLine(codecs, TELEPHONE_EVENT_PT, direction));
  }

  /** Whether an offer of ours still waits for its answer (an ACK's body answers the offer in our 200). */
  get awaitingAnswer(): boolean {
    return this.pendingOffer !== undefined;
  }

  /**
   * The far end's answer to our last offer. An `early` one (in an 18x)
   * leaves the offer open: another fork may answer it in its own 18x, and
   * the 200 carries the answer that counts (RFC 3261 §13.2.1).
   */
  accept(answerSdp: string, opts: { early?: boolean } = {}): SdpAccepted {
    const offered = this.pendingOffer;
    if (offered === undefined) return { ok: false, reason: 'malformed', detail: 'an answer arrived with no offer of ours outstanding' };
    const desc = parseSdp(answerSdp);
    if (typeof desc === 'string') return { ok: false, reason: 'malformed', detail: desc };
    const m = desc.media.find((x) => x.type === 'audio' && x.port !== 0);
    if (!m) return { ok: false, reason: 'no common codec', detail: 'the answer rejected the audio stream' };
    const codecs = commonCodecs(m, this.codecs);
    if (!codecs) return { ok: false, reason: 'no common codec', detail: `the answer's formats (${m.payloads}) include neither PCMU nor PCMA` };
    if (!opts.early) this.pendingOffer = undefined;
    const theirs = directionIn(desc, m);
    const remote = targetOf(desc, m);
    return { ok: true, media: { remote, codecs, telephoneEvent: telephoneEventOf(m), direction: mirrored(theirs, offered, remote !== null) } };
  }

  /**
   * Answer the far end's offer (an INVITE's, or a re-INVITE's: hold, unhold,
   * a new address). The codec is the offerer's first among ours; other
   * streams are declined with port 0. `direction` is what we want (sendrecv
   * unless we hold the far end); the answer never exceeds what was offered.
   */
  answer(offerSdp: string, opts: { direction?: MediaDirection } = {}): SdpAnswer {
    const desc = parseSdp(offerSdp);
    if (typeof desc === 'string') return { ok: false, reason: 'malformed', detail: desc };
    let chosen: { index: number; codec: RtpCodec; m: MediaDescription } | undefined;
    const seen: string[] = [];
    desc.media.forEach((m, index) => {
      if (chosen || m.type !== 'audio' || m.port === 0) return;
      seen.push(`${m.protocol} ${m.payloads ?? ''}`.trim());
      if (m.protocol.toUpperCase() !== RTP_PROFILE) return;
      const codecs = commonCodecs(m, this.codecs);
      if (codecs) chosen = { index, codec: codecs[0], m };
    });
    if (!chosen) {
      const what = seen.length ? `audio offered as ${seen.join('; ')}` : 'no audio stream offered';
      return { ok: false, reason: 'no common codec', detail: `${what}; we take ${this.codecs.join(' or ')} over ${RTP_PROFILE}` };
    }
    const { m, codec } = chosen;
    const remote = targetOf(desc, m);
    const direction = mirrored(directionIn(desc, m), opts.direction ?? 'sendrecv', remote !== null);
    const telephoneEvent = telephoneEventOf(m);
    const lines = desc.media.map((x, i) => (i === chosen!.index ? this.audioLine([codec], telephoneEvent, direction) : declined(x))).join('');
    return { ok: true, sdp: this.describe(lines), media: { remote, codecs: [codec], telephoneEvent, direction } };
  }

  /** Our audio stream's m= line and attributes (the order sdp-transform writes them in: rtpmap, fmtp, ptime, direction). */
  private audioLine(codecs: readonly RtpCodec[], telephoneEvent: number | null, direction: MediaDirection): string {
    let payloads = '';
    let attributes = '';
    for (const c of codecs) {
      payloads += ` ${c.payloadType}`;
      attributes += `a=rtpmap:${c.payloadType} ${c.name}/8000\r\n`;
    }
    if (telephoneEvent !== null) {
      payloads += ` ${telephoneEvent}`;
      attributes += `a=rtpmap:${telephoneEvent} telephone-event/8000\r\na=fmtp:${telephoneEvent} ${TELEPHONE_EVENTS}\r\n`;
    }
    return `m=audio ${this.local.port} ${RTP_PROFILE}${payloads}\r\n${attributes}a=ptime:${PTIME_MS}\r\na=${direction}\r\n`;
  }

  /** A whole description around `media` (its m= sections); the o= version moves only when the rest changed since the last one we sent. */
  private describe(media: string): string {
    const address = this.local.address;
    const ip = isIPv6(address) ? 'IP6' : 'IP4';
    const rest = `s=Switchboard\r\nc=IN ${ip} ${address}\r\nt=0 0\r\n${media}`;
    if (this.lastBody !== undefined && rest !== this.lastBody) this.version++;
    this.lastBody = rest;
    return `v=0\r\no=- ${this.sessionId} ${this.version} IN ${ip} ${address}\r\n${rest}`;
  }
}

function parseSdp(text: string): SessionDescription | string {
  let desc: SessionDescription;
  try {
    desc = parse(text);
  } catch (err) {
    return `unreadable SDP: ${(err as Error).message}`;
  }
  if (desc.version !== 0 || !desc.origin) return 'not an SDP body (no v=0 / o= line)';
  if (!Array.isArray(desc.media) || desc.media.length === 0) return 'the SDP has no m= line';
  return desc;
}

/** The codecs of ours in stream `m`, in its order (the offerer's preference). */
function commonCodecs(m: MediaDescription, ours: readonly AudioCodecName[]): [RtpCodec, ...RtpCodec[]] | null {
  const found: RtpCodec[] = [];
  for (const pt of parsePayloads(String(m.payloads ?? ''))) {
    const map = m.rtp.find((r) => r.payload === pt);
    const name = map ? map.codec.toUpperCase() : STATIC_NAME.get(pt);
    const rateOk = !map || ((map.rate ?? 8000) === 8000 && (map.encoding ?? 1) === 1);
    if (rateOk && (ours as readonly string[]).includes(name ?? '')) found.push({ name: name as AudioCodecName, payloadType: pt });
  }
  return found.length > 0 ? (found as [RtpCodec, ...RtpCodec[]]) : null;
}

function telephoneEventOf(m: MediaDescription): number | null {
  const te = m.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event' && (r.rate ?? 8000) === 8000);
  return te ? te.payload : null;
}

function directionIn(desc: SessionDescription, m: MediaDescription): MediaDirection {
  return m.direction ?? desc.direction ?? 'sendrecv';
}

function targetOf(desc: SessionDescription, m: MediaDescription): MediaTarget | null {
  const address = m.connection?.ip ?? desc.connection?.ip;
  if (!address || UNSPECIFIED.has(address) || m.port === 0) return null;
  return { address, port: m.port, rtcpAddress: m.rtcp?.address ?? address, rtcpPort: m.rtcp?.port ?? m.port + 1 };
}

/** A stream we do not take: same type and formats, port 0 (RFC 3264 §6). */
function declined(m: MediaDescription): string {
  return `m=${m.type} 0 ${m.protocol} ${String(m.payloads ?? '')}\r\n`;
}
