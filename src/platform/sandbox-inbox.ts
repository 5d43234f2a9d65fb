// The sandbox inbox: messages virtual phones received (verification codes,
// and later everything the messaging engine sends to a virtual phone).
import { ApiError } from '../errors.ts';
import { newUuid } from '../ids.ts';
import { sandboxInboxRepo } from '../store/repos/sandbox-inbox.ts';
import type { InboxRow } from '../store/tables/endpoints.ts';
import type { Accounts } from './accounts.ts';
import type { PlatformContext } from './context.ts';
import { ownerFilter, type Scope } from './scope.ts';
import { formatTimestamp } from './time.ts';

export interface InboxMessage {
  /** Who the message is for: the account (and subaccount) whose traffic sent it. */
  owner: { accountId: string; subaccountId: string | null };
  /** The virtual phone, with or without '+'. */
  to: string;
  from: string;
  text: string;
  type?: 'sms' | 'mms';
  mediaUrls?: string[];
}

export function inboxView(row: InboxRow) {
  return {
    message_uuid: row.message_uuid,
    from: row.from_number,
    text: row.text,
    type: row.type,
    media_urls: JSON.parse(row.media_urls) as string[],
    received_at: formatTimestamp(row.received_at),
  };
}

/** A virtual phone's number as the inbox keys it: digits only. */
export function phoneKey(input: string): string {
  const digits = input.trim().replace(/^\+/, '');
  if (!/^\d{3,20}$/.test(digits)) throw new ApiError(400, `number "${input}" is not a phone number: give the country code and digits, e.g. 14155550100`);
  return digits;
}

export class SandboxInbox {
  constructor(
    private readonly ctx: PlatformContext,
    accounts: Accounts,
  ) {
    accounts.registerDependent({
      moveToMain: (trx, a, s) => sandboxInboxRepo.moveToMain(trx, a, s),
      deleteAll: (trx, a, s) => sandboxInboxRepo.deleteForSubaccount(trx, a, s),
    });
  }

  /** Store a message a virtual phone received; returns its message_uuid. */
  async receive(m: InboxMessage): Promise<string> {
    const messageUuid = newUuid();
    await sandboxInboxRepo.insert(this.ctx.db, {
      message_uuid: messageUuid,
      account_id: m.owner.accountId,
      subaccount_id: m.owner.subaccountId,
      to_number: phoneKey(m.to),
      from_number: m.from,
      text: m.text,
      type: m.type ?? 'sms',
      media_urls: JSON.stringify(m.mediaUrls ?? []),
      received_at: this.ctx.clock.now(),
    });
    return messageUuid;
  }

  /** Newest first; a subaccount sees only what its own traffic sent. */
  async list(scope: Scope, number: string, page: { limit: number; offset: number }) {
    const filter = { ...ownerFilter(scope), toNumber: phoneKey(number) };
    const [rows, total] = await Promise.all([sandboxInboxRepo.list(this.ctx.db, filter, page.limit, page.offset), sandboxInboxRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map(inboxView), total };
  }
}
