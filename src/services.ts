// Composition root for the platform services, shared by the HTTP layer and
// the CLI. Each feature adds its service here.
import type { Clock } from './clock/clock.ts';
import { Accounts } from './platform/accounts.ts';
import { Applications } from './platform/applications.ts';
import { Billing } from './platform/billing.ts';
import { Numbers } from './platform/numbers.ts';
import { Pricing } from './platform/pricing.ts';
import { Renewals } from './platform/renewals.ts';
import type { PlatformContext } from './platform/context.ts';
import { CallerIds } from './platform/caller-ids.ts';
import { Carriers } from './platform/carriers.ts';
import { Endpoints } from './platform/endpoints.ts';
import { sandboxSmsDelivery } from './platform/otp-delivery.ts';
import { SandboxInbox } from './platform/sandbox-inbox.ts';
import type { Store } from './store/db.ts';
import { pino, type Logger } from 'pino';
import { CallLog } from './voice/call-log.ts';
import { Webhooks } from './webhooks/webhooks.ts';
import { createVoice, type Voice } from './voice/index.ts';
import { otpCalls } from './voice/otp-call.ts';
import { messageRunner } from './voice/interpreter/verbs/message.ts';
import { createMediaPlane, type MediaPlane } from './voice/media-plane.ts';
import { createRooms, type Rooms } from './voice/rooms/index.ts';
import { messageHooks } from './webhooks/message-hooks.ts';
import { Messages } from './messaging/messages.ts';
import { SandboxBehaviours } from './messaging/sandbox-behaviours.ts';
import { SandboxMessagingDriver } from './messaging/sandbox-driver.ts';
import type { Config } from './config.ts';

export interface Services {
  config: Config;
  clock: Clock;
  store: Store;
  accounts: Accounts;
  applications: Applications;
  pricing: Pricing;
  billing: Billing;
  renewals: Renewals;
  numbers: Numbers;
  endpoints: Endpoints;
  carriers: Carriers;
  sandboxInbox: SandboxInbox;
  callerIds: CallerIds;
  callLog: CallLog;
  webhooks: Webhooks;
  sandboxBehaviours: SandboxBehaviours;
  messages: Messages;
  voice: Voice;
  media: MediaPlane;
  rooms: Rooms;
  /** This server's base URL for links it hands out and calls it places to itself. */
  origin: { url: string };
}

export function createServices(config: Config, store: Store, clock: Clock, logger: Logger = pino({ level: 'silent' })): Services {
  const ctx: PlatformContext = { db: store.db, dialect: store.dialect, clock };
  const accounts = new Accounts(ctx);
  const applications = new Applications(ctx, accounts);
  const pricing = Pricing.fromEnv(process.env);
  const billing = new Billing(ctx, accounts, pricing);
  const renewals = new Renewals(ctx, billing);
  const numbers = new Numbers(ctx, accounts, applications, billing, pricing, renewals);
  const endpoints = new Endpoints(ctx, accounts, applications, config.sipDomain);
  const carriers = new Carriers(ctx);
  const sandboxInbox = new SandboxInbox(ctx, accounts);
  const callLog = new CallLog(ctx, accounts);
  const webhooks = new Webhooks({ db: store.db, clock, logger, callLog });
  const sandboxBehaviours = new SandboxBehaviours(ctx, accounts, numbers);
  // Where this server answers; server.ts fills it in once it listens (the port may be chosen then).
  const origin = { url: config.publicUrl ?? `http://${config.host}:${config.port}` };
  const voice = createVoice({ ctx, config, accounts, numbers, endpoints, pricing, billing, webhooks, callLog, logger, env: process.env });
  const media = createMediaPlane({ ctx, config, voice, accounts, origin: () => origin.url });
  const rooms = createRooms({ ctx, accounts, voice, media, webhooks, logger });
  // Verification codes go by SMS into the sandbox inbox, or by a voice call placed through the engine.
  const callerIds = new CallerIds(ctx, accounts, sandboxSmsDelivery(sandboxInbox), otpCalls(voice.calls));
  const messages = new Messages(
    ctx,
    { accounts, numbers, billing, pricing, callerIds, hooks: messageHooks(webhooks), logger },
    (events, onError) => new SandboxMessagingDriver(ctx, events, sandboxBehaviours, numbers, onError),
  );
  voice.engine.verbs.register(
    'Message',
    messageRunner({ send: (owner, m) => messages.send({ ...owner, callerId: owner.subaccountId ?? owner.accountId }, m) }),
  );
  return { config, clock, store, accounts, applications, pricing, billing, renewals, numbers, endpoints, carriers, sandboxInbox, callLog, webhooks, sandboxBehaviours, messages, voice, media, rooms, callerIds, origin };
}

/**
 * Background work the services own, started before the server listens:
 * queued webhooks resume, the number inventory is loaded, and rentals that
 * fell due while the server was down are charged.
 */
export async function startServices(s: Services, logger: Logger): Promise<void> {
  await s.webhooks.start();
  await s.numbers.seedPool();
  await s.renewals.start((err) => logger.error({ err }, 'number rental renewal failed; retrying at the next check'));
}

/** Stop background work after HTTP has closed; the database closes after this. */
export async function stopServices(s: Services): Promise<void> {
  s.media.close();
  await s.voice.close();
  await s.rooms.close();
  await s.messages.stop();
  await s.renewals.stop();
  await s.webhooks.stop();
}
