// Callbacks about a room rather than one call (a conference recording is
// written, a multiparty call changes state): signed with the owner's tokens
// and queued like every webhook, carrying only the parameters given.
import type { Logger } from 'pino';
import type { Hook } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner, WebhookPort } from '../engine/ports.ts';

export class RoomNotifier {
  constructor(
    private readonly engine: Engine,
    private readonly webhooks: WebhookPort,
    private readonly log: Logger,
  ) {}

  send(owner: CallOwner, hook: Hook, kind: string, params: Record<string, string>): void {
    const work = async () => {
      const s = await this.engine.platform.signing(owner);
      await this.webhooks.enqueue({ url: hook.url, method: hook.method, params, authToken: s.authToken, mainAuthToken: s.mainAuthToken, accountId: owner.accountId, subaccountId: owner.subaccountId, kind });
    };
    this.engine.clock.track(work).catch((err: unknown) => this.log.error({ err, url: hook.url, kind }, 'a room callback could not be queued'));
  }
}
