// One audio stream of a live call to the customer's WebSocket service, in
// Plivo's protocol: `start` once connected, then a `media` event per 20 ms
// frame and track (µ-law or L16 per contentType) for as long as it runs,
// and `stop` at the end. The tracks are forked from the call (inbound: what
// the far end says; outbound: what the platform plays to it) and rendered a
// frame at a time on the platform clock, silence included; keys the far end
// presses go as `dtmf` events to streams of the inbound track. A
// bidirectional stream also takes audio back (playAudio, heard by the far
// end after what is already queued), checkpoints (playedStream once what
// came before has played), clearAudio and sendDTMF.
import WebSocket, { type RawData } from 'ws';
import type { Timer } from '../../clock/clock.ts';
import { newUuid } from '../../ids.ts';
import { FRAME_MS, FRAME_SAMPLES } from '../../media/frame.ts';
import { parseStreamFormat, StreamDecoder, StreamEncoder, type StreamFormat } from '../../media/stream-codec.ts';
import { Timeline } from '../../media/timeline.ts';
import { readWav } from '../../media/wav.ts';
import type { Call, Hook } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import { plainTime } from '../engine/format.ts';
import { clearedAudioEvent, dtmfEvent, mediaEvent, parseIncoming, playedStreamEvent, startEvent, stopEvent, type Incoming, type Track } from './protocol.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

/** How long the customer's service has to accept the connection. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface StreamSpec {
  serviceUrl: string;
  bidirectional: boolean;
  audioTrack: 'inbound' | 'outbound' | 'both';
  timeoutS: number;
  statusCallback: Hook | undefined;
  /** One of STREAM_CONTENT_TYPES. */
  contentType: string;
  extraHeaders: Record<string, string>;
}

/** Why a stream ended: asked to (API, XML), its timeout, the call's end, or the service's side. */
export type StopReason = 'stopped' | 'timeout' | 'call ended' | 'disconnected' | 'connect failed';

/** What a stream needs from its owner. */
export interface StreamHost {
  engine: Engine;
  /** Started or ended: the owner records it. */
  changed(stream: AudioStream): void;
}

interface TrackTap {
  track: Track;
  timeline: Timeline;
  encoder: StreamEncoder;
  chunk: number;
}

/** `k1=v1,k2=v2` as the start event carries it. */
const headerString = (h: Record<string, string>): string =>
  Object.entries(h)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');

export class AudioStream {
  readonly id = newUuid();
  readonly createdAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** Resolves when the stream has ended, whatever the reason. */
  readonly done: Promise<StopReason>;
  private finish!: (reason: StopReason) => void;
  private ws: WebSocket | undefined;
  private seq = 0;
  private readonly tracks: TrackTap[] = [];
  private readonly format: StreamFormat;
  private readonly extra: string;
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private sentUntil = 0;
  private tick: Timer | undefined;
  private timeout: Timer | undefined;
  private readonly offs: Array<() => void> = [];
  /** When the audio the service sent us will have played. */
  private playUntil = 0;
  private readonly checkpoints = new Set<Timer>();
  private readonly decoders = new Map<string, StreamDecoder>();
  private warnedOneWay = false;

