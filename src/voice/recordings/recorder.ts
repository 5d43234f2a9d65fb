// Forks a call's audio from the moment it starts: the caller's side (a
// voicemail) or both sides (a session). Stopping gives the audio from start
// to the stop time — one channel, or for a stereo session the far end's
// voice on the left and what the platform sent it on the right — and what
// the caller was annotated as saying (the sandbox's stand-in for a
// transcription).
import type { PcmAudio } from '../../media/pcm.ts';
import { mixDown, Timeline } from '../../media/timeline.ts';
import type { Call } from '../engine/call.ts';

/** The caller alone (mono), both sides mixed (mono), or both sides a channel each (stereo). */
export type Layout = 'caller' | 'mixed' | 'stereo';

export interface Captured {
  audio: PcmAudio;
  /** Texts the caller said, in order (sandbox speech carries them). */
  said: string[];
}

export class Recorder {
  private readonly caller = new Timeline();
  private readonly platform: Timeline | undefined;
  private readonly offs: Array<() => void> = [];

  constructor(
    call: Call,
    private readonly layout: Layout,
    readonly startedAt: number,
  ) {
    this.offs.push(call.onAudio((run, at) => this.caller.add(at, run.samples, run.annotation)));
    if (layout !== 'caller') {
      const platform = (this.platform = new Timeline());
      this.offs.push(call.farEnd.listen({ queued: (run, start) => platform.add(start, run.samples, run.annotation), cut: (at) => platform.cutAt(at) }, startedAt));
    }
  }

  /** Stop forking; the audio from the start to `end`. */
  stop(end: number): Captured {
    for (const off of this.offs.splice(0)) off();
    const to = Math.max(end, this.startedAt);
    const said = this.caller.annotations(this.startedAt, to).flatMap((a) => (a.type === 'said' ? [a.text] : []));
    const { caller, platform, startedAt } = this;
    if (this.layout === 'stereo' && platform) return { audio: [caller.render(startedAt, to), platform.render(startedAt, to)], said };
    return { audio: mixDown(platform ? [caller, platform] : [caller], startedAt, to), said };
  }
}
