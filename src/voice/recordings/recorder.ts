// Forks a call's audio from the moment it starts: the caller's side (a
// voicemail) or both sides (a session). Stopping gives the audio from start
// to the stop time — one channel, or for a stereo session the far end's
// voice on the left and what the platform sent it on the right — and the
// caller's audio as it arrived, for a transcription.
import type { PcmAudio } from '../../media/pcm.ts';
import { mixDown, Timeline, type PlacedRun } from '../../media/timeline.ts';
import type { Call } from '../engine/call.ts';

/** The caller alone (mono), both sides mixed (mono), or both sides a channel each (stereo). */
export type Layout = 'caller' | 'mixed' | 'stereo';

export interface Captured {
  audio: PcmAudio;
  /** The caller's audio as it arrived, run by run, for a transcription. */
  caller: PlacedRun[];
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
    // From startedAt: a caller who began speaking during the beep is heard from where the recording starts.
    this.offs.push(call.onAudio((run, at) => this.caller.add(at, run.samples, run.annotation), startedAt));
    if (layout !== 'caller') {
      const platform = (this.platform = new Timeline());
      this.offs.push(call.farEnd.listen({ queued: (run, start) => platform.add(start, run.samples, run.annotation), cut: (at) => platform.cutAt(at) }, startedAt));
    }
  }

  /** Stop forking; the audio from the start to `end`. */
  stop(end: number): Captured {
    for (const off of this.offs.splice(0)) off();
    const to = Math.max(end, this.startedAt);
    const { caller, platform, startedAt } = this;
    const runs = caller.runsIn(startedAt, to);
    if (this.layout === 'stereo' && platform) return { audio: [caller.render(startedAt, to), platform.render(startedAt, to)], caller: runs };
    return { audio: mixDown(platform ? [caller, platform] : [caller], startedAt, to), caller: runs };
  }
}
