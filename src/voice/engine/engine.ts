// The voice engine: live calls over a telephony driver. It creates outbound
// The voice engine: live calls over a telephony driver. It creates outbound
// calls and takes inbound ones (number or endpoint → application, or the
// flow attached to it, which then holds the call), runs their XML programs,
// sends their webhooks (signed, through the webhook module) and, when a call
// ends, has it rated, billed and recorded before its hangup_url is called.
// A call holds credit for its first billing increment before it starts and
// for each next one before it begins; one its owner can no longer pay for
// ends (out of credits). Everything that waits goes through the call timer
// group; everything real (HTTP, speech, database) is tracked by the clock,
// so a virtual clock moves only once the engine has caught up.
import type { Logger } from 'pino';
import type { Clock, Timer, TimerGroup } from '../../clock/clock.ts';
import { domainCrossing } from '../../clock/domains.ts';
import type { InboundInfo, Leg, TelephonyDriver } from '../../telephony/driver.ts';
import type { WebhookRequest, WebhookResult } from '../../webhooks/types.ts';
import type { CallLogEntry } from '../../platform/call-log.ts';
import { Call, type CallHost, type CallInit, type CallSetup, type Hook, type LegRequest, type MachineDetection } from './call.ts';
import { CAUSES, cdrState } from './causes.ts';
import { Program, type DocSource } from '../interpreter/program.ts';
import type { VerbRegistry } from '../interpreter/registry.ts';
import { CallContext } from '../interpreter/context.ts';
import type { InterpreterHost } from '../interpreter/host.ts';
import type { Interrupt, VerbContext } from '../interpreter/verb.ts';
import type { HeldEnd } from '../interpreter/program.ts';
import { HeldCall, type HeldHost } from './held-call.ts';
import { newUuid } from '../../ids.ts';
import { MachineDetector, type MachineDecision } from './machine.ts';
import { callParams, durationOf, hangupParams } from './params.ts';
import type { CallLeg, CallLogPort, CallOwner, CdrPort, CreditPort, EngineMedia, HttpMethod, LiveCall, PlatformPort, WebhookPort } from './ports.ts';
import { ApiError } from '../../errors.ts';
import type { SpeakVerb, Verb } from '../../plivo-xml/ast.ts';
import { visible } from './visibility.ts';
import { ANSWER_URL_POLICY, DEFAULT_RING_TIMEOUT_S, DEFAULT_TIME_LIMIT_S } from '../defaults.ts';
import { ssmlToString } from '../../plivo-xml/ssml.ts';

/** A call holds its next billing increment this long before it begins. */
const HOLD_AHEAD_MS = 1000;

export interface EngineDeps {
  clock: Clock;
  timers: TimerGroup;
  driver: TelephonyDriver;
  webhooks: WebhookPort;
  callLog: CallLogPort;
  media: EngineMedia;
  platform: PlatformPort;
  cdrs: CdrPort;
  credit: CreditPort;
  log: Logger;
  /** Every element's runner (verbs/index.ts fills it once the services the verbs use exist). */
  verbs: VerbRegistry;
}

/**
 * Inbound calls to a number or endpoint attached to a flow: the flow runner
 * takes them. Flows sit above voice, so the composition root hands the
 * engine this port once the runner exists.
 */
export interface InboundFlows {
  /** Start a run of `flowId` holding `call`; false when the flow no longer exists. */
  incomingCall(flowId: string, owner: CallOwner, call: HeldCall): Promise<boolean>;
}

