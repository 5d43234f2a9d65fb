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
import { CdrWriter } from './engine/cdrs.ts';
import {Engine} from './engine/engine.ts';

import { VerbRegistry } from './interpreter/registry.ts';
import { PlatformAdapter } from './engine/platform.ts';
import type { CallLogPort, EngineMedia, WebhookPort } from './engine/ports.ts';
import { DEFAULT_CALLS_PER_SECOND } from './defaults.ts';


export interface VoiceDeps {
  ctx: PlatformContext;
  config: Config;
  accounts: Accounts;
  numbers: Numbers;
  endpoints: Endpoints;
  pricing: Pricing;
  billing: Billing;
  webhooks: WebhookPort;
  callLog: CallLogPort;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  driver: TelephonyDriver;
  /** The call timer group, shared with the driver. */
  timers: TimerGroup;
  /** Speech and audio files. */
  media: EngineMedia;
}

export interface Voice {
  engine: Engine;
  calls: Calls;
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
  const cdrs = new CdrWriter(ctx, d.billing);
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
    log: d.logger,
    verbs,
  });
  const calls = new Calls(ctx, engine, d.accounts, d.billing, d.pricing, platform, timers, callsPerSecond(d.env));
  return {
    engine,
    calls,
    async close() {
      await engine.close();
      await cdrs.drain();
    },
  };
}
