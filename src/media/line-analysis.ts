// What is on a line, from its samples alone: where there is sound (voice
// activity, voice-activity.ts) and which keys were sent as tones (dtmf.ts).
// One pass per 20 ms frame serves both: each half frame's energy is summed
// once and shared by the voice detector and the two DTMF blocks that frame
// closes (one on the frame, one straddling it and the previous frame);
// blocks too quiet for two tones skip the filters, so a quiet line costs an
// energy sum per frame. A key needs two blocks in a row, and any tone long
// enough fills a block on the frame grid, so the straddling block is only
// examined next to a frame block that found a key (or while one sounds):
// speech pays for one block per frame, not two. Drivers hand audio over in runs of frames with a
// platform start time — a sandbox phone a whole utterance at once, possibly
// ahead of its time, an RTP session 100 ms batches back to back — and
// nothing here depends on which: runs that follow the previous one continue
// it, a later start means the line was silent in between, and a run that
// starts before what was already analysed (sandbox audio mixed over other
// audio) is looked at on its own for sound only. The engine analyses
// sandbox legs' audio on the main thread (voice/engine/inbound-audio.ts);
// SIP's media workers analyse their sessions' audio frame by frame where it
// arrives (telephony/sip/rtp/rtp-media-loop.ts) and post only the findings.
import { classifyBlock, DTMF_BLOCK, KeyToneTracker, MIN_KEY_BLOCK_ENERGY } from './dtmf.ts';
import { FRAME_MS, FRAME_SAMPLES } from './frame.ts';
import { energyOf, VoiceActivity } from './voice-activity.ts';

export interface LineEvents {
  /**
   * Sound from `start` to `end` (platform ms, whole frames). Sound going on
   * at the end of a run is reported up to there; if the next run continues
   * it, that run reports it again from its own start (adjacent stretches).
   */
  sound(start: number, end: number): void;
  /** A key's tone was heard from `start` to `end` (platform ms, to within 10 ms). */
  key(digit: string, start: number, end: number): void;
}

const HALF = FRAME_SAMPLES / 2;
const HALF_MS = FRAME_MS / 2;
/** Runs starting within this of where the last one ended continue it (drivers round their times to the ms). */
const CONTIGUOUS_MS = HALF_MS;
/** A key's tone still sounding where the audio stopped, with nothing following for this long: the line went quiet there (`end`). */
export const KEY_QUIET_MS = 400;

export class LineAnalyser {
  private readonly vad = new VoiceActivity();
  private readonly keys: KeyToneTracker;
  /** Platform time (ms) up to which the line has been analysed in order. */
  private cursor = -Infinity;
  /** The block straddling two frames, when they do not lie next to each other: the previous frame's second half, then this frame's first. */
  private readonly straddle = new Int16Array(DTMF_BLOCK);
  /**
   * Where the previous frame's second half is: `tail[tailAt…]`, the samples
   * it was read from (a run pushed, a worker's staging buffer), or
   * `straddle` once they may change (see keepTail). Not copied aside every
   * frame: the straddling block is rarely examined, and a frame that lies
   * right after it in the same samples is examined in place.
   */
  private tail: Int16Array = this.straddle;
  private tailAt = 0;
  /** Energy of the previous frame's second half; -1 when there is none to straddle (after a gap). */
  private tailEnergy = -1;
  /** The key the previous frame's own block found. */
  private lastFrameKey: string | null = null;
  /** A run's last, short frame padded with silence (made when first needed: a media worker pushes whole frames only). */
  private padded: Int16Array | null = null;
  private soundFrom = -1;
  private soundTo = -1;

  constructor(private readonly events: LineEvents) {
    this.keys = new KeyToneTracker({ ended: (digit, start, end) => events.key(digit, start, end) });
  }

  /** Platform time up to which audio has been analysed in order. */
  get heardUntil(): number {
    return this.cursor;
  }

  /** Is a key's tone sounding at the end of what has been heard (its end not known yet)? */
  get keySounding(): boolean {
    return this.keys.sounding;
  }

  /**
   * Audio of the far end starting at platform time `at` (ms). With `more`,
   * sound going on at its end is not reported yet (`settle` does): a media
   * worker pushes each 20 ms frame as it plays out and settles once per
   * delivery, so its findings come in the same stretches as a whole run's.
   */
  push(samples: Int16Array, at: number, more = false): void {
    if (samples.length === 0) return;
    if (at < this.cursor - CONTIGUOUS_MS) return this.aside(samples, at);
    at = this.continueAt(at);
    const frames = Math.ceil(samples.length / FRAME_SAMPLES);
    for (let f = 0; f < frames; f++) {
      const whole = (f + 1) * FRAME_SAMPLES <= samples.length;
      this.frame(whole ? samples : this.pad(samples, f), whole ? f * FRAME_SAMPLES : 0, at + f * FRAME_MS);
    }
    if (!more) this.closeSound();
    this.cursor = at + frames * FRAME_MS;
    // The caller's samples are theirs again.
    this.keepTail();
  }

