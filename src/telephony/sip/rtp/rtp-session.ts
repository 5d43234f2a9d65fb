// One leg's media as its worker runs it: every 20 ms tick it sends one
// packet (the queued audio, a key's event, or silence, which keeps NAT
// bindings and the far end's media timers alive) and plays one frame out of
// the jitter buffer; between ticks it takes in whatever RTP and RTCP
// arrive. It knows nothing of sockets or threads: `SessionIo` carries
// packets out and heard audio and keys up, so it runs the same in a worker
// and in a unit test.
import { DtmfDetector } from '../../../media/dtmf.ts';
import { FRAME_SAMPLES } from '../../../media/frame.ts';
import { ALAW_SILENCE, ALAW_TO_LINEAR, alawEncode, MULAW_SILENCE, MULAW_TO_LINEAR, mulawEncode } from '../../../media/g711.ts';
import { receivesFrom, sendsTo, type AudioCodecName, type NegotiatedMedia } from '../sip-sdp.ts';
import { buildReport, ntpMiddle, ntpOf, parseRtcp, ReceptionStats } from './rtcp.ts';
import { DtmfReceiver, END_REPEATS, EVENT_PAYLOAD_BYTES, eventOf, writeEvent } from './rtp-dtmf.ts';
import { JitterBuffer, jitterPop, jitterPut, type JitterBufferOptions } from './rtp-jitter-buffer.ts';
import { LATCH_MOVED, LATCH_REJECT, Latch, type Address } from './rtp-latch.ts';
import { OutQueue, TAKE_DIGIT, TAKE_IDLE } from './rtp-out-queue.ts';
import { emptyHeader, readRtp, RTP_HEADER_BYTES, writeRtpHeader } from './rtp-packet.ts';
import { WordCopy } from './rtp-word-copy.ts';

export type KeySource = 'rfc4733' | 'inband';

export interface SessionIo {
  /** Put a packet on the wire (RTP port, or RTCP port when `rtcp`); an RTP packet is a scratch buffer, rewritten by the next session: send or copy it inside the call. */
  transmit(packet: Uint8Array, to: Address, rtcp: boolean): void;
  /**
   * The frame played out at this tick (null: nothing, the stream is idle or
   * filling); a scratch buffer, rewritten by the next session: copy what
   * you keep. Not called for ticks played into the caller's own buffer
   * (RtpSession.play's `out`).
   */
  heard?(frame: Int16Array | null): void;
  /** The far end pressed a key. */
  key(digit: string, source: KeySource): void;
  /** Something worth a log line: the stream latched elsewhere, the far end said BYE. */
  note(what: 'latched' | 'bye', detail: string): void;
  /**
   * Optional: from now on only RTP from `source` matters (null: from anyone
   * again, to learn a new source). A real socket connects to it, so the
   * kernel drops other senders' packets and sends without a route lookup.
   */
  listenTo?(source: Address | null): void;
}

export interface SessionOptions {
  /** Detect keys as tones in the received audio when no telephone-event was negotiated (a far end that has it sends events). */
  inbandDtmf: boolean;
  /** Our RTCP CNAME. */
  cname: string;
  jitter?: JitterBufferOptions;
  /** Random values (SSRC, first sequence number, timestamp origin, RTCP jitter); tests pass fixed ones. */
  random?: () => number;
}

export interface SessionStats {
  packetsSent: number;
  packetsReceived: number;
  /** Expected minus received, from sequence numbers. */
  packetsLost: number;
  late: number;
  duplicates: number;
  concealed: number;
  /** Packets refused by the latch (another source) or unreadable. */
  rejected: number;
  jitterMs: number;
  /** From the far end's receiver reports; null until one came back. */
  roundTripMs: number | null;
  /** The far end's view of our stream: packets it reports lost. */
  remoteLost: number | null;
}

