// Text to speech behind one interface, so the engine never knows which
// synthesizer (in-process WebAssembly today) produced the audio.

export interface SpeakRequest {
  /** Plain text, or SSML when `ssml` is true (Speak's children rendered as SSML). */
  text: string;
  ssml?: boolean;
  /** Plivo `voice` value: WOMAN, MAN, or a Polly.* name. */
  voice: string;
  /** Plivo `language` value, e.g. en-US. */
  language: string;
}

export interface Tts {
  /** 8 kHz 16-bit mono PCM of the spoken text. Repeated requests are served from a cache, so the array may be shared: read-only. */
  synthesize(req: SpeakRequest): Promise<Int16Array>;
}
