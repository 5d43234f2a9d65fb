// Two drivers in one process: the network (SIP) and the sandbox carrier of
// virtual phones, so an operator who is live can keep testing. Inbound legs
// come from both. Each outbound leg goes to one of them, chosen by an
// asynchronous rule (a database lookup), so `originate` answers at once with
// a leg that takes on the chosen driver's leg when it exists: its state,
// audio, keys and hang-up are that leg's, its events are reported as its own.
import type { Clock } from '../clock/clock.ts';
import type { AudioOut, FrameRun, InboundInfo, Leg, LegObserver, LegState, NetworkCause, OriginateRequest, TelephonyDriver } from './driver.ts';
import { NoMedia } from './no-media.ts';

/** Which driver an outbound leg goes to. */
export type Choose = (req: OriginateRequest) => Promise<'network' | 'sandbox'>;

class ChosenLeg implements Leg {
  readonly direction = 'outbound' as const;
  readonly startedAt: number;
  private inner: Leg | undefined;
  private endedEarly = false;
  private readonly noMedia: NoMedia;
  /** Asked before the chosen driver's leg existed (`hearAudio`). */
  private audioWanted = false;

  constructor(
    private readonly clock: Clock,
    private readonly req: OriginateRequest,
    private readonly observer: LegObserver,
  ) {
    this.startedAt = clock.now();
    this.noMedia = new NoMedia(clock);
  }

  get uuid(): string {
    return this.req.uuid;
  }
  get from(): string {
    return this.req.from;
  }
  get to(): string {
    return this.req.to;
  }
  get state(): LegState {
    return this.inner?.state ?? (this.endedEarly ? 'ended' : 'trying');
  }
  get audio(): AudioOut {
    return this.inner?.audio ?? this.noMedia;
  }
  get speechLabelled(): boolean {
    return this.inner?.speechLabelled ?? false;
  }
  get analysesLine(): boolean {
    return this.inner?.analysesLine ?? false;
  }

  hearAudio(wanted: boolean): void {
    this.audioWanted = wanted;
    this.inner?.hearAudio?.(wanted);
  }

  /** The chosen driver places the leg, its events relayed as this leg's. */
  place(driver: TelephonyDriver): void {
    if (this.endedEarly) return;
    const relay: LegObserver = {
      ringing: () => this.observer.ringing(this),
      earlyMedia: () => this.observer.earlyMedia(this),
      answered: () => this.observer.answered(this),
      ended: (_leg, cause, by) => this.observer.ended(this, cause, by),
      dtmf: (_leg, digit) => this.observer.dtmf(this, digit),
      audio: (_leg, run: FrameRun, at) => this.observer.audio(this, run, at),
      lineSound: (_leg, start, end) => this.observer.lineSound?.(this, start, end),
      lineKey: (_leg, digit, start, end) => this.observer.lineKey?.(this, digit, start, end),
    };
    this.inner = driver.originate(this.req, relay);
    if (this.audioWanted) this.inner.hearAudio?.(true);
  }

  /** No driver could be asked (the rule failed): the leg ends as a network failure. */
  fail(): void {
    if (this.inner || this.endedEarly) return;
    this.endedEarly = true;
    queueMicrotask(() => this.observer.ended(this, 'NORMAL_TEMPORARY_FAILURE', 'far_end'));
  }

  attach(): void {}
  ring(): void {}
  preAnswer(): void {}
  answer(): void {}

  hangup(cause: NetworkCause): void {
    if (this.inner) return this.inner.hangup(cause);
    if (this.endedEarly) return;
    this.endedEarly = true;
    queueMicrotask(() => this.observer.ended(this, cause, 'platform'));
  }

  sendDigits(digits: string, toneMs: number): number {
    return this.inner ? this.inner.sendDigits(digits, toneMs) : this.clock.now();
  }
}

export class SplitDriver implements TelephonyDriver {
  constructor(
    private readonly clock: Clock,
    private readonly network: TelephonyDriver,
    private readonly sandbox: TelephonyDriver,
    private readonly choose: Choose,
    private readonly onError: (err: unknown, req: OriginateRequest) => void,
  ) {}

  originate(req: OriginateRequest, observer: LegObserver): Leg {
    const leg = new ChosenLeg(this.clock, req, observer);
    this.clock
      .track(this.choose(req))
      .then((which) => leg.place(which === 'sandbox' ? this.sandbox : this.network))
      .catch((err: unknown) => {
        this.onError(err, req);
        leg.fail();
      });
    return leg;
  }

  onInbound(handler: (leg: Leg, info: InboundInfo) => void): void {
    this.network.onInbound(handler);
    this.sandbox.onInbound(handler);
  }

  async close(): Promise<void> {
    await Promise.all([this.network.close(), this.sandbox.close()]);
  }
}
