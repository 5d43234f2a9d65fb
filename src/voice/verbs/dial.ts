// <Dial>: rings every <Number> and <User> at once (parallel forking); the
// first to answer — and, with confirmSound/confirmKey, to accept — is
// bridged to the caller and the others are cancelled. Sequential dialling is
// several <Dial>s in a row (or an action that answers with the next one).
// While it rings the caller hears dialMusic (the ring-back tone unless a URL
// says otherwise). Once bridged each side hears the other until one hangs
// up, the caller presses * (hangupOnStar) or timeLimit passes; keys are
// relayed across except those the Dial consumes. callbackUrl hears of
// answer, connected, hangup and digitsMatch events; action receives
// DialStatus, DialALegUUID and DialBLegUUID. Every B-leg is a call of its
// own whose CDR names the caller's call as its parent.
import { ended, type PlacedLeg } from '../engine/call-control.ts';
import { CAUSES, type CallEnd } from '../engine/causes.ts';
import type { Interrupt, Outcome, VerbContext, VerbRunner } from '../interpreter/verb.ts';
import { afterward, unconnected } from '../connect/outcome.ts';
import { repeat } from '../prompts/repeat.ts';
import { durationOf } from '../engine/params.ts';
import type { DialNumber, DialUser, DialVerb } from '../../plivo-xml/ast.ts';
import { Bridge } from '../connect/bridge.ts';
import { confirmLeg } from '../connect/confirm.ts';
import { DigitMatcher } from '../connect/digits.ts';
import { playPrompts, ringback, soundDocument } from '../prompts/documents.ts';
import { DEFAULT_RING_TIMEOUT_S, DTMF_TONE_MS } from '../defaults.ts';

export type DialStatus = 'completed' | 'busy' | 'failed' | 'timeout' | 'no-answer';
export type DialEvent = 'answer' | 'connected' | 'hangup' | 'digits';

/**
 * The caller and the legs Dial places, as it sees them: each a PlacedLeg,
 * and who it is bridged to (the Transfer and live media APIs read that for
 * legs=bleg).
 */
export interface DialedCall<C> extends PlacedLeg {
  bridgedTo: C | undefined;
}

interface DialResult<C> {
  status: DialStatus;
  winner: C | undefined;
  rang: boolean;
  /** DialHangupCause: how the bridged leg (or the last one tried) ended. */
  cause: string;
}

/** Where a target is reached: digits for a number, the URI for a SIP user. */
const addressOf = (t: DialNumber | DialUser): string => (t.kind === 'Number' ? t.number.replace(/\D/g, '') : t.uri);

class DialSession<C extends DialedCall<C>> {
  private readonly a: C;
  private readonly legs: C[] = [];
  private winner: C | undefined;
  private lastEnded: C | undefined;
  /** Fires when the ringing is over: someone is connected, every leg failed, or the caller left. */
  private readonly ringing: Interrupt;

  constructor(
    private readonly verb: DialVerb,
    private readonly ctx: VerbContext<C>,
    private readonly hooks: DialHooks<C>,
  ) {
    this.a = ctx.call;
    this.ringing = ctx.stop.child();
  }

  async run(): Promise<DialResult<C>> {
    for (const target of this.verb.targets) this.place(target);
    this.log(`Dial: ringing ${this.legs.map((l) => l.to).join(', ')}`);
    const music = this.music(this.ctx.child(this.ringing));
    await new Promise<void>((resolve) => this.ringing.onFire(resolve));
    await music;
    const winner = this.winner;
    if (!winner || this.ctx.stop.interrupted) {
      const source = this.a.live ? 'Plivo' : 'Caller';
      for (const l of this.legs) l.hangup({ cause: l.isAnswered ? CAUSES.normal : CAUSES.canceled, source });
      await Promise.all(this.legs.map(ended));
      const last = this.lastEnded;
      const status = winner ? 'completed' : unconnected(this.legs);
      return { status, winner, rang: this.rang, cause: last?.end?.cause.cause ?? 'NORMAL_CLEARING' };
    }
    await this.bridged(winner);
    // A called party transferred away is still talking: its call has not ended.
    return { status: 'completed', winner, rang: true, cause: winner.end?.cause.cause ?? 'NORMAL_CLEARING' };
  }

  private get rang(): boolean {
    return this.legs.some((l) => l.ringingAt !== undefined);
  }

  private place(target: DialNumber | DialUser): void {
    const { verb, a } = this;
    const b = this.ctx.placeLeg({
      from: target.callerId ?? verb.callerId ?? a.from,
      to: addressOf(target),
      // Unset: the caller's own caller name.
      callerName: target.callerName ?? verb.callerName,
      sipHeaders: target.kind === 'User' ? { ...verb.sipHeaders, ...target.sipHeaders } : verb.sipHeaders,
      sendDigits: target.sendDigits ? { digits: target.sendDigits, toneMs: DTMF_TONE_MS, onPreanswer: target.sendOnPreanswer } : undefined,
      ringTimeoutS: verb.timeout ?? DEFAULT_RING_TIMEOUT_S,
      connect: (leg) => this.answered(leg),
    });
    this.legs.push(b);
    b.onEnd(() => {
      this.lastEnded = b;
      if (this.legs.every((l) => !l.live)) this.ringing.fire();
    });
  }

  /** What the caller hears while it rings: the dialMusic document looped, else the ring-back tone. */
  private async music(ctx: VerbContext): Promise<void> {
    const m = this.verb.dialMusic;
    if (m?.type === 'url') return playPrompts(await soundDocument(ctx, m.url, 'POST', 'dial_music'), ctx, true);
    await repeat(ctx, ringback(this.legs[0]!.to), 0);
  }