/** Encode `n` samples of `pcm` from `from` into `out` at `at`. */
type Encoder = (pcm: Int16Array, out: Uint8Array, at: number, from: number, n: number) => Uint8Array;
const ENCODERS: Record<AudioCodecName, Encoder> = { PCMU: mulawEncode, PCMA: alawEncode };
const DECODE_TABLES: Record<AudioCodecName, Readonly<Int16Array>> = { PCMU: MULAW_TO_LINEAR, PCMA: ALAW_TO_LINEAR };
const SILENCE: Record<AudioCodecName, number> = { PCMU: MULAW_SILENCE, PCMA: ALAW_SILENCE };
/**
 * Scratch shared by every session of the thread: a packet's header as read,
 * the frame being sent (when it is not read straight out of a queued run),
 * the packets being sent and the frame played out. Each is used and done
 * with inside one call (heard() copies what it keeps, the network sends or
 * copies a packet inside transmit()), and one shared buffer stays in the
 * CPU's cache where a thousand sessions' own copies would each be cold by
 * their next tick.
 */
const header = emptyHeader();
const sendFrame = new Int16Array(FRAME_SAMPLES);
const played = new Int16Array(FRAME_SAMPLES);
const audioPacket = new Uint8Array(RTP_HEADER_BYTES + FRAME_SAMPLES);
/** The same as 32-bit words, to copy an encoded frame into four bytes at a time (the header is 12 bytes: the payload starts on a word). */
const audioWords = new Uint32Array(audioPacket.buffer);
const eventPacket = new Uint8Array(RTP_HEADER_BYTES + EVENT_PAYLOAD_BYTES);
/** The byte audioPacket's whole payload is (an idle leg's silence; then the next idle leg writes only a header), -1 when it is audio. */
let audioPayloadAll = -1;
/** RTCP every 5 s on average, each interval drawn from 0.5 to 1.5 times that (RFC 3550 §6.3.1). */
const RTCP_TICKS = 250;

export class RtpSession {
  readonly queue = new OutQueue();
  readonly jitter: JitterBuffer;
  /** The jitter buffer's place in the thread's slabs: a tick's pop and a packet's put go there without reading the buffer's object. */
  private jitterIndex: number;
  private media: NegotiatedMedia | null = null;
  private readonly latch = new Latch(null);
  /** The source the io was told to listen to (the latch's target once a packet confirmed it), null while any may speak. */
  private listening: Address | null = null;
  private rtcpTarget: Address | null = null;
  private readonly ssrc: number;
  private seq: number;
  private readonly tsOrigin: number;
  /** Set when the next packet starts a talk spurt (first one, after hold). */
  private marker = true;
  private eventTs = 0;
  private packetsSent = 0;
  private octetsSent = 0;
  private sentSinceReport = false;
  private nextRtcpTick = 0;
  private readonly stats = new ReceptionStats();
  private receivingSsrc: number | undefined;
  private readonly dtmfIn = new DtmfReceiver();
  private detector: DtmfDetector | null = null;
  private rejected = 0;
  private lastSr: { middle: number; tick: number } | null = null;
  private roundTripMs: number | null = null;
  private remoteLost: number | null = null;
  /** What we send with, fixed at each negotiation (not looked up per packet). */
  private encode: Encoder = mulawEncode;
  private codec: AudioCodecName = 'PCMU';
  /** What the negotiation says, kept as the per-tick and per-packet checks read it: we send (a direction that sends, and somewhere to), we hear, the telephone-event payload type (-1: none). */
  private sends = false;
  private hears = false;
  private eventType = -1;
  private payloadType = 0;
  /** The decoding table of each payload type we agreed on (indexed by payload type: no lookup by codec name per packet). */
  private decodeTables: (Readonly<Int16Array> | undefined)[] = [];
  /** Copies an encoded run's frames into the packet (its word view made once per run). */
  private readonly encodedCopy = new WordCopy();
  private silenceByte = MULAW_SILENCE;
  private readonly random: () => number;

