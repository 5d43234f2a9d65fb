// A recording of a whole room (a conference, a multiparty call): the mix of
// everyone (or one member's own voice), as a tap of the room, from start to stop. Pausing leaves the
// paused stretch out of the file, so one file holds exactly the recorded
// spans back to back. Files and rows are the Recording API's (written where
// the recordings service keeps them and served at its URLs).
import { newUuid } from '../../ids.ts';
import { SAMPLE_RATE } from '../../media/frame.ts';
import type { CallOwner } from '../engine/ports.ts';
import type { FileFormat, Recordings } from '../recordings/recordings.ts';
import type { MixRoom, RoomMember } from './room.ts';

export type RecordingFormat = FileFormat;

/** What the recording belongs to, as its row names it. */
export interface RecordedRoom {
  owner: CallOwner;
  callUuid: string;
  from: string;
  to: string;
  conference?: { name: string; uuid: string };
  mpc?: { name: string; uuid: string };
}

export interface WrittenRecording {
  id: string;
  url: string;
  startMs: number;
  endMs: number;
  durationMs: number;
}

interface Span {
  from: number;
  to: number | undefined;
  chunks: Array<{ at: number; samples: Int16Array }>;
}

const PER_MS = SAMPLE_RATE / 1000;

export class RoomRecording {
  readonly id = newUuid();
  readonly url: string;
  readonly startedAt: number;
  private readonly spans: Span[] = [];
  private readonly off: () => void;
  private done: Promise<WrittenRecording> | undefined;

  constructor(
    room: MixRoom,
    private readonly recordings: Recordings,
    readonly format: RecordingFormat,
    private readonly what: RecordedRoom,
    now: number,
    /** Record only this member's voice, not the whole room. */
    only?: RoomMember,
  ) {
    this.url = recordings.fileUrl(what.owner.accountId, this.id, format);
    this.startedAt = now;
    this.spans.push({ from: now, to: undefined, chunks: [] });
    const tap = (audio: Int16Array, from: number) => {
      const span = this.spans[this.spans.length - 1]!;
      if (span.to === undefined && from >= span.from) span.chunks.push({ at: from, samples: audio.slice() });
    };
    this.off = only ? room.tapMember(only, tap) : room.tap(tap);
  }

  get paused(): boolean {
    return this.spans[this.spans.length - 1]!.to !== undefined;
  }

  get stopped(): boolean {
    return this.done !== undefined;
  }

  pause(now: number): void {
    if (!this.paused) this.spans[this.spans.length - 1]!.to = now;
  }

  resume(now: number): void {
    if (this.paused && !this.stopped) this.spans.push({ from: now, to: undefined, chunks: [] });
  }

  /** Stop at `now` and write the file and its row (once, however often asked). */
  stop(now: number): Promise<WrittenRecording> {
    if (this.done) return this.done;
    this.pause(now);
    this.off();
    return (this.done = this.write());
  }

  /** The recorded spans back to back, silence where nobody spoke. */
  private render(): Int16Array {
    const lengths = this.spans.map((s) => Math.max(0, Math.round((s.to! - s.from) * PER_MS)));
    const out = new Int16Array(lengths.reduce((a, b) => a + b, 0));
    let base = 0;
    this.spans.forEach((s, i) => {
      const len = lengths[i]!;
      for (const c of s.chunks) {
        const at = Math.round((c.at - s.from) * PER_MS);
        if (at >= len) continue;
        out.set(c.samples.subarray(0, Math.min(c.samples.length, len - at)), base + at);
      }
      base += len;
    });
    return out;
  }

  private async write(): Promise<WrittenRecording> {
    const endMs = this.spans[this.spans.length - 1]!.to!;
    const { durationMs } = await this.recordings.save({ ...this.what, id: this.id, type: 'conference', format: this.format, startMs: this.startedAt, endMs, samples: this.render() });
    return { id: this.id, url: this.url, startMs: this.startedAt, endMs, durationMs };
  }
}
