// Composition root for the platform services, shared by the HTTP layer and
// the CLI. Each feature adds its service here, and the telephony driver is
// chosen here, once, from the configuration.
import { RealClock, TimerGroup, type Clock } from './clock/clock.ts';
import { ConfigError, type Config } from './config.ts';
import { createTts } from './media/tts/index.ts';
import type { SpeakRequest } from './media/tts/tts.ts';
import { createSandbox, type SandboxControl, type SandboxDeps } from './sandbox/index.ts';
import type { TelephonyDriver } from './telephony/driver.ts';
import { AudioFiles } from './voice/audio-files.ts';
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
import { Nodes } from './platform/nodes.ts';
import { sandboxSmsDelivery } from './platform/otp-delivery.ts';
import { SandboxInbox } from './platform/sandbox-inbox.ts';
import { LiveEvents } from './platform/live-events.ts';
import type { Store } from './store/db.ts';
import { pino, type Logger } from 'pino';
import { CallLog } from './platform/call-log.ts';
import { Webhooks } from './webhooks/webhooks.ts';
import { createVoice, type Voice } from './voice/index.ts';
import { otpCalls } from './voice/calls/otp-call.ts';
import { registerVerbs } from './voice/verbs/index.ts';
import type { SpeechRecognizer } from './voice/speech.ts';
import { labelRecognizer } from './sandbox/label-recognizer.ts';
import { createMediaPlane, type MediaPlane } from './voice/media-plane.ts';
import { createRooms, type Rooms } from './voice/rooms/index.ts';
import { messageHooks } from './messaging/message-hooks.ts';
import { Messages } from './messaging/messages.ts';
import { SandboxBehaviours } from './messaging/sandbox-behaviours.ts';
import { SandboxMessagingDriver } from './messaging/sandbox-driver.ts';
import { Phlos } from './phlo/phlos.ts';
import { PhloRunner } from './phlo/phlo-runner.ts';
import { flowTriggers } from './phlo/phlo-triggers.ts';
import { PhloMpc } from './phlo/phlo-mpc.ts';

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
  /** This server process among the nodes sharing the database. */
  nodes: Nodes;
  liveEvents: LiveEvents;
  webhooks: Webhooks;
  sandboxBehaviours: SandboxBehaviours;
  messages: Messages;
  /** The telephony driver the voice module runs on, chosen at start. */
  driver: TelephonyDriver;
  /** The sandbox's control plane (virtual phones, devices, the Sandbox API): only with the sandbox carrier. */
  sandbox: SandboxControl | undefined;
  voice: Voice;
  media: MediaPlane;
  rooms: Rooms;
  /** Text to speech, closed after the calls have ended. */
  speech: { close(): Promise<void> };
  phlos: Phlos;
  phloRunner: PhloRunner;
  phloMpc: PhloMpc;
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
  const carriers = new Carriers(ctx);
  const numbers = new Numbers(ctx, accounts, applications, billing, pricing, renewals, carriers);
  const endpoints = new Endpoints(ctx, accounts, applications, config.sipDomain);
  const sandboxInbox = new SandboxInbox(ctx, accounts);
  const liveEvents = new LiveEvents();
  const callLog = new CallLog(ctx, accounts, liveEvents);
  // Liveness and leases are real time, whatever clock the calls run on.
  const wall = new RealClock();
  const nodes = new Nodes({ db: store.db, wall, clock, logger });
  const webhooks = new Webhooks({ db: store.db, dialect: store.dialect, clock, wall, nodeId: nodes.id, logger, callLog });
  const sandboxBehaviours = new SandboxBehaviours(ctx, accounts, numbers);
  // Where this server answers; server.ts fills it in once it listens (the port may be chosen then).
  const origin = { url: config.publicUrl ?? `http://${config.host}:${config.port}` };
  // Speech and audio files: the engine's prompts, and what the sandbox's phones say and play.
  const tts = createTts();
  const files = new AudioFiles();
  // One timer group for every call, the driver's waits and the engine's: the sandbox's "until idle" reads it.
  const timers = new TimerGroup(clock);
  const { driver, sandbox, recognizer } = chooseTelephony(config, {
    ctx, accounts, numbers, endpoints, timers, logger,
    media: { speech: (text) => tts.tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' }), audioFile: (url) => files.get(url) },
    // The sandbox waits on calls still queued behind the calls-per-second limit (no leg yet).
    calls: { find: (uuid) => voice.engine.find(uuid), recorded: (uuid) => voice.engine.recorded(uuid) },
  });
  const engineMedia = { speech: (req: SpeakRequest) => tts.tts.synthesize(req), audioFile: (url: string) => files.get(url) };
  const voice = createVoice({ ctx, config, accounts, numbers, endpoints, pricing, billing, webhooks, callLog, logger, env: process.env, driver, timers, media: engineMedia, nodeId: nodes.id });
  // A crashed node's calls are closed (their hangup callbacks queued) before its queued callbacks are handed over.
  nodes.onGone((gone) => voice.closeCallsOf(gone).then(() => undefined));
  nodes.onGone((gone) => webhooks.takeOver(gone.nodeId));
  const media = createMediaPlane({ ctx, config, voice, accounts, origin: () => origin.url, recognizer });
  const rooms = createRooms({ ctx, accounts, voice, media, webhooks, logger });
  // Verification codes go by SMS into the sandbox inbox, or by a voice call placed through the engine.
  const callerIds = new CallerIds(ctx, accounts, sandboxSmsDelivery(sandboxInbox), otpCalls(voice.calls));
  const messages = new Messages(
    ctx,
    { accounts, numbers, billing, pricing, callerIds, hooks: messageHooks(webhooks), logger, events: liveEvents },
    (events, onError) => new SandboxMessagingDriver(ctx, events, sandboxBehaviours, numbers, onError),
  );
  registerVerbs(voice.engine.verbs, {
    recordings: media.recordings,
    streams: media.streams,
    conferences: rooms.conferences,
    mpcs: rooms.mpcs,
    messages: { send: (owner, m) => messages.send({ ...owner, callerId: owner.subaccountId ?? owner.accountId }, m) },
    recognizer,
  });
  const phlos = new Phlos(ctx, accounts, () => origin.url);
  const phloMpc = new PhloMpc(phlos, logger);
  const phloRunner = new PhloRunner({
    ctx,
    accounts,
    webhooks,
    logger,
    services: {
      sendMessage: (owner, m) => messages.send(owner, m),
      ringCalls: (owner, r) => voice.calls.ring(owner, r),
      mpcs: rooms.mpcs,
      openMpc: (phloId, nodeId, session) => phloMpc.open(phloId, nodeId, session),
    },
    nodeId: nodes.id,
  });
  nodes.onGone((gone) => phloRunner.takeOver(gone.nodeId));
  const triggers = flowTriggers(phlos, phloRunner);
  messages.setFlowTrigger(triggers);
  voice.engine.setInboundFlows(triggers);
  return { config, clock, store, accounts, applications, pricing, billing, renewals, numbers, endpoints, carriers, sandboxInbox, callLog, liveEvents, nodes, webhooks, sandboxBehaviours, messages, driver, sandbox, voice, media, rooms, callerIds, phlos, phloRunner, phloMpc, origin, speech: tts };
}

