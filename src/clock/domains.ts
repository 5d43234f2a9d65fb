// Domains of time. On the virtual clock every subaccount keeps its own time
// (a VirtualClock of its own) and the main accounts and the server's own
// work (renewals, the webhook queue's poll) share the root domain, so tests
// running at once against one server, each in its own subaccount, never move
// each other's time. Code runs in the domain it was entered in: an API
// request in its caller's (the subaccount of its credentials or path), a
// timer in the domain that set it, and promise chains carry the domain on
// (AsyncLocalStorage). Something that would join two domains — a call from
// one to a number of the other, a call moved into the other's room — is refused by the
// code that would do it, with a message naming both (`crossing`). The real
// and scaled clocks have one domain: the server's clock is then the plain
// clock, exactly as before; so is the virtual clock beside the SIP driver,
// whose network legs belong to no account's domain.
import { AsyncLocalStorage } from 'node:async_hooks';
import { RealClock, ScaledClock, VirtualClock, type Clock, type ClockMode, type PerDomain, type Timer } from './clock.ts';

/** Whose time something runs on: a subaccount's own domain, or (null) the root domain of main accounts. */
export interface DomainOwner {
  subaccountId: string | null;
}

const ROOT: DomainOwner = { subaccountId: null };

class Domain {
  constructor(
    readonly subaccountId: string | null,
    /** How messages name it. */
    readonly name: string,
    readonly clock: VirtualClock,
  ) {}
}

/** A virtual clock per subaccount (made on first use, starting at the root's time) beside the root domain's. */
export class ClockDomains implements Clock {
  readonly mode: ClockMode = 'virtual';
  private readonly root: Domain;
  private readonly subaccounts = new Map<string, Domain>();
  private readonly entered = new AsyncLocalStorage<Domain>();

  constructor(start?: number) {
    this.root = new Domain(null, 'the main account', new VirtualClock(start));
  }

  /** The virtual clock of the domain the current code runs in. */
  virtual(): VirtualClock {
    return this.here().clock;
  }

  /** Run `fn` (and everything it starts) on `owner`'s time; an `enter` inside it ends with it. */
  run<T>(owner: DomainOwner, fn: () => T): T {
    return this.entered.run(this.domainOf(owner), fn);
  }

  /** The rest of the current code (and what it starts) runs on `owner`'s time: acting on something `owner` owns. Call it inside `run`. */
  enter(owner: DomainOwner): void {
    const d = this.domainOf(owner);
    if (d !== this.here()) this.entered.enterWith(d);
  }

  /** Why acting for `owner` from the current domain would join two domains, or undefined when it would not. */
  crossing(owner: DomainOwner): string | undefined {
    const here = this.here();
    const there = this.domainOf(owner);
    if (here === there) return undefined;
    return `${here.name} and ${there.name} each keep their own virtual time, and this would join them`;
  }

  now(): number {
    return this.here().clock.now();
  }

  after(ms: number, fn: () => void): Timer {
    const d = this.here();
    return d.clock.after(ms, () => this.entered.run(d, fn));
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    return this.here().clock.track(work);
  }

  local<T>(make: () => T): PerDomain<T> {
    const values = new Map<Domain, T>();
    return {
      here: () => {
        const d = this.here();
        if (values.has(d)) return values.get(d)!;
        const v = make();
        values.set(d, v);
        return v;
      },
      all: () => values.values(),
    };
  }

  /** The subaccount whose domain the current code runs in (null: the root domain). */
  hereOwner(): string | null {
    return this.here().subaccountId;
  }

  private here(): Domain {
    return this.entered.getStore() ?? this.root;
  }

  private domainOf(owner: DomainOwner): Domain {
    const id = owner.subaccountId;
    if (id === null) return this.root;
    let d = this.subaccounts.get(id);
    if (!d) this.subaccounts.set(id, (d = new Domain(id, `subaccount ${id}`, new VirtualClock(this.root.clock.now()))));
    return d;
  }
}

/**
 * The server's clock for a mode: on the virtual clock, one domain of time per
 * subaccount when `perSubaccount` (every leg then belongs to an account's
 * domain, as the sandbox's do; a network's legs belong to none, so beside a
 * SIP driver the virtual clock stays one).
 */
export function createClock(mode: ClockMode, scale = 1, perSubaccount = true): Clock {
  switch (mode) {
    case 'real':
      return new RealClock();
    case 'scaled':
      return new ScaledClock(scale);
    case 'virtual':
      return perSubaccount ? new ClockDomains() : new VirtualClock();
  }
}

// Helpers for code that holds a plain Clock: with a single domain they change nothing.

/** Does `clock` keep more than one domain of time? */
export const hasDomains = (clock: Clock): clock is ClockDomains => clock instanceof ClockDomains;

/** The virtual clock the current code runs on, or undefined on a real or scaled clock. */
export function virtualClockOf(clock: Clock): VirtualClock | undefined {
  if (clock instanceof ClockDomains) return clock.virtual();
  return clock instanceof VirtualClock ? clock : undefined;
}

/** Run `fn` on `owner`'s time. */
export function inDomainOf<T>(clock: Clock, owner: DomainOwner | undefined, fn: () => T): T {
  return clock instanceof ClockDomains ? clock.run(owner ?? ROOT, fn) : fn();
}

/** From here on, run on `owner`'s time (a main account acting on its subaccount's call acts on the call's time). */
export function enterDomainOf(clock: Clock, owner: DomainOwner): void {
  if (clock instanceof ClockDomains) clock.enter(owner);
}

/** Why acting for `owner` here would join two domains of time, or undefined. */
export function domainCrossing(clock: Clock, owner: DomainOwner): string | undefined {
  return clock instanceof ClockDomains ? clock.crossing(owner) : undefined;
}

/** The domain the current code runs in, as an owner filter; undefined when the clock has a single domain. */
export function domainHere(clock: Clock): DomainOwner | undefined {
  if (!(clock instanceof ClockDomains)) return undefined;
  return { subaccountId: clock.hereOwner() };
}
