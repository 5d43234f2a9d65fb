// Assembles the voice side: the telephony driver (the sandbox carrier),
// speech and audio files, the engine, the Call API service and the sandbox.
import type { Logger } from 'pino';
import { TimerGroup } from '../clock/clock.ts';
import type { Config } from '../config.ts';
import { createTts } from '../media/tts/index.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { Billing } from '../platform/billing.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Endpoints } from '../platform/endpoints.ts';
import type { Numbers } from '../platform/numbers.ts';
import type { Pricing } from '../platform/pricing.ts';
import { SimCarrier } from '../telephony/sim/carrier.ts';
import { AudioFiles } from './audio-files.ts';
import { Calls } from './calls.ts';
import { CdrWriter } from './cdrs.ts';
import { Engine } from './engine.ts';
import { PlatformAdapter } from './platform.ts';
import type { CallLogPort, WebhookPort } from './ports.ts';
import { PhoneBook } from './sandbox/phones.ts';
import { Sandbox } from './sandbox/sandbox.ts';
import { EndpointDevices } from './sandbox/endpoint-devices.ts';

/** Outbound calls per second per account unless SWITCHBOARD_CALLS_PER_SECOND says otherwise. */
export const DEFAULT_CALLS_PER_SECOND = 10;

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
}

export interface Voice {
  engine: Engine;
  calls: Calls;
  phones: PhoneBook;
  sandbox: Sandbox;
  /** Virtual SIP devices registered for endpoints (sandbox). */
  devices: EndpointDevices;
  /** Ends live calls, writes pending records, stops speech. */
  close(): Promise<void>;
}

function callsPerSecond(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHBOARD_CALLS_PER_SECOND;
  const n = raw === undefined || raw === '' ? DEFAULT_CALLS_PER_SECOND : Number(raw);
  if (!(n > 0)) throw new Error(`SWITCHBOARD_CALLS_PER_SECOND must be a positive number; got "${raw}"`);
  return n;
}

export function createVoice(d: VoiceDeps): Voice {
  const { ctx, logger } = d;
  const timers = new TimerGroup(ctx.clock);
  const tts = createTts();
  const files = new AudioFiles();
  const phones = new PhoneBook(ctx, d.accounts);
  const devices = new EndpointDevices(phones, d.endpoints, ctx.clock);
  const carrier = new SimCarrier({
    timers,
    directory: devices,
    platformOwner: async (address) => {
      const route = await d.numbers.routeInbound(address);
      return route && { accountId: route.accountId, subaccountId: route.subaccountId };
    },
    media: { speech: (text) => tts.tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' }), audioFile: (url) => files.get(url) },
    onError: (leg, err) => logger.warn({ err, call_uuid: leg.uuid }, 'virtual phone action failed'),
  });
  const platform = new PlatformAdapter(d.accounts, d.numbers, d.endpoints, d.pricing, d.config.sipDomain);
  const cdrs = new CdrWriter(ctx, d.billing);
  const engine = new Engine({
    clock: ctx.clock,
    timers,
    driver: carrier,
    webhooks: d.webhooks,
    callLog: d.callLog,
    media: { speech: (req) => tts.tts.synthesize(req), audioFile: (url) => files.get(url) },
    platform,
    cdrs,
    log: logger,
  });
  const calls = new Calls(ctx, engine, d.accounts, d.billing, d.pricing, platform, timers, callsPerSecond(d.env));
  const sandbox = new Sandbox(ctx.clock, timers, carrier, engine);
  return {
    engine,
    calls,
    phones,
    sandbox,
    devices,
    async close() {
      await engine.close();
      await cdrs.drain();
      await tts.close();
    },
  };
}
