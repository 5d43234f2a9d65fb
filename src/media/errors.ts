// Audio that cannot be understood (a Play URL serving HTML, a truncated WAV):
// callers treat it as the platform does a bad media URL, not as a crash.
export class MediaFormatError extends Error {
  readonly code = 'ERR_MEDIA_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'MediaFormatError';
  }
}
