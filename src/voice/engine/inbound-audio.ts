// What a call's far end sends, listened to. Every leg's inbound audio goes
// through one line analysis (media/line-analysis.ts), whichever driver
// delivered it and however it batched it: where there is sound, and keys
// sent as tones. Keys the network signals (RFC 4733 events, the sandbox's
// key presses) arrive apart from the audio; a phone or gateway may send a
// key both ways, so whichever way brings a key first counts it and the same
// key from the other way is dropped: a key is never counted twice.
//
// A driver may analyse a leg's audio itself where it arrives (SIP's media
// workers do, with the same LineAnalyser): its findings come in through
// `sound` and `toneHeard` and are counted exactly as the local analysis's.
//
// Times are platform times and may lie ahead of now (a sandbox phone hands
// over a whole utterance when it starts): sound is reported with its times
// at once; a key heard as a tone counts when its tone ends, as a signalled
// key does when it is let go, so an application sees a key at the same
// moment whichever way the phone sent it.
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import { KEY_QUIET_MS, LineAnalyser } from '../../media/line-analysis.ts';

export interface Heard {
  /** Sound from `start` to `end` (platform ms). */
  sound(start: number, end: number): void;
  /** A key, signalled by the network (`inAudio` false) or heard as its tone in the audio (true: the audio carries it already). */
  key(digit: string, inAudio: boolean): void;
  /** The same key came the other way too (`inAudio`: this time as a tone) and was not counted again. */
  twin(digit: string, inAudio: boolean): void;
}

/**
 * A signalled key and a tone are the same key when the signal came from
 * this long before the tone began to this long after it ended (signalling
 * and audio reach us by different paths: RFC 4733 events at the key's
 * start, audio through a jitter buffer; the sandbox signals at the end).
 */
export const KEY_MATCH_MS = 100;
/** Keys are remembered this long for matching. */
const KEYS_KEPT_MS = 60_000;

/** A key counted: signalled at `from` (= `to`), or heard as a tone from `from` to `to`. */
interface Counted {
  digit: string;
  from: number;
  to: number;
  inAudio: boolean;
  /** Its twin from the other path has been dropped already. */
  matched: boolean;
}

export class InboundAudio {
  /** Made when audio is first analysed here (not for legs whose driver analyses it). */
  private analyser: LineAnalyser | undefined;
  private counted: Counted[] = [];
  private readonly timers = new Set<Timer>();
  private quietCheck: Timer | undefined;

  constructor(
    private readonly group: TimerGroup,
    private readonly heard: Heard,
  ) {}

  private get line(): LineAnalyser {
    return (this.analyser ??= new LineAnalyser({ sound: (start, end) => this.heard.sound(start, end), key: (digit, start, end) => this.toneHeard(digit, start, end) }));
  }

  /** Audio from the far end starting at platform time `at`. */
  audio(samples: Int16Array, at: number): void {
    this.line.push(samples, at);
    this.quietCheck?.cancel();
    this.quietCheck = undefined;
    if (!this.line.keySounding) return;
    const until = this.line.heardUntil;
    this.quietCheck = this.after(until + KEY_QUIET_MS, () => {
      this.quietCheck = undefined;
      if (this.line.heardUntil === until) this.line.end();
    });
  }

  /** A key the network signalled (out of band), now: counted unless it is a tone's twin counted already. */
  signal(digit: string): void {
    const now = this.group.clock.now();
    this.count({ digit, from: now, to: now, inAudio: false, matched: false });
  }

  /** Nothing more is listened to (the call ended). */
  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.quietCheck = undefined;
  }

  /** A key's tone heard from `start` to `end` (here or by the driver's analysis): counted when it ends, as a signalled key is (when the key is let go). */
  toneHeard(digit: string, start: number, end: number): void {
    this.after(end, () => this.count({ digit, from: start, to: end, inAudio: true, matched: false }));
  }

  /** Whichever path brings a key first counts it; its twin from the other path is dropped. */
  private count(key: Counted): void {
    const now = this.group.clock.now();
    while (this.counted.length > 0 && this.counted[0]!.to < now - KEYS_KEPT_MS) this.counted.shift();
    /** The signalled one and the tone of `key` and a counted key. */
    const pair = (k: Counted): [Counted, Counted] => (key.inAudio ? [k, key] : [key, k]);
    const twin = this.counted.find((k) => {
      if (k.matched || k.digit !== key.digit || k.inAudio === key.inAudio) return false;
      const [s, t] = pair(k);
      return s.from >= t.from - KEY_MATCH_MS && s.from <= t.to + KEY_MATCH_MS;
    });
    if (twin) {
      twin.matched = true;
      this.heard.twin(key.digit, key.inAudio);
      return;
    }
    this.counted.push(key);
    this.heard.key(key.digit, key.inAudio);
  }

  /** Run `fn` at platform time `at` (at once when it has passed). */
  private after(at: number, fn: () => void): Timer {
    const timer = this.group.after(Math.max(0, at - this.group.clock.now()), () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
    return timer;
  }
}
