// The sandbox carrier for messages. A message to a virtual phone lands in
// that phone's inbox (readable through GET /Sandbox/Phone/{n}/Messages/)
// after the phone's configured delays on the platform clock, or fails the way
// the phone is configured to; a message to a platform number arrives there as
// inbound traffic, as a real network would carry it.
import type { Timer } from '../clock/clock.ts';
import { inDomainOf } from '../clock/domains.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Numbers } from '../platform/numbers.ts';
import { sandboxInboxRepo } from '../store/repos/sandbox-inbox.ts';
import type { CarrierEvents, MessagingDriver, OutboundMessage } from './driver.ts';
import type { Behaviour, SandboxBehaviours } from './sandbox-behaviours.ts';

/** Platform numbers are not virtual phones: the network hands messages over at once. */
const PLATFORM: Behaviour = { outcome: 'delivered', error_code: null, sent_after_ms: 0, delivered_after_ms: 0 };

export class SandboxMessagingDriver implements MessagingDriver {
  private readonly timers = new Set<Timer>();
  private stopped = false;

  constructor(
    private readonly ctx: PlatformContext,
    private readonly events: CarrierEvents,
    private readonly behaviours: SandboxBehaviours,
    private readonly numbers: Numbers,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Both steps are put on the clock now, timed from acceptance, so a virtual
   * clock advanced right after the send sees them; the delivery step waits
   * for the "sent" step's work before doing its own.
   */
  async submit(m: OutboundMessage): Promise<void> {
    const platform = await this.numbers.routeInbound(m.to);
    const b = platform ? PLATFORM : await this.behaviours.forTraffic(m, m.to);
    const sent = this.step(b.sent_after_ms, async () => {
      if (b.outcome === 'failed') await this.events.report({ messageUuid: m.messageUuid, state: 'failed', errorCode: b.error_code! });
      else await this.events.report({ messageUuid: m.messageUuid, state: 'sent' });
    });
    if (b.outcome === 'failed' || b.outcome === 'sent') return;
    this.step(b.sent_after_ms + b.delivered_after_ms, async () => {
      await sent;
      if (b.outcome === 'undelivered') return this.events.report({ messageUuid: m.messageUuid, state: 'undelivered', errorCode: b.error_code! });
      // The number's owner takes it in on its own time (on the virtual clock a subaccount keeps its own: clock/domains.ts).
      if (platform) await inDomainOf(this.ctx.clock, platform, () => this.events.inbound({ from: m.from, to: m.to, text: m.text, type: m.type, mediaUrls: m.mediaUrls }));
      else await this.toInbox(m);
      await this.events.report({ messageUuid: m.messageUuid, state: 'delivered' });
    });
  }

  private toInbox(m: OutboundMessage): Promise<void> {
    return sandboxInboxRepo.insert(this.ctx.db, {
      message_uuid: m.messageUuid,
      account_id: m.accountId,
      subaccount_id: m.subaccountId,
      to_number: m.to,
      from_number: m.from,
      text: m.text,
      type: m.type,
      media_urls: JSON.stringify(m.mediaUrls),
      received_at: this.ctx.clock.now(),
    });
  }

  /**
   * Run `work` after `ms` of platform time (at once for 0, so zero delays need
   * no clock advance); resolves when it has run. The work is tracked on the
   * clock: an advance of the virtual clock returns once what its timers
   * started here is written (on PostgreSQL too), so a message's state and
   * inbox read right after it are the ones platform time reached.
   */
  private step(ms: number, work: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const run = () => {
        void this.ctx.clock
          .track(work)
          .catch((err) => {
            if (!this.stopped) this.onError(err);
          })
          .finally(resolve);
      };
      if (ms <= 0) return run();
      const timer = this.ctx.clock.after(ms, () => {
        this.timers.delete(timer);
        if (!this.stopped) run();
      });
      this.timers.add(timer);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }
}