  constructor(
    readonly call: Call,
    readonly spec: StreamSpec,
    private readonly host: StreamHost,
  ) {
    this.createdAt = host.engine.clock.now();
    this.format = parseStreamFormat(spec.contentType)!;
    this.extra = headerString(spec.extraHeaders);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  get live(): boolean {
    return this.endedAt === undefined;
  }

  private get clock() {
    return this.host.engine.clock;
  }

  // ---- connecting ----------------------------------------------------------------

  open(): void {
    let ws: WebSocket;
    try {
      ws = this.ws = new WebSocket(this.spec.serviceUrl, { handshakeTimeout: CONNECT_TIMEOUT_MS });
    } catch (err) {
      return this.end('connect failed', err instanceof Error ? err.message : String(err));
    }
    // The virtual clock waits for the handshake, so time cannot run past a stream that is about to start.
    void this.clock.track(
      new Promise<void>((resolve) => {
        ws.once('open', () => {
          this.connected();
          resolve();
        });
        ws.once('close', () => resolve());
      }),
    );
    ws.on('message', (data, binary) => this.message(data, binary));
    ws.on('error', (err) => this.end(this.startedAt === undefined ? 'connect failed' : 'disconnected', err.message));
    ws.on('close', (code) => this.end(this.startedAt === undefined ? 'connect failed' : 'disconnected', `the service closed the connection (${code})`));
  }

  private connected(): void {
    if (!this.live || !this.call.live) return this.end('call ended');
    const now = this.clock.now();
    this.startedAt = now;
    this.sentUntil = now;
    const wanted: Track[] = this.spec.audioTrack === 'both' ? ['inbound', 'outbound'] : [this.spec.audioTrack];
    for (const track of wanted) {
      const tap: TrackTap = { track, timeline: new Timeline(), encoder: new StreamEncoder(this.format), chunk: 0 };
      this.tracks.push(tap);
      if (track === 'inbound') {
        this.offs.push(this.call.onAudio((run, at) => tap.timeline.add(at, run.samples)));
        this.offs.push(this.call.onDigit((digit) => this.dtmf(digit)));
      } else this.offs.push(this.call.farEnd.listen({ queued: (run, start) => tap.timeline.add(start, run.samples), cut: (at) => tap.timeline.cutAt(at) }, now));
    }
    const encoding = this.format.encoding === 'mulaw' ? 'audio/x-mulaw' : 'audio/x-l16';
    this.send(startEvent(++this.seq, { callId: this.call.uuid, streamId: this.id, accountId: this.call.owner.accountId, tracks: wanted, encoding, sampleRate: this.format.rate, extraHeaders: this.extra }));
    this.status('StartStream');
    this.log('event', `audio stream ${this.id} connected to ${this.spec.serviceUrl}`);
    this.host.changed(this);
    // A safety net and a pacing tick, not something the call waits on: plain clock timers.
    this.timeout = this.clock.after(this.spec.timeoutS * 1000, () => this.end('timeout'));
    this.schedule();
  }

  // ---- audio to the service --------------------------------------------------------------

  private schedule(): void {
    this.tick = this.clock.after(FRAME_MS, () => {
      this.flush(this.clock.now());
      if (this.live) this.schedule();
    });
  }

  /** Send every whole frame up to `now`, each track in turn. */
  private flush(now: number): void {
    while (this.sentUntil + FRAME_MS <= now) {
      const from = this.sentUntil;
      for (const t of this.tracks) {
        t.timeline.render(from, from + FRAME_MS, this.frame);
        this.send(mediaEvent(++this.seq, this.id, t.track, from, ++t.chunk, t.encoder.encode(this.frame), this.extra));
      }
      this.sentUntil = from + FRAME_MS;
    }
    for (const t of this.tracks) t.timeline.dropBefore(this.sentUntil);
  }

  /** A key from the far end, after the media frames that came before it. */
  private dtmf(digit: string): void {
    const now = this.clock.now();
    this.flush(now);
    this.send(dtmfEvent(++this.seq, this.id, digit, now, this.extra));
  }

  private send(event: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(event));
  }

  // ---- messages from the service ----------------------------------------------------------

  private message(data: RawData, binary: boolean): void {
    if (!this.live) return;
    if (!this.spec.bidirectional) {
      if (!this.warnedOneWay) this.log('event', `audio stream ${this.id} is one-way: messages from the service are ignored`);
      this.warnedOneWay = true;
      return;
    }
    const m = binary ? { error: 'binary messages are not part of the stream protocol; send JSON text' } : parseIncoming(data.toString());
    if ('error' in m) return this.log('error', `audio stream ${this.id}: ${m.error}`);
    switch (m.event) {
      case 'playAudio':
        return this.playAudio(m);
      case 'checkpoint':
        return this.checkpoint(m.name);
      case 'clearAudio':
        return this.clearAudio();
      case 'sendDTMF':
        this.call.leg?.sendDigits(m.digits, DTMF_TONE_MS);
        return;
    }
  }

