// Who a request acts for. Resources belong to a main account and may be
// linked to one of its subaccounts; a subaccount sees only its own.

export interface Scope {
  /** The main account that owns (and pays for) everything in this scope. */
  accountId: string;
  /** Set when the request acts for a subaccount (its own credentials, or the main account acting on it). */
  subaccountId: string | null;
  /** The credentials used: the main account's or the subaccount's. */
  callerId: string;
}

export const isMainScope = (s: Scope): boolean => s.subaccountId === null;

/** The owner filter for reads: a subaccount scope sees only its rows; the main scope sees all (optionally one subaccount's). */
export function ownerFilter(scope: Scope, subaccount?: string | null): { accountId: string; subaccountId?: string | null } {
  if (scope.subaccountId) return { accountId: scope.accountId, subaccountId: scope.subaccountId };
  return subaccount === undefined ? { accountId: scope.accountId } : { accountId: scope.accountId, subaccountId: subaccount };
}

export const accountUri = (authId: string): string => `/v1/Account/${authId}/`;
export const subaccountUri = (mainId: string, subId: string): string => `/v1/Account/${mainId}/Subaccount/${subId}/`;
