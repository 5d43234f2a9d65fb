// Conferences and multiparty calls: the services behind the verbs that put
// calls in a mixing room and the APIs that act on rooms. One mixing ticker
// serves every room of a domain of time (the only one on the real clock).
import type { Logger } from 'pino';
import type { Accounts } from '../../platform/accounts.ts';
import { keptByMainAccount, type PlatformContext } from '../../platform/context.ts';
import { mpcRepo } from '../../store/repos/conferences.ts';
import { perDomain } from '../../clock/clock.ts';
import { Conferences } from '../conference/conferences.ts';
import { MultiPartyCalls } from '../mpc/mpcs.ts';
import { MpcApi } from '../mpc/mpc-api.ts';
import type { Voice } from '../index.ts';
import type { MediaPlane } from '../media-plane.ts';
import type { WebhookPort } from '../engine/ports.ts';
import { PendingWork } from './kit.ts';
import { RoomNotifier } from './notify.ts';
import { MixTicker } from './ticker.ts';

export interface RoomsDeps {
  ctx: PlatformContext;
  accounts: Accounts;
  voice: Voice;
  media: MediaPlane;
  webhooks: WebhookPort;
  logger: Logger;
}

export interface Rooms {
  conferences: Conferences;
  mpcs: MultiPartyCalls;
  /** The Multiparty Call API over `mpcs`. */
  mpcApi: MpcApi;
  /** Stop mixing and finish writing recordings and rows (shutdown, after the calls have ended). */
  close(): Promise<void>;
}

export function createRooms(d: RoomsDeps): Rooms {
  const { engine } = d.voice;
  // A ticker per domain of time: on the virtual clock a subaccount's rooms mix on its own time.
  const tickers = perDomain(engine.clock, () => new MixTicker(engine.clock));
  const notifier = new RoomNotifier(engine, d.webhooks, d.logger);
  const kit = {
    engine,
    ctx: d.ctx,
    recordings: d.media.recordings,
    get ticker() {
      return tickers.here();
    },
    notifier,
    log: d.logger,
    pending: new PendingWork(),
  };
  const conferences = new Conferences(kit);
  const mpcs = new MultiPartyCalls(kit);
  d.accounts.registerDependent(keptByMainAccount(mpcRepo.moveToMain));
  return {
    conferences,
    mpcs,
    mpcApi: new MpcApi(mpcs, d.voice.callsApi, d.ctx),
    async close() {
      for (const ticker of tickers.all()) ticker.stop();
      await kit.pending.drain();
    },
  };
}