  /**
   * One whole frame, `samples[o, o + FRAME_SAMPLES)`, heard at `at`: what
   * push(that frame, at, true) does, read where it lies. A media worker
   * decodes each frame into its staging buffer, right after the frame
   * before, and analyses it there; the block straddling the two is read in
   * place. The samples pushed this way must stay as they are until
   * keepTail() (the worker calls it before its staging buffer is given away
   * or reused).
   */
  pushFrame(samples: Int16Array, o: number, at: number): void {
    if (at < this.cursor - CONTIGUOUS_MS) return this.aside(samples.subarray(o, o + FRAME_SAMPLES), at);
    at = this.continueAt(at);
    this.frame(samples, o, at);
    this.cursor = at + FRAME_MS;
  }

  /** The samples the last frame was pushed from may change now: keep the half of it the next frame's straddling block needs. */
  keepTail(): void {
    const tail = this.tail;
    const straddle = this.straddle;
    if (tail === straddle) return;
    if (this.tailEnergy >= 0) for (let i = 0, from = this.tailAt; i < HALF; i++) straddle[i] = tail[from + i]!;
    this.tail = straddle;
    this.tailAt = 0;
  }

  /** Report the sound going on at the end of what was pushed with `more`. */
  settle(): void {
    this.closeSound();
  }

  /** A run at `at` continues what was heard (from the cursor), or comes after a silence (from `at`). */
  private continueAt(at: number): number {
    if (at <= this.cursor + CONTIGUOUS_MS) return this.cursor;
    this.closeSound();
    this.end();
    return at;
  }

  /** Nothing follows what was heard: the line is quiet from its end (a key still sounding is over there). */
  end(): void {
    this.keys.flush();
    this.vad.gap();
    this.tailEnergy = -1;
    this.lastFrameKey = null;
  }

  /** The previous frame's second half, then the first of the frame at `s[o…]`, in `straddle` (copied sample by sample: a subarray view would be garbage). */
  private straddled(s: Int16Array, o: number): Int16Array {
    const straddle = this.straddle;
    const tail = this.tail;
    if (tail !== straddle) for (let i = 0, from = this.tailAt; i < HALF; i++) straddle[i] = tail[from + i]!;
    for (let i = 0; i < HALF; i++) straddle[HALF + i] = s[o + i]!;
    return straddle;
  }

  /** The short last frame `f` of `samples`, padded with silence. */
  private pad(samples: Int16Array, f: number): Int16Array {
    const padded = (this.padded ??= new Int16Array(FRAME_SAMPLES));
    padded.fill(0);
    padded.set(samples.subarray(f * FRAME_SAMPLES));
    return padded;
  }

  private frame(s: Int16Array, o: number, t: number): void {
    const first = energyOf(s, o, o + HALF);
    const second = energyOf(s, o + HALF, o + FRAME_SAMPLES);
    const own = classifyBlock(s, o, first + second);
    if (this.tailEnergy >= 0) {
      const energy = this.tailEnergy + first;
      let digit: string | null = null;
      if (energy >= MIN_KEY_BLOCK_ENERGY && (own !== null || this.lastFrameKey !== null || this.keys.sounding)) {
        digit = this.tail === s && this.tailAt === o - HALF ? classifyBlock(s, o - HALF, energy) : classifyBlock(this.straddled(s, o), 0, energy);
      }
      this.keys.block(digit, t - HALF_MS, t + HALF_MS);
    }
    this.keys.block(own, t, t + FRAME_MS);
    this.lastFrameKey = own;
    this.tail = s;
    this.tailAt = o + HALF;
    this.tailEnergy = second;
    this.sound(this.vad.frame((first + second) / FRAME_SAMPLES), t);
  }

  private sound(on: boolean, t: number): void {
    if (!on) return this.closeSound();
    if (this.soundFrom < 0) this.soundFrom = t;
    this.soundTo = t + FRAME_MS;
  }

  private closeSound(): void {
    if (this.soundFrom < 0) return;
    const from = this.soundFrom;
    this.soundFrom = -1;
    this.events.sound(from, this.soundTo);
  }

  /** A run overlapping what was analysed already: its sound, judged against the line's noise floor; keys are not looked for. */
  private aside(samples: Int16Array, at: number): void {
    this.closeSound();
    const vad = this.vad.fork();
    const frames = Math.ceil(samples.length / FRAME_SAMPLES);
    for (let f = 0; f < frames; f++) {
      const whole = (f + 1) * FRAME_SAMPLES <= samples.length;
      const o = whole ? f * FRAME_SAMPLES : 0;
      this.sound(vad.frame(energyOf(whole ? samples : this.pad(samples, f), o, o + FRAME_SAMPLES) / FRAME_SAMPLES), at + f * FRAME_MS);
    }
    this.closeSound();
  }
}
