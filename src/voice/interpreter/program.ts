// Runs Plivo XML on one call: fetch a document, run its verbs one at a time,
// follow a verb's goto (action, Redirect) by fetching the document that
// replaces the rest, and hang up at the end of the last document. A transfer
// or the call's end interrupts whatever runs. Nothing a customer's server
// returns can throw out of here: every failure becomes a documented hangup
// cause and an entry in the call's log. A call can also be held by the
// platform (a flow): it then runs verbs built in memory one piece at a time,
// each piece's result coming back to its holder instead of an action URL.
import { CAUSES, type HangupCause } from '../engine/causes.ts';
import type { Call, Hook } from '../engine/call.ts';
import type { InterpreterHost } from './host.ts';
import type { ResponseDoc, Verb } from '../../plivo-xml/ast.ts';
import type { CallLogEntry } from '../../platform/call-log.ts';
import { parsePlivoXml } from '../../plivo-xml/parse.ts';
import { CallContext, type HeldSink, type VerbSequence } from './context.ts';
import { CONTINUE, Interrupt, type DocKind, type Goto, type Outcome, type VerbContext } from './verb.ts';

/** Where the first document comes from: a URL (only the answer URL has a fallback), or the document itself when the platform built it. */
export type DocSource = (Goto & { fallback?: Hook }) | { doc: ResponseDoc };

const FAILURES: Record<DocKind, { unreachable: HangupCause; invalid: HangupCause }> = {
  answer: { unreachable: CAUSES.answerUrlError, invalid: CAUSES.invalidAnswerXml },
  action: { unreachable: CAUSES.actionUrlError, invalid: CAUSES.invalidActionXml },
  redirect: { unreachable: CAUSES.redirectUrlError, invalid: CAUSES.invalidRedirectXml },
  transfer: { unreachable: CAUSES.transferUrlError, invalid: CAUSES.invalidTransferXml },
};

/** A document, or why none came and what the application's developer can do about it. */
type Fetched = { doc: ResponseDoc } | { failed: HangupCause; why: string; fix: string };

/** How a piece of verbs run for the call's holder ended. */
export type HeldEnd =
  /** Every verb ran; the call is up, silent, until the holder runs more or hangs up. */
  | { kind: 'done' }
  /** A verb gave its result to its action (GetDigits' Digits, Record's RecordUrl, Dial's DialStatus …): the action's parameters. */
  | { kind: 'action'; params: Record<string, string> }
  /** The call ended, or another document took it over (the Transfer API), before a result came. */
  | { kind: 'gone' };

/**
 * A document that moves on (Redirect, an action) within this much call time
 * never waited for the caller nor played to them: a hop of a redirect loop.
 */
export const INSTANT_HOP_MS = 1000;
/** Hops in a row a call may make; the next one ends it instead of fetching again (docs/decisions.md). */
export const MAX_INSTANT_HOPS = 10;

export class Program implements VerbSequence {
  private current: Interrupt | undefined;

  constructor(
    private readonly call: Call,
    private readonly host: InterpreterHost,
  ) {}

  /** Run from `source`, replacing whatever runs now. */
  start(source: DocSource): void {
    this.current?.fire();
    const stop = new Interrupt();
    this.current = stop;
    this.run(source, stop).catch((err: unknown) => {
      // A bug of ours, not the customer's: the call still ends cleanly.
      this.host.logError(this.call, 'the XML program failed', err);
      this.call.hangup({ cause: CAUSES.internalError, source: 'Error' });
    });
  }

  stop(): void {
    this.current?.fire();
  }

  /**
   * Run `verbs` (built with plivo-xml/build.ts) for whoever holds the call,
   * replacing whatever runs: nothing is fetched, the first action a verb
   * reports (redirecting or not, even after the caller hung up) is the
   * result, and the call stays up when the verbs end. Legs the verbs place
   * (a Dial's) are reported to `onLeg` as they are placed.
   */
  async runHeld(verbs: readonly Verb[], onLeg: (leg: Call) => void): Promise<HeldEnd> {
    this.current?.fire();
    const stop = new Interrupt();
    this.current = stop;
    let result: Record<string, string> | undefined;
    const sink: HeldSink = { action: (params) => (result ??= params), leg: onLeg };
    const outcome = await this.runVerbs(verbs, new CallContext(this.call, this.host, stop, this, sink), false);
    if (outcome.next === 'goto') result ??= outcome.goto.params;
    if (outcome.next === 'hangup') this.call.hangup(outcome.end);
    if (result) return { kind: 'action', params: result };
    return stop.interrupted || !this.call.live ? { kind: 'gone' } : { kind: 'done' };
  }

  private async run(first: DocSource, stop: Interrupt): Promise<void> {
    const ctx = new CallContext(this.call, this.host, stop, this);
    let source: DocSource | undefined = first;
    let hops = 0;
    while (source && !stop.interrupted) {
      const doc = 'doc' in source ? source.doc : await this.fetch(source, stop);
      if (stop.interrupted || !doc) return;
      source = undefined;
      const started = this.host.clock.now();
      const outcome = await this.runVerbs(doc.verbs, ctx, false);
      if (stop.interrupted) return;
      if (outcome.next !== 'goto') {
        this.call.hangup(outcome.next === 'hangup' ? outcome.end : { cause: CAUSES.endOfXml, source: 'Plivo' });
        return;
      }
      hops = this.host.clock.now() - started < INSTANT_HOP_MS ? hops + 1 : 0;
      if (hops > MAX_INSTANT_HOPS) return this.endLoop(outcome.goto);
      source = outcome.goto;
    }
  }

