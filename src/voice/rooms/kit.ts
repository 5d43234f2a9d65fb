// What the room services (conferences, multiparty calls) share: their
// plumbing, how live rooms are keyed, a member's seat, and the API's way of
// naming members.
import type { Logger } from 'pino';
import { ApiError, notFound } from '../../errors.ts';
import type { PlatformContext } from '../../platform/context.ts';
import type { Call } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import type { Recordings } from '../recordings/recordings.ts';
import type { RoomNotifier } from './notify.ts';
import type { RoomMember } from './room.ts';
import type { MixTicker } from './ticker.ts';

export interface RoomKit {
  engine: Engine;
  ctx: PlatformContext;
  recordings: Recordings;
  ticker: MixTicker;
  notifier: RoomNotifier;
  log: Logger;
  /** Recordings and rows still being written when rooms end; shutdown waits for them. */
  pending: PendingWork;
}

export class PendingWork {
  private readonly running = new Set<Promise<unknown>>();

  add<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => {});
    return work;
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** A call's place in a room (a conference member, a multiparty call's participant): it leaves once, for a reason whoever runs the call awaits. */
export class Seat<Reason> {
  readonly joinedAt: number;
  /** Why it left; undefined while it is in the room. */
  left: Reason | undefined;
  readonly exited: Promise<Reason>;
  private resolveExit!: (reason: Reason) => void;

  constructor(
    readonly id: string,
    readonly call: Call,
    readonly room: RoomMember,
    now: number,
  ) {
    this.joinedAt = now;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  finish(reason: Reason): void {
    this.left = reason;
    this.resolveExit(reason);
  }
}

/** Live rooms are named per owner: a subaccount's "Sales" is not its main account's. */
export const roomKey = (owner: CallOwner, name: string): string => `${owner.accountId}/${owner.subaccountId ?? ''}/${name}`;

/**
 * The members an API path names: a member id, ids separated by commas, or
 * `all`; an unknown id is a 404 naming it.
 */
export function pick<T>(members: ReadonlyMap<string, T>, spec: string, where: string): { list: T[]; all: boolean } {
  if (spec.trim().toLowerCase() === 'all') return { list: [...members.values()], all: true };
  const ids = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new ApiError(400, 'the member id must be a member id, ids separated by commas, or all');
  const list = ids.map((id) => {
    const m = members.get(id);
    if (!m) throw notFound(`member ${id} in ${where}`);
    return m;
  });
  return { list, all: false };
}

/** An audio file the API asks to play, or a 400 saying why it cannot be. */
export async function audioToPlay(engine: Engine, url: string): Promise<Int16Array> {
  try {
    return await engine.clock.track(engine.media.audioFile(url));
  } catch (err) {
    throw new ApiError(400, `url ${url} cannot be played: ${err instanceof Error ? err.message : String(err)}`);
  }
}
