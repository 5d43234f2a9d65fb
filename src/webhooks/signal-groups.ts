// Many members listening to one long-lived AbortSignal (the server's stop
// signal: every request in flight and every request waiting for a slot)
// through one abort listener per signal. An EventTarget walks all its
// listeners on each add and remove, so a listener per member made 10,000
// queued callbacks cost 10,000².
export class SignalGroups<T> {
  private readonly groups = new WeakMap<AbortSignal, Set<T>>();

  /** `aborted` is called for each member still in a signal's group when that signal aborts. */
  constructor(private readonly aborted: (member: T, reason: unknown) => void) {}

  /** Put `member` in `signal`'s group (`signal` has not aborted). */
  add(signal: AbortSignal, member: T): void {
    let group = this.groups.get(signal);
    if (!group) {
      const members = (group = new Set());
      this.groups.set(signal, members);
      signal.addEventListener(
        'abort',
        () => {
          for (const m of members) this.aborted(m, signal.reason);
          members.clear();
        },
        { once: true },
      );
    }
    group.add(member);
  }

  delete(signal: AbortSignal, member: T): void {
    this.groups.get(signal)?.delete(member);
  }
}