  constructor(
    private readonly io: SessionIo,
    private readonly opts: SessionOptions,
  ) {
    this.random = opts.random ?? Math.random;
    // 32-bit values are kept as int32 (written into packets bit for bit): a uint32 over 2^31 would be a boxed number,
    // one more cold object read for every packet sent.
    this.ssrc = Math.floor(this.random() * 0x100000000) | 0;
    this.seq = Math.floor(this.random() * 0x10000);
    this.tsOrigin = Math.floor(this.random() * 0x100000000) | 0;
    this.jitter = new JitterBuffer(opts.jitter);
    this.jitterIndex = this.jitter.index;
  }

  /** Media flows from now as negotiated; called again for every re-negotiation (re-INVITE). */
  configure(media: NegotiatedMedia, tick: number): void {
    const before = this.media;
    const remote = media.remote;
    if (!before || !sameTarget(before.remote, remote)) {
      this.latch.retarget(remote && { address: remote.address, port: remote.port });
      this.listen(null);
      this.rtcpTarget = remote && { address: remote.rtcpAddress, port: remote.rtcpPort };
    }
    if (!before) this.nextRtcpTick = tick + this.rtcpInterval();
    if (!before || !this.sends) this.marker = true;
    this.media = media;
    this.sends = sendsTo(media.direction) && remote !== null;
    this.hears = receivesFrom(media.direction);
    this.eventType = media.telephoneEvent ?? -1;
    this.codec = media.codecs[0].name;
    this.encode = ENCODERS[this.codec];
    this.payloadType = media.codecs[0].payloadType;
    this.silenceByte = SILENCE[media.codecs[0].name];
    this.decodeTables = [];
    for (const c of media.codecs) this.decodeTables[c.payloadType] = DECODE_TABLES[c.name];
    const inband = media.telephoneEvent === null;
    this.queue.inbandDigits = inband;
    this.detector = inband && this.opts.inbandDtmf ? (this.detector ?? new DtmfDetector()) : null;
  }

  /** One 20 ms tick: send this tick's packet, play this tick's frame out. */
  tick(tick: number, wallMs: number): void {
    this.send(tick);
    this.play(tick, wallMs);
  }

  /** A tick's first half: its packet leaves. (A worker sends every session's packet of a step before it plays any frame out, so the last packet leaves sooner.) */
  send(tick: number): void {
    // Objects on the per-tick and per-packet paths are compared with null, not tested for truth: V8 tests an object's
    // truth by reading its map (is it document.all?), a cache miss on an object the tick otherwise never reads.
    // A source gone quiet may have moved (the far end re-routed its media): hear everyone again so the latch can follow.
    if (this.listening !== null && this.latch.quiet(tick)) this.listen(null);
    // The frame stays in the queued run when it can (see OutQueue.frameSamples): encoded straight from there.
    const take = this.queue.take(tick, sendFrame, false);
    const to = this.latch.target;
    if (this.sends && to !== null) {
      if (take === TAKE_DIGIT) this.sendEvent(this.eventType, tick, to);
      else this.sendAudio(tick, to, take === TAKE_IDLE);
    }
  }

  /**
   * A tick's second half: its frame plays out — into `out[at…]` when given
   * (a media worker decodes it straight into its staging buffer), else to
   * io.heard — and RTCP goes when due. True when a frame came out.
   */
  play(tick: number, wallMs: number, out?: Int16Array, at = 0): boolean {
    const frame = out ?? played;
    const came = jitterPop(this.jitterIndex, frame, at);
    if (!out) this.io.heard?.(came ? played : null);
    if (came && this.detector) this.keysIn(frame, at);
    if (this.media !== null && tick >= this.nextRtcpTick) {
      this.report(tick, wallMs, false);
      this.nextRtcpTick = tick + this.rtcpInterval();
    }
    return came;
  }

