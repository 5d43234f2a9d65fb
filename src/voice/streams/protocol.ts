// Plivo's audio stream protocol over the customer's WebSocket: the JSON
// events the platform sends (start, media, dtmf, playedStream, clearedAudio,
// stop) and the ones a bidirectional stream accepts back (playAudio,
// checkpoint, clearAudio, sendDTMF), read defensively: anything else is
// reported, never thrown at the call.

export type Track = 'inbound' | 'outbound';

/** Sent once, when the socket opens. */
export function startEvent(seq: number, s: { callId: string; streamId: string; accountId: string; tracks: Track[]; encoding: string; sampleRate: number; extraHeaders: string }) {
  return {
    event: 'start',
    sequenceNumber: seq,
    start: { callId: s.callId, streamId: s.streamId, accountId: s.accountId, tracks: s.tracks, mediaFormat: { encoding: s.encoding, sampleRate: s.sampleRate } },
    extra_headers: s.extraHeaders,
  };
}

export function mediaEvent(seq: number, streamId: string, track: Track, timestamp: number, chunk: number, payload: string, extraHeaders: string) {
  return { event: 'media', sequenceNumber: seq, streamId, media: { track, timestamp: String(timestamp), chunk, payload }, extra_headers: extraHeaders };
}

/** A key the far end pressed: always on the inbound track, `timestamp` the epoch ms it was received, as a string like media's. */
export function dtmfEvent(seq: number, streamId: string, digit: string, timestamp: number, extraHeaders: string) {
  return { event: 'dtmf', sequenceNumber: seq, streamId, dtmf: { track: 'inbound', digit, timestamp: String(timestamp) }, extra_headers: extraHeaders };
}

export const playedStreamEvent = (seq: number, streamId: string, name: string) => ({ event: 'playedStream', sequenceNumber: seq, streamId, name });
export const clearedAudioEvent = (seq: number, streamId: string) => ({ event: 'clearedAudio', sequenceNumber: seq, streamId });
export const stopEvent = (seq: number, streamId: string, callId: string, reason: string) => ({ event: 'stop', sequenceNumber: seq, streamId, stop: { callId, streamId, reason } });

export type Incoming =
  | { event: 'playAudio'; contentType: string; sampleRate: number | undefined; payload: string }
  | { event: 'checkpoint'; name: string }
  | { event: 'clearAudio' }
  | { event: 'sendDTMF'; digits: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A message from the customer, or why it cannot be used. */
export function parseIncoming(text: string): Incoming | { error: string } {
  let msg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object') return { error: 'a stream message must be a JSON object' };
    msg = parsed as Record<string, unknown>;
  } catch {
    return { error: 'a stream message must be JSON' };
  }
  switch (msg.event) {
    case 'playAudio': {
      const media = (msg.media ?? {}) as Record<string, unknown>;
      const payload = str(media.payload);
      if (!payload) return { error: 'playAudio needs media.payload (base64 audio)' };
      const rate = media.sampleRate === undefined ? undefined : Number(media.sampleRate);
      return { event: 'playAudio', contentType: str(media.contentType) ?? 'audio/x-l16', sampleRate: rate, payload };
    }
    case 'checkpoint':
      return { event: 'checkpoint', name: str(msg.name) ?? '' };
    case 'clearAudio':
      return { event: 'clearAudio' };
    case 'sendDTMF': {
      const digits = str(msg.dtmf) ?? str((msg.dtmf as Record<string, unknown> | undefined)?.digit);
      if (!digits || !/^[0-9*#A-D]+$/.test(digits)) return { error: 'sendDTMF needs dtmf: DTMF keys (0-9, *, #, A-D)' };
      return { event: 'sendDTMF', digits };
    }
    default:
      return { error: `unknown stream event ${JSON.stringify(msg.event)}; expected playAudio, checkpoint, clearAudio or sendDTMF` };
  }
}
