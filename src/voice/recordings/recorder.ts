// Forks a call's audio from the moment it starts: the caller's side (a
// voicemail) or both sides (a session). Stopping gives the audio from start
// to the stop time, mixed to mono, and what the caller was annotated as
// saying (the sandbox's stand-in for a transcription).
import { mixDown, Timeline } from '../../media/timeline.ts';
import type { Call } from '../call.ts';

export type Tracks = 'caller' | 'both';

export interface Captured {
  samples: Int16Array;
  /** Texts the caller said, in order (sandbox speech carries them). */
  said: string[];
}

export class Recorder {
  private readonly caller = new Timeline();
  private readonly platform: Timeline | undefined;
  private readonly offs: Array<() => void> = [];

  constructor(
    call: Call,
    tracks: Tracks,
    readonly startedAt: number,
  ) {
    this.offs.push(call.onAudio((run, at) => this.caller.add(at, run.samples, run.annotation)));
    if (tracks === 'both') {
      const platform = (this.platform = new Timeline());
      this.offs.push(call.farEnd.listen({ queued: (run, start) => platform.add(start, run.samples, run.annotation), cut: (at) => platform.cutAt(at) }, startedAt));
    }
  }

  /** Stop forking; the audio from the start to `end`. */
  stop(end: number): Captured {
    for (const off of this.offs.splice(0)) off();
    const to = Math.max(end, this.startedAt);
    const tracks = this.platform ? [this.caller, this.platform] : [this.caller];
    const said = this.caller.annotations(this.startedAt, to).flatMap((a) => (a.type === 'said' ? [a.text] : []));
    return { samples: mixDown(tracks, this.startedAt, to), said };
  }
}
