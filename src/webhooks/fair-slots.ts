// Who may send to a customer server now. One backend (or one tunnel) often
// serves many applications, so a slow URL must delay only its own requests:
// each route (scheme, host, port and path) has its own budget of concurrent
// requests, and the host as a whole a larger one that queued callbacks may
// fill only half of. Waiting requests are served call set-up first (the
// critical path: answer, action, fallback URLs), then queued callbacks;
// routes of one host take turns. Every step is O(1): tearing down 10,000
// calls at once queues 10,000 hangup callbacks here.
import Denque from 'denque';
import { SignalGroups } from './signal-groups.ts';

/** `critical`: a call waits on the answer (answer, action, fallback …); `queued`: a durable callback nobody waits on. */
export type Priority = 'critical' | 'queued';

export interface SlotLimits {
  /** Concurrent requests per route (origin + path). */
  perRoute: number;
  /** Concurrent requests per origin (scheme, host, port); queued callbacks may hold at most half. */
  perHost: number;
}

/**
 * A request waiting for its turn. A class, not an object of closures: one
 * waits for every request over a route's budget, and each named closure
 * costs a defineProperty under the TypeScript loader (keepNames).
 */
class Waiter {
  /** Gave up before its turn; skipped when reached. */
  cancelled = false;
  constructor(
    private readonly slots: FairSlots,
    private readonly route: Route,
    private readonly lane: Lane,
    private readonly signal: AbortSignal,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
  ) {}

  grant(): void {
    this.slots.waiters.delete(this.signal, this);
    this.resolve();
  }

  /** Its signal aborted before its turn. */
  cancel(reason: unknown): void {
    this.cancelled = true;
    this.lane.live--;
    this.slots.forget(this.route);
    this.reject(reason);
  }
}

class Lane {
  readonly waiting = new Denque<Waiter>();
  /** Waiters not cancelled. */
  live = 0;
  /** This lane's route is in its host's turn list for this priority. */
  listed = false;
}

class Route {
  active = 0;
  readonly lanes: Record<Priority, Lane> = { critical: new Lane(), queued: new Lane() };
  constructor(
    readonly path: string,
    readonly host: Host,
  ) {}
  idle(): boolean {
    return this.active === 0 && this.lanes.critical.live === 0 && this.lanes.queued.live === 0;
  }
}

class Host {
  active = 0;
  activeQueued = 0;
  readonly routes = new Map<string, Route>();
  /** Routes with waiters of each priority, in turn order. */
  readonly turns: Record<Priority, Denque<Route>> = { critical: new Denque(), queued: new Denque() };
  constructor(readonly origin: string) {}
}

const PRIORITIES: readonly Priority[] = ['critical', 'queued'];

export class FairSlots {
  private readonly hosts = new Map<string, Host>();
  private readonly queuedPerHost: number;
  /** Waiters by the signal that gives them up (the server's stop signal, shared by all); a Waiter leaves it when granted. */
  readonly waiters = new SignalGroups<Waiter>((w, reason) => w.cancel(reason));

  constructor(private readonly limits: SlotLimits) {
    this.queuedPerHost = Math.max(1, Math.floor(limits.perHost / 2));
  }

  /** Resolves with a release function once `url` may be requested; rejects if `signal` aborts first. */
  async acquire(url: URL, priority: Priority, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    const route = this.route(url);
    const lane = route.lanes[priority];
    // Nobody of this priority is waiting on the route (nor, for a queued callback, any call set-up on the host): go now.
    if (lane.live === 0 && this.fits(route, priority) && (priority === 'critical' || route.host.turns.critical.isEmpty())) {
      this.take(route, priority);
      return this.releaser(route, priority);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = new Waiter(this, route, lane, signal, resolve, reject);
      this.waiters.add(signal, waiter);
      lane.waiting.push(waiter);
      lane.live++;
      this.list(route, priority);
    });
    return this.releaser(route, priority);
  }

  private route(url: URL): Route {
    let host = this.hosts.get(url.origin);
    if (!host) this.hosts.set(url.origin, (host = new Host(url.origin)));
    let route = host.routes.get(url.pathname);
    if (!route) host.routes.set(url.pathname, (route = new Route(url.pathname, host)));
    return route;
  }

  private fits(route: Route, priority: Priority): boolean {
    return route.active < this.limits.perRoute && this.hostFits(route.host, priority);
  }

  private hostFits(host: Host, priority: Priority): boolean {
    if (host.active >= this.limits.perHost) return false;
    return priority === 'critical' || host.activeQueued < this.queuedPerHost;
  }

  private take(route: Route, priority: Priority): void {
    route.active++;
    route.host.active++;
    if (priority === 'queued') route.host.activeQueued++;
  }

  private releaser(route: Route, priority: Priority): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      route.active--;
      route.host.active--;
      if (priority === 'queued') route.host.activeQueued--;
      // The freed route slot may let this route's own waiters go again.
      for (const p of PRIORITIES) if (route.lanes[p].live > 0) this.list(route, p);
      this.grant(route.host);
      this.forget(route);
    };
  }

  /** Put the route in its host's turn list for `priority` (once). */
  private list(route: Route, priority: Priority): void {
    const lane = route.lanes[priority];
    if (lane.listed) return;
    lane.listed = true;
    route.host.turns[priority].push(route);
    this.grant(route.host);
  }

  /** Hand free slots of the host to waiters: critical ones first, routes taking turns. */
  private grant(host: Host): void {
    for (const priority of PRIORITIES) {
      const turns = host.turns[priority];
      while (!turns.isEmpty()) {
        if (!this.hostFits(host, priority)) return;
        const route = turns.shift()!;
        const lane = route.lanes[priority];
        lane.listed = false;
        // A route at its own limit leaves the list; its next release lists it again.
        if (route.active >= this.limits.perRoute) continue;
        if (lane.live === 0) {
          this.forget(route);
          continue;
        }
        let waiter = lane.waiting.shift();
        while (waiter?.cancelled) waiter = lane.waiting.shift();
        lane.live--;
        this.take(route, priority);
        waiter!.grant();
        if (lane.live > 0) {
          lane.listed = true;
          turns.push(route);
        }
      }
    }
  }

  /** Drop bookkeeping for a route (and host) with nothing active or waiting. */
  forget(route: Route): void {
    if (!route.idle()) return;
    const { host } = route;
    if (route.lanes.critical.listed || route.lanes.queued.listed || host.routes.get(route.path) !== route) return;
    host.routes.delete(route.path);
    if (host.routes.size === 0) this.hosts.delete(host.origin);
  }
}