  /** An RTP packet from `from`, arrived at `tick` (`arrivalMs` on the worker's monotonic clock): `length` bytes at `packet[start]` (all of `packet` by default). */
  receiveRtp(packet: Uint8Array, from: Address, tick: number, arrivalMs: number, start = 0, length = packet.length - start): void {
    const media = this.media;
    const h = header;
    if (media === null || !readRtp(packet, h, start, length)) return void this.rejected++;
    // As int32, like our own SSRC: stored per packet (latch, receivingSsrc) without boxing one.
    const ssrc = h.ssrc | 0;
    const verdict = this.latch.check(from.address, from.port, ssrc, h.sequence, tick);
    if (verdict === LATCH_REJECT) return void this.rejected++;
    if (verdict === LATCH_MOVED) this.io.note('latched', `${from.address}:${from.port}`);
    if (this.listening !== this.latch.target) this.listen(this.latch.target);
    if (ssrc !== this.receivingSsrc) {
      this.receivingSsrc = ssrc;
      this.jitter.reset();
      this.dtmfIn.reset();
    }
    this.stats.update(h.sequence, h.timestamp, Math.round(arrivalMs * 8));
    if (!this.hears) return;
    const payload = h.payloadOffset;
    const bytes = h.payloadLength;
    if (h.payloadType === this.eventType) {
      const digit = this.dtmfIn.receive(h.timestamp, packet, payload, bytes);
      if (digit) this.io.key(digit, 'rfc4733');
      return;
    }
    const table = this.decodeTables[h.payloadType];
    if (!table || bytes === 0) return; // comfort noise and formats we did not agree on
    jitterPut(this.jitterIndex, h.timestamp, packet, payload, bytes, table);
  }

  /** An RTCP packet from `from`, at `tick` (`wallMs` on the platform's wall clock). */
  receiveRtcp(packet: Uint8Array, from: Address, tick: number, wallMs: number): void {
    const info = parseRtcp(packet);
    if (!info || (info.ssrc | 0) !== this.latch.ssrc) return;
    this.rtcpTarget = { address: from.address, port: from.port };
    if (info.srNtpMiddle !== null) this.lastSr = { middle: info.srNtpMiddle, tick };
    for (const b of info.blocks) {
      if ((b.ssrc | 0) !== this.ssrc) continue;
      this.remoteLost = b.cumulativeLost;
      // Signed: rounding in the far end's DLSR can put a near-zero round trip a unit below zero.
      if (b.lsr !== 0) this.roundTripMs = Math.max(0, ((ntpMiddle(ntpOf(wallMs)) - b.lsr - b.dlsr) | 0) / 65.536);
    }
    if (info.bye) this.io.note('bye', `${from.address}:${from.port}`);
  }

  /** Its jitter buffer's place in the thread's slabs goes to the next session (after close; stats stay readable). */
  release(): void {
    this.jitter.release();
    this.jitterIndex = -1;
  }

  /** Leaving: a last report with BYE while we were sending. */
  close(tick: number, wallMs: number): void {
    if (this.media && this.packetsSent > 0) this.report(tick, wallMs, true);
  }

  snapshot(): SessionStats {
    const j = this.jitter.stats;
    return {
      packetsSent: this.packetsSent,
      packetsReceived: this.stats.received,
      packetsLost: Math.max(0, this.stats.lost),
      late: j.late,
      duplicates: j.duplicates,
      concealed: j.concealed,
      rejected: this.rejected,
      jitterMs: this.stats.jitter / 8,
      roundTripMs: this.roundTripMs,
      remoteLost: this.remoteLost,
    };
  }

  private listen(source: Address | null): void {
    if (this.listening === source) return;
    this.listening = source;
    this.io.listenTo?.(source);
  }

  /** As int32 (see ssrc). */
  private timestampAt(tick: number): number {
    return (this.tsOrigin + tick * FRAME_SAMPLES) | 0;
  }

