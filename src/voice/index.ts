// Assembles the voice side over the telephony driver chosen at start: the
// engine and the Call API service. Which driver it is, the voice module
// never knows.
import type { Logger } from 'pino';
import type { TimerGroup } from '../clock/clock.ts';
import type { Config } from '../config.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { Billing } from '../platform/billing.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Endpoints } from '../platform/endpoints.ts';
import type { Numbers } from '../platform/numbers.ts';
import type { Pricing } from '../platform/pricing.ts';
import type { TelephonyDriver } from '../telephony/driver.ts';
import { Calls } from './calls/calls.ts';
import type { GoneNode } from '../platform/nodes.ts';
import { CallFeedback } from './calls/call-feedback.ts';
import { CallsApi } from './calls/calls-api.ts';
import { CdrWriter } from './engine/cdrs.ts';
import { closeCallsOf } from './engine/recovery.ts';
import { CreditAdapter } from './engine/credit.ts';
import {Engine} from './engine/engine.ts';

import { VerbRegistry } from './interpreter/registry.ts';
import { PlatformAdapter } from './engine/platform.ts';
import type { CallbackStore, CallLogPort, EngineMedia, WebhookPort } from './engine/ports.ts';
import { DEFAULT_CALLS_PER_SECOND } from './defaults.ts';


export interface VoiceDeps {
  ctx: PlatformContext;
  config: Config;
  accounts: Accounts;
  numbers: Numbers;
  endpoints: Endpoints;
  pricing: Pricing;
  billing: Billing;
  webhooks: WebhookPort & CallbackStore;
  callLog: CallLogPort;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  driver: TelephonyDriver;
  /** The call timer group, shared with the driver. */
  timers: TimerGroup;
  /** Speech and audio files. */
  media: EngineMedia;
  /** The node (server process) this voice side runs in: its live calls are recorded under it. */
  nodeId: string;
}

export interface Voice {
  engine: Engine;
  calls: Calls;
  /** Close the calls a gone node was running (its process crashed); resolves with how many were closed here. */
  closeCallsOf(gone: GoneNode): Promise<number>;
  /** Call quality feedback on ended calls' records. */
  feedback: CallFeedback;
  /** The Call API over `calls`. */
  callsApi: CallsApi;
  /** Ends live calls and writes their pending records. */
  close(): Promise<void>;
}

function callsPerSecond(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHBOARD_CALLS_PER_SECOND;
  const n = raw === undefined || raw === '' ? DEFAULT_CALLS_PER_SECOND : Number(raw);
  if (!(n > 0)) throw new Error(`SWITCHBOARD_CALLS_PER_SECOND must be a positive number; got "${raw}"`);
  return n;
}

export function createVoice(d: VoiceDeps): Voice {
  const { ctx, timers } = d;
  const platform = new PlatformAdapter(d.accounts, d.numbers, d.endpoints, d.pricing, d.config.sipDomain);
  const cdrs = new CdrWriter(ctx, d.billing, d.webhooks, d.nodeId, (err, callUuid) => d.logger.error({ err, call_uuid: callUuid }, 'the live call could not be recorded; a crash now would leave it without a record'));
  const verbs = new VerbRegistry();
  const engine = new Engine({
    clock: ctx.clock,
    timers,
    driver: d.driver,
    webhooks: d.webhooks,
    callLog: d.callLog,
    media: d.media,
    platform,
    cdrs,
    credit: new CreditAdapter(d.billing, d.pricing),
    log: d.logger,
    verbs,
  });
  const calls = new Calls(ctx, engine, d.accounts, d.pricing, platform, timers, callsPerSecond(d.env));
  return {
    engine,
    calls,
    closeCallsOf: (gone) => closeCallsOf({ db: ctx.db, cdrs, callLog: d.callLog, platform, log: d.logger }, gone),
    feedback: new CallFeedback(ctx),
    callsApi: new CallsApi(calls, d.accounts, ctx),
    async close() {
      await engine.close();
      await cdrs.drain();
    },
  };
}
