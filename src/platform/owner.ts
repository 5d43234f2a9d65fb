// Which subaccount a resource is assigned to, checked against who asks:
// a subaccount may only name itself; the main account any of its own.
import { ApiError } from '../errors.ts';
import type { Accounts } from './accounts.ts';
import type { Scope } from './scope.ts';

/** `requested` empty or undefined means "no subaccount" for the main account and "itself" for a subaccount. */
export async function assignableSubaccount(accounts: Accounts, scope: Scope, requested: string | undefined, field = 'subaccount'): Promise<string | null> {
  if (scope.subaccountId) {
    if (requested && requested !== scope.subaccountId) {
      throw new ApiError(401, `subaccount ${scope.subaccountId} cannot assign resources to ${requested}`);
    }
    return scope.subaccountId;
  }
  if (!requested) return null;
  await checkSubaccount(accounts, scope, requested, field);
  return requested;
}

/**
 * A subaccount the main account names (a list's filter, an assignment)
 * must be one of its own (400 otherwise); a subaccount's own requests are
 * scoped to itself whatever they name.
 */
export async function checkSubaccount(accounts: Accounts, scope: Scope, requested: string | undefined, field = 'subaccount'): Promise<void> {
  if (!requested || scope.subaccountId !== null) return;
  const sub = await accounts.find(requested);
  if (!sub || sub.parent_id !== scope.accountId) {
    throw new ApiError(400, `${field} ${requested} is not a subaccount of this account`);
  }
}