export class Engine implements CallHost, InterpreterHost, HeldHost {
  readonly clock: Clock;
  readonly timers: TimerGroup;
  readonly driver: TelephonyDriver;
  readonly media: EngineMedia;
  readonly verbs: VerbRegistry;
  private readonly calls = new Map<string, Call>();
  private readonly programs = new WeakMap<Call, Program>();
  private readonly loggers = new WeakMap<Call, Logger>();
  /** Records and hangup callbacks of ended calls still being written. */
  private readonly finishing = new Set<Promise<void>>();
  private flows: InboundFlows | undefined;
  /** Ended calls whose record is still being written, so a reader can wait for it. */
  private readonly recording = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers;
    this.driver = deps.driver;
    this.media = deps.media;
    this.verbs = deps.verbs;
    deps.driver.onInbound((leg, info) => {
      this.inbound(leg, info).catch((err: unknown) => {
        deps.log.error({ err, call_uuid: leg.uuid }, 'inbound call failed');
        leg.hangup('NORMAL_TEMPORARY_FAILURE');
      });
    });
  }

  /** Who takes inbound calls to numbers and endpoints attached to a flow. */
  setInboundFlows(flows: InboundFlows): void {
    this.flows = flows;
  }

  // ---- live calls ------------------------------------------------------------

  /** A new outbound call, queued until `dial`. */
  create(init: CallInit): Call {
    const call = new Call(this, init);
    this.calls.set(call.uuid, call);
    return call;
  }

  dial(call: Call): void {
    call.dial();
    this.deps.cdrs.started(this.liveOf(call));
    this.logger(call).info({ direction: 'outbound', from: call.from, to: call.to }, 'call started');
  }

  /** A leg placed on a call's behalf (LegRequest): dialled now, or after its delay unless hung up meanwhile. */
  placeLeg(r: LegRequest): Call {
    const uuid = newUuid();
    const call = this.create({
      uuid,
      requestUuid: uuid,
      direction: 'outbound',
      from: r.from,
      to: r.to,
      owner: r.owner,
      signing: r.signing,
      setup: {
        // Never fetched: `connect` decides what the answered leg does.
        answer: { url: '', method: 'POST' },
        callerName: r.callerName,
        sendDigits: r.sendDigits,
        timeLimitS: r.timeLimitS ?? DEFAULT_TIME_LIMIT_S,
        ringTimeoutS: r.ringTimeoutS,
        sipHeaders: r.sipHeaders,
        connect: r.connect,
        rang: r.ringing,
      },
      parentCallUuid: r.parentUuid,
      rate: this.deps.platform.rate('outbound', r.to),
    });
    this.afterHold(call, () => {
      if (!r.delayS) this.dial(call);
      else this.timers.after(r.delayS * 1000, () => call.live && this.dial(call));
    });
    return call;
  }

  find(uuid: string): Call | undefined {
    return this.calls.get(uuid);
  }

  /** Credit held for calls in progress (the Call API holds its calls' first increments before it answers). */
  get credit(): CreditPort {
    return this.deps.credit;
  }

  /** Routing, signing and rates: what verbs that place legs (Dial) need to know. */
  get platform(): PlatformPort {
    return this.deps.platform;
  }

  live(): IterableIterator<Call> {
    return this.calls.values();
  }

  // ---- inbound -----------------------------------------------------------------

  private async inbound(leg: Leg, info: InboundInfo): Promise<void> {
    const target = await this.clock.track(info.routeAs ? this.deps.platform.route(info.routeAs) : this.deps.platform.route(leg.to, info.known));
    // A sandbox caller reaches only its own account's numbers: another tenant's are unassigned to it.
    if (!target || (info.tenant && !visible(info.tenant, target.owner))) {
      // Not a number or endpoint of this platform: refused the way a carrier refuses an unassigned number.
      this.deps.log.info({ call_uuid: leg.uuid, from: leg.from, to: leg.to }, 'inbound call to an unknown destination refused');
      leg.hangup('UNALLOCATED_NUMBER');
      return;
    }
    // On the virtual clock a subaccount keeps its own time: a call from another domain (one's application dialling the other's number) would join them.
    const crossing = domainCrossing(this.clock, target.owner);
    if (crossing) {
      this.deps.log.warn({ call_uuid: leg.uuid, from: leg.from, to: leg.to }, `inbound call refused: ${crossing}; place it from the number owner's own account`);
      leg.hangup('CALL_REJECTED');
      return;
    }
    const signing = await this.clock.track(this.deps.platform.signing(target.owner));
    // The caller gave up before the platform took the call: nothing ran, nothing is billed.
    if (leg.state === 'ended') return;
    const app = target.app;
    const setup: CallSetup = {
      answer: { url: app?.answerUrl ?? '', method: app?.answerMethod ?? 'POST' },
      fallback: app?.fallbackUrl ? { url: app.fallbackUrl, method: app.fallbackMethod } : undefined,
      hangup: app?.hangupUrl ? { url: app.hangupUrl, method: app.hangupMethod } : undefined,
      callerName: info.callerName || leg.from,
      timeLimitS: DEFAULT_TIME_LIMIT_S,
      ringTimeoutS: DEFAULT_RING_TIMEOUT_S,
      sipHeaders: info.sipHeaders,
    };
    const call = new Call(this, {
      uuid: leg.uuid,
      requestUuid: leg.uuid,
      direction: 'inbound',
      from: leg.from,
      to: leg.to,
      owner: target.owner,
      signing,
      setup,
      parentCallUuid: null,
      numberType: target.numberType,
      rate: this.deps.platform.rate('inbound', leg.to, target.numberType),
    });
    this.calls.set(call.uuid, call);
    call.accept(leg);
    this.deps.cdrs.started(this.liveOf(call));
    this.logger(call).info({ direction: 'inbound', from: call.from, to: call.to }, 'call started');
    const flowId = target.flowId;
    if (flowId) return this.afterHold(call, () => void this.toFlow(call, flowId).catch((err: unknown) => this.logError(call, `PHLO ${flowId} could not take the call`, err)));
    if (!app) this.log(call, { kind: 'error', message: `no application is linked to ${leg.to} and its owner has no default application: link one to the number (POST /Number/{number}/ with app_id) or mark an application default_number_app` });
    this.afterHold(call, () => this.run(call, this.answerSource(call)));
  }

  // ---- credit --------------------------------------------------------------------

  /** Hold the call's first billing increment, then `go`; a call its owner cannot pay for ends out of credits. */
  private afterHold(call: Call, go: () => void): void {
    this.clock.track(this.deps.credit.hold(call.owner, [{ uuid: call.uuid, rate: call.rate }])).then(
      () => {
        if (call.live) return go();
        // It ended while the hold was taken, maybe after its record released what it held.
        this.clock.track(this.deps.credit.release(call.uuid)).catch((err: unknown) => this.logError(call, 'its credit hold could not be released', err));
      },
      (err: unknown) => {
        if (err instanceof ApiError) return this.outOfCredit(call, err.message);
        this.logError(call, 'credit could not be held for the call', err);
        call.hangup({ cause: CAUSES.internalError, source: 'Error' });
      },
    );
  }

  /**
   * While the call is answered, hold each next billing increment a little
   * before it begins (so a call never starts an increment its owner has not
   * covered); when the owner can no longer cover one, the call ends there.
   */
  private meter(call: Call): void {
    const rate = call.rate;
    if (!rate) return;
    const every = this.deps.credit.incrementMs;
    const ahead = Math.min(HOLD_AHEAD_MS, every / 2);
    let n = 1;
    let timer: Timer | undefined;
    const schedule = () => {
      // A safety limit, not something the call waits on: a plain clock timer, like time_limit.
      timer = this.clock.after(call.answeredAt! + n * every - ahead - this.clock.now(), () => {
        this.clock.track(this.deps.credit.extend(call.owner, call.uuid, rate)).then(
          (covered) => {
            if (!call.live) return;
            if (!covered) return this.outOfCredit(call, `the account cannot cover the call's billing increment ${n + 1}`);
            n++;
            schedule();
          },
          (err: unknown) => {
            // Our failure, not the customer's: the call goes on and is billed when it ends.
            this.logError(call, 'credit could not be held for the next billing increment', err);
            n++;
            if (call.live) schedule();
          },
        );
      });
    };
    schedule();
    call.onEnd(() => timer?.cancel());
  }

  private outOfCredit(call: Call, why: string): void {
    this.log(call, { kind: 'event', message: `the account ran out of credit: ${why}`, data: { cause: CAUSES.outOfCredits.code } });
    call.hangup({ cause: CAUSES.outOfCredits, source: 'Plivo' });
  }

  /** The flow attached to the number or endpoint holds the call; one that is gone refuses it. */
  private async toFlow(call: Call, flowId: string): Promise<void> {
    const started = this.flows ? await this.clock.track(this.flows.incomingCall(flowId, call.owner, this.hold(call))) : false;
    if (started) return;
    this.log(call, { kind: 'error', message: `PHLO ${flowId} attached to ${call.to} cannot run; the call is refused` });
    call.hangup({ cause: CAUSES.rejected, source: 'Plivo' });
  }

  // ---- programs ----------------------------------------------------------------

  /** The leg answered: outbound calls start now (after machine detection when it must decide first). */
  answered(call: Call): void {
    this.logger(call).debug('call answered');
    this.deps.cdrs.answered(call.uuid, call.answeredAt!, this.params(call));
    this.meter(call);
    if (call.direction !== 'outbound') return;
    const md = call.setup.machine;
    if (!md) return this.begin(call);
    this.detectMachine(call, md);
    // With a machine_detection_url detection is asynchronous: the call goes on meanwhile.
    if (md.url) this.begin(call);
  }

  /** An answered outbound call is handed to whoever placed it to connect it (`connect`), or fetches its answer URL. */
  private begin(call: Call): void {
    if (call.setup.connect) call.setup.connect(call);
    else this.run(call, this.answerSource(call));
  }

  /** Machine detection on the far end's sound from the answer on, until its verdict or the call's end. */
  private detectMachine(call: Call, md: MachineDetection): void {
    const detector = new MachineDetector(md, this.timers, call.answeredAt ?? this.clock.now(), (d) => {
      offSound();
      offEnd();
      this.machineVerdict(call, d);
    });
    const offSound = call.onSound((start, end) => detector.sound(start, end));
    const offEnd = call.onEnd(() => {
      detector.stop();
      offSound();
    });
  }

  private machineVerdict(call: Call, d: MachineDecision): void {
    if (!call.live) return;
    call.machine = d.verdict;
    const md = call.setup.machine!;
    const what = { machine: 'an answering machine', person: 'a person', unknown: 'unknown (Machine=Unknown)' }[d.verdict];
    this.log(call, { kind: 'event', message: `machine detection: ${what}: ${d.reason}`, data: { verdict: d.verdict } });
    if (md.url) this.callback(call, md.url, 'machine_detection', { Event: 'MachineDetection', IfMachine: md.mode === 'hangup' ? 'hangup' : 'continue', CallStatus: 'in-progress' });
    if (d.verdict === 'machine' && md.mode === 'hangup') return call.hangup({ cause: CAUSES.machineDetected, source: 'Plivo' });
    if (!md.url) this.begin(call);
  }

  private answerSource(call: Call): DocSource {
    const { answer, fallback, document } = call.setup;
    if (document) return { doc: document };
    return { url: answer.url, method: answer.method, params: this.params(call, { Event: 'StartApp' }), kind: 'answer', fallback };
  }

  private run(call: Call, source: DocSource): void {
    this.programOf(call).start(source);
  }

  private programOf(call: Call): Program {
    let program = this.programs.get(call);
    if (!program) {
      program = new Program(call, this);
      this.programs.set(call, program);
      call.program = program;
    }
    return program;
  }

  /** `call`, held for a flow: it runs the verbs the flow gives it instead of an answer URL's. */
  hold(call: Call): HeldCall {
    return new HeldCall(call, this);
  }

  runHeld(call: Call, verbs: readonly Verb[], onLeg: (leg: Call) => void): Promise<HeldEnd> {
    return this.programOf(call).runHeld(verbs, onLeg);
  }

  /** The Transfer API: the call runs the document at `hook` instead of its current one. */
  transfer(call: Call, hook: Hook): void {
    this.log(call, { kind: 'event', message: `transferred to ${hook.url}` });
    call.takeover();
    this.run(call, { url: hook.url, method: hook.method, params: this.params(call, { Event: 'Transfer' }), kind: 'transfer' });
  }

  /** Each change of status goes into the call's log, so its timeline shows it then and later (live watchers see it as it happens). */
  statusChanged(call: Call): void {
    const end = call.end;
    this.log(call, {
      kind: 'state',
      message: end ? `${call.callStatus}: ${end.cause.name} (${end.source})` : call.status,
      data: {
        state: call.status,
        call_status: call.callStatus,
        direction: call.direction,
        from: call.from,
        to: call.to,
        parent_call_uuid: call.parentCallUuid,
        ...(end ? { hangup_cause_name: end.cause.name, hangup_cause_code: end.cause.code, hangup_source: end.source } : {}),
      },
    });
  }

  // ---- ending ------------------------------------------------------------------

  finished(call: Call): void {
    this.calls.delete(call.uuid);
    const end = call.end!;
    this.logger(call).info({ cause: end.cause.name, code: end.cause.code, source: end.source, status: call.callStatus }, 'call ended');
    const hook = call.setup.hangup;
    const record = this.deps.cdrs.record({
      live: call.initiatedAt !== undefined,
      holdsCredit: Boolean(call.rate),
      hangup: hook && ((charge) => this.webhook(call, hook.url, hook.method, hangupParams(call, charge), 'hangup')),
      ...this.legOf(call),
      answeredAt: call.answeredAt,
      endedAt: call.endedAt!,
      durationS: durationOf(call),
      state: cdrState(end, call.isAnswered),
      causeCode: end.cause.code,
      causeName: end.cause.name,
      cause: end.cause.cause,
      source: end.source,
    });
    this.recording.set(call.uuid, record);
    void record.then(
      () => this.recording.delete(call.uuid),
      () => this.recording.delete(call.uuid),
    );
    const done = this.clock.track(record).then(
      (charge) => {
        // This node was taken for crashed while the call ran: the node that took over wrote its record and hangup callback.
        if (!charge) this.logger(call).warn('call already closed by another node; no record or hangup callback from here');
      },
      async (err: unknown) => {
        this.logError(call, 'the call could not be billed or recorded', err);
        if (hook) await this.send(call, hook, 'hangup', hangupParams(call, { rate: call.rate ?? 0, billedS: 0, amount: 0 }));
      },
    );
    this.finishing.add(done);
    void done.finally(() => this.finishing.delete(done));
  }

  /** What the call's live row keeps. */
  private liveOf(call: Call): LiveCall {
    return Object.assign(this.legOf(call), { hangup: call.setup.hangup, params: this.params(call) });
  }

  /** Who the call is, as its live row and its record both keep it. */
  private legOf(call: Call): CallLeg {
    return {
      uuid: call.uuid,
      requestUuid: call.requestUuid,
      owner: call.owner,
      direction: call.direction,
      from: call.from,
      to: call.to,
      callerName: call.setup.callerName,
      parentCallUuid: call.parentCallUuid,
      numberType: call.numberType,
      initiatedAt: call.initiatedAt ?? call.queuedAt,
    };
  }

  /**
   * Resolves once an ended call's record is written (at once when it is, or
   * when the call is unknown): whatever reports a call ended (the sandbox,
   * a CDR read racing the write) waits on it, so the CDR is there.
   */
  async recorded(uuid: string): Promise<void> {
    await this.recording.get(uuid)?.catch(() => undefined);
  }

  // ---- webhooks, media, logs ------------------------------------------------------

  params(call: Call, extra?: Record<string, string>): Record<string, string> {
    const p = callParams(call);
    return extra ? Object.assign(p, extra) : p;
  }

  private webhook(call: Call, url: string, method: HttpMethod, params: Record<string, string>, kind: string): WebhookRequest {
    return {
      url,
      method,
      params,
      authToken: call.signing.authToken,
      mainAuthToken: call.signing.mainAuthToken,
      accountId: call.owner.accountId,
      subaccountId: call.owner.subaccountId,
      callUuid: call.uuid,
      kind,
      ...(kind === 'answer' ? { policy: ANSWER_URL_POLICY } : {}),
    };
  }

  /** A request on the call's critical path (answer, action …): its document is awaited. */
  request(call: Call, url: string, method: HttpMethod, params: Record<string, string>, kind: string): Promise<WebhookResult> {
    return this.clock.track(() => this.deps.webhooks.fetch(this.webhook(call, url, method, params, kind)));
  }

  /** A notification off the critical path (ring, machine detection): durable, retried, never awaited by the call. */
  callback(call: Call, hook: Hook, kind: string, extra: Record<string, string>): void {
    void this.send(call, hook, kind, this.params(call, extra));
  }

  private send(call: Call, hook: Hook, kind: string, params: Record<string, string>): Promise<void> {
    return this.clock.track(() => this.deps.webhooks.enqueue(this.webhook(call, hook.url, hook.method, params, kind))).catch((err: unknown) => {
      this.logError(call, `the ${kind} callback could not be queued`, err);
    });
  }

  /** A context on `call` outside its program (a called party's confirmation, a room's sounds). */
  contextFor(call: Call, stop: Interrupt): VerbContext<Call> {
    return new CallContext(call, this, stop, new Program(call, this));
  }

  audioFile(url: string): Promise<Int16Array> {
    return this.clock.track(this.media.audioFile(url));
  }

  speech(verb: SpeakVerb): Promise<Int16Array> {
    const ssml = verb.content.some((n) => n.kind !== 'text');
    return this.clock.track(this.media.speech({ text: ssml ? ssmlToString(verb.content) : verb.text, ssml, voice: verb.voice, language: verb.language }));
  }

  /**
   * An entry of the call's debug log. Its errors are what the application
   * caused (a URL that failed, XML the parser refused, a setting missing):
   * each is also a warn line in the server's console naming the call, so a
   * developer watching `switchboard serve` sees why a call failed.
   */
  log(call: Call, entry: CallLogEntry): void {
    if (entry.kind === 'error') this.logger(call).warn({ kind: entry.kind, data: entry.data }, `call ${call.uuid}: ${entry.message}`);
    else this.logger(call).debug({ kind: entry.kind, data: entry.data }, entry.message);
    this.append(call, entry);
  }

  /** A failure of the platform's own (already an error line): into the call's debug log only. */
  logError(call: Call, message: string, err: unknown): void {
    this.logger(call).error({ err }, message);
    this.append(call, { kind: 'error', message: `${message}: ${err instanceof Error ? err.message : String(err)}` });
  }

  private append(call: Call, entry: CallLogEntry): void {
    this.clock.track(this.deps.callLog.append(call.uuid, call.owner, entry)).catch((err: unknown) => {
      this.logger(call).warn({ err }, 'call log entry lost');
    });
  }

  /** The call's child logger, made once: a call logs from several places and a pino child costs more than a line. */
  private logger(call: Call): Logger {
    let logger = this.loggers.get(call);
    if (!logger) this.loggers.set(call, (logger = this.deps.log.child({ call_uuid: call.uuid })));
    return logger;
  }

  /** Ends every live call (shutdown) and waits until their records are written and hangup callbacks queued. */
  async close(): Promise<void> {
    for (const call of [...this.calls.values()]) call.hangup({ cause: CAUSES.internalError, source: 'Plivo' });
    await this.driver.close();
    // Legs report their end asynchronously.
    for (let i = 0; i < 100 && this.calls.size > 0; i++) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(this.finishing);
  }
}
