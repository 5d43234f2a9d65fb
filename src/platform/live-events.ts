// What happens on the platform as it happens, for whoever watches an
// account: each call-log entry (state changes, webhook attempts, XML,
// verbs, keys) and each message's change of state. The account's event
// stream (GET /v1/Account/{auth_id}/Events/) and the web console read it.
// In-process: on several nodes, each streams what it handles itself.
import type { Scope } from './scope.ts';

export interface EventOwner {
  accountId: string;
  subaccountId: string | null;
}

export type LiveEventType = 'call' | 'message';

export interface LiveEvent {
  type: LiveEventType;
  owner: EventOwner;
  data: Record<string, unknown>;
}

type Listener = (event: LiveEvent) => void;

/** A main account's scope sees its subaccounts' events too; a subaccount's only its own. */
const sees = (scope: Scope, owner: EventOwner): boolean =>
  owner.accountId === scope.accountId && (scope.subaccountId === null || owner.subaccountId === scope.subaccountId);

export class LiveEvents {
  private readonly listeners = new Map<Listener, Scope>();

  /** Nothing is kept: with no listener, publishing costs one size check. */
  publish(type: LiveEventType, owner: EventOwner, data: Record<string, unknown>): void {
    if (this.listeners.size === 0) return;
    const event = { type, owner, data };
    for (const [fn, scope] of this.listeners) if (sees(scope, owner)) fn(event);
  }

  subscribe(scope: Scope, fn: Listener): () => void {
    this.listeners.set(fn, scope);
    return () => this.listeners.delete(fn);
  }

  get watching(): number {
    return this.listeners.size;
  }
}