  private answered(b: C): void {
    if (this.ringing.interrupted) return b.hangup({ cause: CAUSES.normal, source: 'Plivo' });
    this.event('answer', b);
    const { confirmSound, confirmKey } = this.verb;
    if (!confirmSound && !confirmKey) return this.win(b);
    void this.confirm(b).then(
      (accepted) => (accepted ? this.win(b) : b.hangup({ cause: CAUSES.normal, source: 'Plivo' })),
      (err: unknown) => {
        this.ctx.logError('Dial: confirming the called party failed', err);
        b.hangup({ cause: CAUSES.internalError, source: 'Error' });
      },
    );
  }

  /** The called party hears confirmSound and (with confirmKey) must press the key within confirmTimeout of answering. */
  private confirm(b: C): Promise<boolean> {
    const { verb, ctx } = this;
    const sound = verb.confirmSound;
    return confirmLeg((call, stop) => ctx.forCall(call, stop), b, this.ringing, {
      prompts: async (bctx) => (typeof sound === 'string' ? soundDocument(bctx, sound, 'POST', 'confirm_sound') : (sound ?? [])),
      key: verb.confirmKey,
      timeoutS: verb.confirmTimeout,
    });
  }

  private win(b: C): void {
    if (this.ringing.interrupted || !b.live) return b.hangup({ cause: CAUSES.normal, source: 'Plivo' });
    this.winner = b;
    for (const other of this.legs) if (other !== b) other.hangup({ cause: CAUSES.canceled, source: 'Plivo' });
    this.ringing.fire();
  }

  /** Caller and called party hear each other until one of them leaves, * is pressed or timeLimit passes. */
  private async bridged(b: C): Promise<void> {
    const { verb, ctx, a } = this;
    this.log(`Dial: connected to ${b.to} (${b.uuid})`);
    this.event('connected', b);
    this.hooks.connected?.(a);
    const bridge = new Bridge(ctx.timers, a, b);
    a.bridgedTo = b;
    b.bridgedTo = a;
    const done = ctx.stop.child();
    const offEnd = b.onEnd(() => done.fire());
    // The Transfer API took the called party to a document of its own: it leaves the bridge, alive.
    let released = false;
    const offTakeover = b.onTakeover(() => {
      released = true;
      // At once: its new document may listen for keys before this Dial wakes up.
      bridge.stop();
      b.listenDigits(undefined);
      done.fire();
    });
    const end = (e: CallEnd) => {
      b.hangup(e);
      done.fire();
    };
    // A bound on the bridged call, not something it waits on: a plain clock timer.
    const limit = ctx.timers.clock.after(verb.timeLimit * 1000, () => end({ cause: CAUSES.scheduledHangup, source: 'Plivo' }));
    const aKeys = new DigitMatcher(verb.digitsMatch);
    const bKeys = new DigitMatcher(verb.digitsMatchBLeg);
    // A key heard as a tone crosses with the audio already: only signalled keys are sent on.
    a.listenDigits((d, inAudio) => {
      if (verb.hangupOnStar && d === '*') return end({ cause: CAUSES.normal, source: 'Caller' });
      const hit = aKeys.push(d);
      if (hit !== undefined) this.event('digits', b, { DialDigitsMatch: hit, DialDigitsPressedBy: 'ALeg' });
      if (!inAudio) b.sendDigits(d);
    });
    b.listenDigits((d, inAudio) => {
      const hit = bKeys.push(d);
      if (hit !== undefined) this.event('digits', b, { DialDigitsMatch: hit, DialDigitsPressedBy: 'BLeg' });
      if (!inAudio) a.sendDigits(d);
    });
    await new Promise<void>((resolve) => done.onFire(resolve));
    limit.cancel();
    bridge.stop();
    offEnd();
    offTakeover();
    a.bridgedTo = undefined;
    b.bridgedTo = undefined;
    a.listenDigits(undefined);
    if (released) return this.log(`Dial: ${b.to} was transferred out of the call`);
    b.listenDigits(undefined);
    // The caller left (or moved on by a transfer): the called party is hung up.
    if (b.live) b.hangup({ cause: CAUSES.normal, source: a.live ? 'Plivo' : 'Caller' });
    await ended(b);
    this.event('hangup', b, { DialBLegHangupCause: b.end!.cause.cause, DialBLegDuration: String(durationOf(b)) });
    this.log(`Dial: ${b.to} disconnected (${b.end!.cause.name})`);
  }

  /** A callbackUrl event (off the call's critical path). */
  private event(action: DialEvent, b: C, extra: Record<string, string> = {}): void {
    const { callbackUrl, callbackMethod } = this.verb;
    if (!callbackUrl) return;
    this.ctx.callback({ url: callbackUrl, method: callbackMethod }, 'dial_callback', {
      DialAction: action,
      DialBLegStatus: action,
      DialALegUUID: this.a.uuid,
      DialBLegUUID: b.uuid,
      DialBLegFrom: b.from,
      DialBLegTo: b.to,
      ...extra,
    });
  }

  private log(message: string): void {
    this.ctx.log({ kind: 'event', message });
  }
}

/** What other features do when a Dial connects (a recording waiting for startOnDialAnswer starts). */
export interface DialHooks<C> {
  connected?(caller: C): void;
}

export function dialRunner<C extends DialedCall<C>>(hooks: DialHooks<C>): VerbRunner<DialVerb, C> {
  return {
    needsAnswer: true,
    async run(verb, ctx): Promise<Outcome> {
      const r = await new DialSession<C>(verb, ctx, hooks).run();
      return afterward(verb, ctx, () =>
        ctx.params({
          DialRingStatus: String(r.rang),
          DialHangupCause: r.cause,
          DialStatus: r.status,
          DialALegUUID: ctx.call.uuid,
          DialBLegUUID: r.winner?.uuid ?? '',
        }),
      );
    },
  };
}
