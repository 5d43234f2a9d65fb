// One entry point for "play this file": sniff the bytes (Content-Type is a
// hint only; servers often send application/octet-stream) and decode.

import { MediaFormatError } from './errors.ts';
import { isMp3, readMp3 } from './mp3.ts';
import { isWav, readWav } from './wav.ts';

/** WAV or MP3 bytes → 8 kHz mono 16-bit PCM. */
export async function decodeAudio(bytes: Uint8Array, contentTypeHint?: string): Promise<Int16Array> {
  if (isWav(bytes)) return readWav(bytes);
  if (isMp3(bytes)) return readMp3(bytes);
  // Headerless MPEG (e.g. junk before the first frame) still decodes if the server says it is MP3.
  if (contentTypeHint && /mpeg|mp3/i.test(contentTypeHint)) return readMp3(bytes);
  const what = contentTypeHint ? ` (served as ${contentTypeHint})` : '';
  throw new MediaFormatError(`audio is neither WAV nor MP3${what}`);
}
