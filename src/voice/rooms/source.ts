// Audio the platform plays into a room (enter and exit beeps, the
// Conference API's play and speak, hold and wait music): segments played in
// order, once or looped, 20 ms at a time as the mixer ticks.
import { FRAME_SAMPLES, SAMPLE_RATE, type Annotation } from '../../media/frame.ts';
import { clamp16 } from '../../media/pcm.ts';
import { spanned } from './input.ts';

export interface Segment {
  samples: Int16Array;
  annotation?: Annotation;
}

export class Source {
  private segment = 0;
  private offset = 0;
  private stopped = false;
  private readonly length: number;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly loop: boolean,
    /** What started it (an API request …), so it can be stopped by the same name. */
    readonly tag = '',
  ) {
    this.length = segments.reduce((n, s) => n + s.samples.length, 0);
  }

  get done(): boolean {
    return this.stopped || this.length === 0;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Add the next 20 ms into `out`; annotations of segments starting in it go to `labels`. False once it has finished. */
  mixInto(out: Int16Array, labels: Annotation[]): boolean {
    if (this.done) return false;
    let written = 0;
    while (written < FRAME_SAMPLES) {
      const seg = this.segments[this.segment];
      if (!seg) {
        if (!this.loop) break;
        this.segment = 0;
        continue;
      }
      if (this.offset === 0 && seg.annotation) labels.push(spanned(seg.annotation, seg.samples.length / (SAMPLE_RATE / 1000)));
      const n = Math.min(FRAME_SAMPLES - written, seg.samples.length - this.offset);
      for (let i = 0; i < n; i++) out[written + i] = clamp16(out[written + i]! + seg.samples[this.offset + i]!);
      written += n;
      this.offset += n;
      if (this.offset >= seg.samples.length) {
        this.segment++;
        this.offset = 0;
      }
    }
    if (!this.loop && this.segment >= this.segments.length) this.stopped = true;
    return written > 0;
  }
}
