// Composition root for the platform services, shared by the HTTP layer and
// the CLI. Each feature adds its service here, and the telephony driver is
// chosen here, once, from the configuration.
import { RealClock, TimerGroup, type Clock } from './clock/clock.ts';
import { ConfigError, listenFailure, type Config } from './config.ts';
import { createTts } from './media/tts/index.ts';
import type { SpeakRequest } from './media/tts/tts.ts';
import { createSandbox, sandboxOrNetwork, type SandboxControl, type SandboxDeps } from './sandbox/index.ts';
import { SplitDriver } from './telephony/split-driver.ts';
import type { TelephonyDriver } from './telephony/driver.ts';
import { loadGateways } from './telephony/sip/gateways.ts';
import { SipDriver } from './telephony/sip/sip-driver.ts';
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
import type { RecognizerFor } from './voice/speech.ts';
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
  /** The SIP driver (`--telephony sip`): started with the other background work. */
  sip: SipDriver | undefined;
  voice: Voice;
  media: MediaPlane;
  rooms: Rooms;
  /** Text to speech, closed after the calls have ended. */
  speech: { warm(): void; close(): Promise<void> };
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
  const { driver, sandbox, sip } = chooseTelephony(config, {
    ctx, accounts, numbers, endpoints, timers, logger,
    media: { speech: (text) => tts.tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' }), audioFile: (url) => files.get(url) },
    // The sandbox waits on calls still queued behind the calls-per-second limit (no leg yet).
    calls: { find: (uuid) => voice.engine.find(uuid), recorded: (uuid) => voice.engine.recorded(uuid) },
  }, carriers);
  // Speech is recognised per call: the sandbox's phones say their words as labels; real callers' speech needs a recognition engine (none yet).
  const recognizer: RecognizerFor = (call) => (call.speechLabelled ? labelRecognizer : undefined);
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
  return { config, clock, store, accounts, applications, pricing, billing, renewals, numbers, endpoints, carriers, sandboxInbox, callLog, liveEvents, nodes, webhooks, sandboxBehaviours, messages, driver, sandbox, sip, voice, media, rooms, callerIds, phlos, phloRunner, phloMpc, origin, speech: tts };
}

interface Telephony {
  driver: TelephonyDriver;
  sandbox: SandboxControl | undefined;
  sip: SipDriver | undefined;
}

/**
 * The telephony driver named by the configuration: the sandbox carrier, or
 * the SIP/RTP driver, which asks the platform who may register and call
 * (endpoints' digest secrets, incoming carriers' addresses and numbers) and
 * reports registrations to the Endpoint API.
 */
function chooseTelephony(config: Config, sim: SandboxDeps, carriers: Carriers): Telephony {
  switch (config.telephony) {
    case 'sim': {
      const { driver, control } = createSandbox(sim);
      return { driver, sandbox: control, sip: undefined };
    }
    case 'sip': {
      const { endpoints, numbers, logger } = sim;
      const log = logger.child({ component: 'sip' });
      const sip = new SipDriver({
        clock: sim.ctx.clock,
        listen: config.sipListen,
        publicAddress: config.sipPublicAddress,
        domain: config.sipDomain,
        rtp: { ports: config.rtpPorts, realtime: config.rtpRealtime },
        gateways: gatewaysOf(config.sipGateways),
        limits: { callsPerAccount: config.sipMaxCallsPerAccount, allowedPrefixes: config.sipAllowedPrefixes, uriDomains: config.sipUriDomains },
        digest: config.sipDigest,
        log,
        directory: {
          credentials: async (username, realm) => {
            const row = await endpoints.findEndpointByUsername(username);
            // A password set under another SIP domain has an HA1 for that realm: it must be set again.
            if (!row || row.realm !== realm) return undefined;
            // No SHA-256 secret before the password is set again (migration 0019): such an endpoint answers MD5 only.
            return { ha1: row.ha1_sha256 ? { MD5: row.ha1, 'SHA-256': row.ha1_sha256 } : { MD5: row.ha1 }, identity: { username: row.username, tenant: { accountId: row.account_id, subaccountId: row.subaccount_id }, hasApplication: Boolean(row.app_id || row.phlo_id) } };
          },
          registered: (username, r) => {
            (r ? endpoints.setRegistration(username, r) : endpoints.clearRegistration(username)).catch((err: unknown) => log.error({ err, username }, 'endpoint registration not saved'));
          },
          // The called number decides the account; the source must be one of that account's carriers (addresses are unique per account).
          carrier: async (address, number) => {
            const call = await numbers.fromCarrier(address, number);
            return call && { carrierId: call.carrier.carrier_id, owns: call.carriersOwn, tenant: { accountId: call.accountId, subaccountId: call.subaccountId }, known: call };
          },
          carrierAddresses: () => carriers.addresses(),
        },
      });
      carriers.onAddressesChanged(() => void sip.carriersChanged().catch((err: unknown) => log.error({ err }, 'incoming carriers\' addresses not reloaded')));
      // The sandbox carrier stays beside it for virtual phones and the platform's own numbers.
      const { driver: carrier, control } = createSandbox(sim);
      const split = new SplitDriver(sim.ctx.clock, sip, carrier, (req) => sandboxOrNetwork(sim, control.phones, req), (err, req) =>
        log.error({ err, call_uuid: req.uuid, to: req.to }, 'choosing between SIP and the sandbox failed'),
      );
      return { driver: split, sandbox: control, sip };
    }
  }
}

/** The gateways file; a broken one stops start-up like any bad setting. */
function gatewaysOf(file: string | undefined) {
  try {
    return loadGateways(file);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}


/**
 * Background work the services own, started before the server listens:
 * this node joins the registry and takes over the work of nodes gone
 * (crashed), queued webhooks resume, the number inventory is loaded, and
 * rentals that fell due while the server was down are charged.
 */
export async function startServices(s: Services, logger: Logger): Promise<void> {
  try {
    await s.sip?.start();
  } catch (err) {
    throw listenFailure(err, 'SWITCHBOARD_SIP_LISTEN', `${s.config.sipListen.host}:${s.config.sipListen.port}`);
  }
  // A real caller hears silence while the synthesizer starts (1–2 s for the first Speak of a process): pay it now.
  if (s.sip) s.speech.warm();
  if (s.sip && s.config.sipDigest.includes('SHA-256')) {
    const missing = await s.endpoints.withoutSha256Secret();
    if (missing > 0) logger.warn({ endpoints: missing }, 'endpoints without a SHA-256 digest secret (password set before it was kept): their phones get in with MD5 only until the password is set again');
  }
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
