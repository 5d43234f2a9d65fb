// How the sandbox carrier treats messages to one virtual phone: delivered
// (default), left at sent (no delivery receipt), undelivered or failed with an
// error code, and how long each step takes on the platform clock. Set per
// owner: a subaccount's setting applies to its own traffic and falls back to
// its main account's.
import { ApiError } from '../errors.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Numbers } from '../platform/numbers.ts';
import { phoneKey } from '../platform/sandbox-inbox.ts';
import type { Scope } from '../platform/scope.ts';
import { behavioursRepo } from '../store/repos/messages.ts';
import type { SandboxOutcome } from '../store/tables/messages.ts';
import { MESSAGE_ERRORS } from './error-codes.ts';

export interface Behaviour {
  outcome: SandboxOutcome;
  error_code: string | null;
  /** From accepted (queued) to handed to the carrier (sent, or failed). */
  sent_after_ms: number;
  /** From sent to the delivery report (delivered or undelivered). */
  delivered_after_ms: number;
}

export type BehaviourInput = Partial<Behaviour> & { outcome: SandboxOutcome };

export const DEFAULT_BEHAVIOUR: Behaviour = { outcome: 'delivered', error_code: null, sent_after_ms: 100, delivered_after_ms: 500 };

/** Error codes used when a failing outcome names none. */
const DEFAULT_ERROR: Record<'failed' | 'undelivered', string> = { failed: '300', undelivered: '70' };

export const behaviourView = (number: string, b: Behaviour) => ({ number, ...b });

const ownerOf = (scope: Pick<Scope, 'accountId' | 'subaccountId'>): string => scope.subaccountId ?? scope.accountId;

export class SandboxBehaviours {
  constructor(
    private readonly ctx: PlatformContext,
    accounts: Accounts,
    private readonly numbers: Numbers,
  ) {
    accounts.registerDependent({
      // A behaviour is a test fixture of whoever set it; it does not move to the main account.
      moveToMain: (trx, _a, s) => behavioursRepo.deleteForOwner(trx, s),
      deleteAll: (trx, _a, s) => behavioursRepo.deleteForOwner(trx, s),
    });
  }

  private async virtualPhone(input: string): Promise<string> {
    const number = phoneKey(input);
    if (await this.numbers.routeInbound(number)) {
      throw new ApiError(400, `${number} is a platform number, not a virtual phone: messages to it go to its application`);
    }
    return number;
  }

  async set(scope: Scope, numberInput: string, input: BehaviourInput) {
    const number = await this.virtualPhone(numberInput);
    const b = resolve(input);
    await behavioursRepo.upsert(this.ctx.db, { owner_id: ownerOf(scope), account_id: scope.accountId, number, ...b, updated_at: this.ctx.clock.now() });
    return behaviourView(number, b);
  }

  async get(scope: Scope, numberInput: string) {
    const number = phoneKey(numberInput);
    return behaviourView(number, await this.forTraffic(scope, number));
  }

  async reset(scope: Scope, numberInput: string): Promise<void> {
    await behavioursRepo.delete(this.ctx.db, ownerOf(scope), phoneKey(numberInput));
  }

  /** What happens to a message from `owner`'s traffic to `number`. */
  async forTraffic(owner: Pick<Scope, 'accountId' | 'subaccountId'>, number: string): Promise<Behaviour> {
    const owners = owner.subaccountId ? [owner.subaccountId, owner.accountId] : [owner.accountId];
    const row = await behavioursRepo.find(this.ctx.db, owners, number);
    return row
      ? { outcome: row.outcome, error_code: row.error_code, sent_after_ms: Number(row.sent_after_ms), delivered_after_ms: Number(row.delivered_after_ms) }
      : DEFAULT_BEHAVIOUR;
  }
}

function resolve(input: BehaviourInput): Behaviour {
  const failing = input.outcome === 'failed' || input.outcome === 'undelivered';
  if (!failing && input.error_code) {
    throw new ApiError(400, `error_code is only for outcome failed or undelivered (outcome is ${input.outcome})`);
  }
  const code = failing ? (input.error_code ?? DEFAULT_ERROR[input.outcome as 'failed' | 'undelivered']) : null;
  if (code !== null && !(code in MESSAGE_ERRORS)) {
    throw new ApiError(400, `error_code must be one of: ${Object.keys(MESSAGE_ERRORS).join(', ')}`);
  }
  return {
    outcome: input.outcome,
    error_code: code,
    sent_after_ms: input.sent_after_ms ?? DEFAULT_BEHAVIOUR.sent_after_ms,
    delivered_after_ms: input.delivered_after_ms ?? DEFAULT_BEHAVIOUR.delivered_after_ms,
  };
}