interface Telephony {
  driver: TelephonyDriver;
  sandbox: SandboxControl | undefined;
  /** GetInput's speech recognizer: the sandbox reads its phones' labels; none on real calls until an engine is configured. */
  recognizer: SpeechRecognizer | undefined;
}

/**
 * The telephony driver named by the configuration. Only the sandbox carrier
 * exists in this build; a SIP driver plugs in here (and brings no sandbox).
 */
function chooseTelephony(config: Config, sim: SandboxDeps): Telephony {
  switch (config.telephony) {
    case 'sim': {
      const { driver, control } = createSandbox(sim);
      return { driver, sandbox: control, recognizer: labelRecognizer };
    }
    case 'sip':
      // Refused rather than silently running the sandbox carrier in its place.
      throw new ConfigError('SWITCHBOARD_TELEPHONY=sip: the SIP driver is not part of this build yet; use sim (the sandbox carrier)');
  }
}

/**
 * Background work the services own, started before the server listens:
 * this node joins the registry and takes over the work of nodes gone
 * (crashed), queued webhooks resume, the number inventory is loaded, and
 * rentals that fell due while the server was down are charged.
 */
export async function startServices(s: Services, logger: Logger): Promise<void> {
  await s.nodes.start();
  await s.webhooks.start();
  await s.numbers.seedPool();
  await s.renewals.start((err) => logger.error({ err }, 'number rental renewal failed; retrying at the next check'));
}

/** Stop background work after HTTP has closed; the database closes after this. */
export async function stopServices(s: Services): Promise<void> {
  s.media.close();
  await s.voice.close();
  await s.speech.close();
  await s.rooms.close();
  await s.phloRunner.stop();
  await s.messages.stop();
  await s.renewals.stop();
  await s.webhooks.stop();
  await s.nodes.stop();
}