  private sendAudio(tick: number, to: Address, idle: boolean): void {
    const packet = audioPacket;
    writeRtpHeader(packet, this.payloadType, this.marker, this.nextSeq(), this.timestampAt(tick), this.ssrc);
    if (!idle) {
      const q = this.queue;
      const n = q.frameLength;
      const g711 = q.frameG711;
      // Named loads (one shape of run per codec pair), not a load keyed by the codec's name.
      const encoded = g711 && (this.codec === 'PCMU' ? g711.PCMU : g711.PCMA);
      if (encoded) this.encodedCopy.copy(packet, audioWords, RTP_HEADER_BYTES, encoded, q.frameAt, n);
      else this.encode(q.frameSamples, packet, RTP_HEADER_BYTES, q.frameAt, n);
      if (n < FRAME_SAMPLES) packet.fill(this.silenceByte, RTP_HEADER_BYTES + n);
      audioPayloadAll = -1;
    } else if (audioPayloadAll !== this.silenceByte) {
      packet.fill(this.silenceByte, RTP_HEADER_BYTES);
      audioPayloadAll = this.silenceByte;
    }
    this.put(packet, to, FRAME_SAMPLES);
  }

  /** One packet of a key's event; its last is sent END_REPEATS times. */
  private sendEvent(payloadType: number, tick: number, to: Address): void {
    const q = this.queue;
    const first = q.digitIndex === 0;
    if (first) this.eventTs = this.timestampAt(tick);
    const end = q.digitIndex === q.digitFrames - 1;
    const duration = (q.digitIndex + 1) * FRAME_SAMPLES;
    for (let i = 0; i < (end ? END_REPEATS : 1); i++) {
      const packet = eventPacket;
      writeRtpHeader(packet, payloadType, first || this.marker, this.nextSeq(), this.eventTs, this.ssrc);
      writeEvent(packet, RTP_HEADER_BYTES, eventOf(q.digit), end, duration);
      this.put(packet, to, EVENT_PAYLOAD_BYTES);
    }
  }

  private put(packet: Uint8Array, to: Address, payloadBytes: number): void {
    this.marker = false;
    this.packetsSent++;
    this.octetsSent += payloadBytes;
    this.sentSinceReport = true;
    this.io.transmit(packet, to, false);
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (s + 1) & 0xffff;
    return s;
  }

  /** Keys sent as tones in the frame played at `frame[at…]` (a session whose line is not analysed where it plays). */
  private keysIn(frame: Int16Array, at: number): void {
    const samples = frame === played ? played : frame.subarray(at, at + FRAME_SAMPLES);
    for (const digit of this.detector!.push(samples)) this.io.key(digit, 'inband');
  }

  private report(tick: number, wallMs: number, bye: boolean): void {
    const to = this.rtcpTarget;
    if (!to) return;
    const sender = this.sentSinceReport ? { ssrc: this.ssrc, wallMs, rtpTimestamp: this.timestampAt(tick), packets: this.packetsSent, octets: this.octetsSent } : null;
    const sr = this.lastSr;
    const block =
      this.receivingSsrc !== undefined && this.stats.received > 0
        ? this.stats.block(this.receivingSsrc, sr ? sr.middle : 0, sr ? Math.round(((tick - sr.tick) * 20 * 65536) / 1000) : 0)
        : null;
    this.sentSinceReport = false;
    this.io.transmit(buildReport(this.ssrc, this.opts.cname, sender, block, bye), to, true);
  }

  private rtcpInterval(): number {
    return Math.round(RTCP_TICKS * (0.5 + this.random()));
  }
}

function sameTarget(a: NegotiatedMedia['remote'], b: NegotiatedMedia['remote']): boolean {
  if (!a || !b) return a === b;
  return a.address === b.address && a.port === b.port && a.rtcpAddress === b.rtcpAddress && a.rtcpPort === b.rtcpPort;
}