  /** A redirect loop: the customer's server would be asked again and again for as long as the call lasts. */
  private endLoop(next: Goto): void {
    this.host.log(this.call, {
      kind: 'error',
      message:
        `redirect loop: ${MAX_INSTANT_HOPS} documents in a row moved on within ${INSTANT_HOP_MS} ms without waiting for the caller; ` +
        `the call was ended instead of fetching ${next.url} (a Redirect to the same URL, or documents that redirect to each other)`,
      data: { url: next.url, kind: next.kind, hops: MAX_INSTANT_HOPS },
    });
    this.call.hangup({ cause: FAILURES[next.kind].unreachable, source: 'Error' });
  }

  /** Run `verbs` in order until one leaves the document. `early`: PreAnswer's children, which never answer the call. */
  async runVerbs(verbs: readonly Verb[], ctx: VerbContext<Call>, early: boolean): Promise<Outcome> {
    for (const verb of verbs) {
      const runner = this.host.verbs.runnerFor(verb);
      if (!early && runner.needsAnswer && !this.call.isAnswered && !(await this.call.answer())) return CONTINUE;
      if (ctx.stop.interrupted) return CONTINUE;
      this.host.log(this.call, verbEntry(verb));
      let outcome: Outcome;
      try {
        outcome = await runner.run(verb, ctx);
      } catch (err) {
        // One verb failing (speech unavailable …) skips that verb, not the call.
        this.host.logError(this.call, `<${verb.kind}> failed and was skipped`, err);
        outcome = CONTINUE;
      }
      if (ctx.stop.interrupted) return CONTINUE;
      if (outcome.next !== 'continue') return outcome;
    }
    return CONTINUE;
  }

  /**
   * The document at `source`; the answer URL falls back to fallback_url when
   * unreachable or invalid. Undefined when none could be had: the call is
   * then hung up with the documented cause.
   */
  private async fetch(source: Goto & { fallback?: Hook }, stop: Interrupt): Promise<ResponseDoc | undefined> {
    const failures = FAILURES[source.kind];
    let result = await this.fetchOne(source, source.kind, failures);
    if ('failed' in result && source.fallback?.url && !stop.interrupted) {
      this.host.log(this.call, { kind: 'error', message: `${result.why}; trying fallback_url ${source.fallback.url} (${result.fix})`, data: { url: source.url, fallback: source.fallback.url } });
      result = await this.fetchOne({ ...source, ...source.fallback }, 'fallback', failures);
    }
    if (!('failed' in result)) return result.doc;
    if (stop.interrupted) return undefined;
    this.host.log(this.call, { kind: 'error', message: `${result.why}; the call is hung up (${result.failed.name}): ${result.fix}`, data: { url: source.url, kind: source.kind } });
    this.call.hangup({ cause: result.failed, source: 'Error' });
    return undefined;
  }

  private async fetchOne(source: Goto, kind: string, failures: { unreachable: HangupCause; invalid: HangupCause }): Promise<Fetched> {
    if (!source.url) return { failed: failures.unreachable, why: `no ${source.kind} URL is configured`, fix: `give the ${source.kind} its URL` };
    const res = await this.host.request(this.call, source.url, source.method, source.params, kind);
    if (!res.ok) {
      const fix = res.status ? `make it answer 200 with a Plivo XML document` : 'check that your application is running and this server can reach that URL';
      return { failed: failures.unreachable, why: `${kind} URL ${source.url} failed: ${res.error ?? `HTTP ${res.status}`}`, fix };
    }
    const parsed = parsePlivoXml(res.body ?? '');
    if (!parsed.ok) return { failed: failures.invalid, why: `invalid XML from ${source.url}: ${parsed.error}`, fix: 'fix the document that URL answers' };
    return { doc: parsed.doc };
  }
}

/** How much of a verb's text or URL its log entry keeps. */
const SHOWN_CHARS = 200;

/**
 * A verb's debug-log entry as it starts: its element and attributes (the
 * values the interpreter runs with, defaults applied). Not its text, nested
 * elements or SSML: those are the document's content, which the webhook
 * entry that fetched it keeps, and a text may repeat digits a caller
 * entered with log="false".
 */
export function verbEntry(verb: Verb): CallLogEntry {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(verb)) {
    if (name === 'kind' || name === 'content' || name === 'text' || value === undefined) continue;
    if (typeof value === 'string') attributes[name] = value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value;
    else if (typeof value !== 'object' || value === null || (Array.isArray(value) && value.every((v) => typeof v !== 'object'))) attributes[name] = value;
  }
  const url = typeof attributes.url === 'string' ? attributes.url : undefined;
  return { kind: 'verb', message: `<${verb.kind}>${url ? ` ${url}` : ''}`, data: { verb: verb.kind, attributes } };
}