  private decode(m: Extract<Incoming, { event: 'playAudio' }>): Int16Array {
    const type = m.contentType.toLowerCase();
    if (type === 'wav' || type === 'audio/wav' || type === 'audio/x-wav') return readWav(Buffer.from(m.payload, 'base64'));
    const format = parseStreamFormat(type === 'raw' ? 'audio/x-l16' : type, m.sampleRate);
    if (!format) throw new Error(`playAudio audio of contentType "${m.contentType}" at ${m.sampleRate ?? 8000} Hz cannot be played; send audio/x-l16 (8000 or 16000 Hz) or audio/x-mulaw (8000 Hz)`);
    const key = `${format.encoding}:${format.rate}`;
    let decoder = this.decoders.get(key);
    if (!decoder) this.decoders.set(key, (decoder = new StreamDecoder(format)));
    return decoder.decode(m.payload);
  }

  private playAudio(m: Extract<Incoming, { event: 'playAudio' }>): void {
    let samples: Int16Array;
    try {
      samples = this.decode(m);
    } catch (err) {
      return this.log('error', `audio stream ${this.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const leg = this.call.leg;
    if (!leg || samples.length === 0) return;
    const now = this.clock.now();
    // A burst after silence is annotated (the transcript shows it); chunks that follow on extend it.
    const annotation = this.playUntil <= now ? ({ type: 'play', url: this.spec.serviceUrl } as const) : undefined;
    this.playUntil = this.call.farEnd.send(leg, { samples, annotation }, now);
  }

  private checkpoint(name: string): void {
    const wait = this.playUntil - this.clock.now();
    if (wait <= 0) return this.send(playedStreamEvent(++this.seq, this.id, name));
    const timer = this.host.engine.timers.after(wait, () => {
      this.checkpoints.delete(timer);
      this.send(playedStreamEvent(++this.seq, this.id, name));
    });
    this.checkpoints.add(timer);
  }

  private clearAudio(): void {
    // Checkpoints whose audio never played are never reported.
    for (const t of this.checkpoints) t.cancel();
    this.checkpoints.clear();
    const now = this.clock.now();
    const leg = this.call.leg;
    if (leg && this.playUntil > now) this.call.farEnd.clear(leg, now);
    this.playUntil = now;
    this.send(clearedAudioEvent(++this.seq, this.id));
  }

  // ---- ending --------------------------------------------------------------------------------

  /** End the stream (idempotent); `error` says why a connection failed or dropped. */
  end(reason: StopReason, error?: string): void {
    if (!this.live) return;
    const now = this.clock.now();
    this.endedAt = now;
    if (this.startedAt !== undefined) this.flush(now);
    this.tick?.cancel();
    this.timeout?.cancel();
    for (const t of this.checkpoints) t.cancel();
    this.checkpoints.clear();
    for (const off of this.offs.splice(0)) off();
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.send(stopEvent(++this.seq, this.id, this.call.uuid, reason));
      this.ws.close(1000);
    } else this.ws?.terminate();
    // The platform reports the stream's end unless the call itself ended (as documented for status_callback_url).
    if (reason === 'stopped' || reason === 'timeout') this.status('StopStream');
    if (reason === 'disconnected' || reason === 'connect failed') this.status('DroppedStream', error ?? reason);
    this.log(error ? 'error' : 'event', `audio stream ${this.id} ended: ${reason}${error ? ` (${error})` : ''}`);
    this.host.changed(this);
    this.finish(reason);
  }

  private status(event: 'StartStream' | 'StopStream' | 'DroppedStream', error?: string): void {
    const hook = this.spec.statusCallback;
    if (!hook) return;
    const params: Record<string, string> = { Event: event, StreamID: this.id, ServiceURL: this.spec.serviceUrl, Timestamp: plainTime(this.clock.now()) };
    if (error !== undefined) params.Error = error;
    this.host.engine.callback(this.call, hook, 'stream_status', params);
  }

  private log(kind: 'event' | 'error', message: string): void {
    this.host.engine.log(this.call, { kind, message, data: { stream_id: this.id } });
  }
}
