// Query pieces shared by the repositories of owned resources (endpoints,
// carriers, caller IDs, the sandbox inbox) and their list filters.
import type { OwnerFilter } from './applications.ts';

/** Restrict a query to an owner: the account's rows, or one subaccount's (null = the main account's own). */
export function whereOwner<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: OwnerFilter): QB {
  let q = qb.where('account_id', '=', f.accountId);
  if (f.subaccountId !== undefined) {
    q = f.subaccountId === null ? q.where('subaccount_id', 'is', null) : q.where('subaccount_id', '=', f.subaccountId);
  }
  return q;
}

/** Restrict a query to rows whose `column` lies in `range`: [from, to), either bound optional. */
export function whereRange<QB extends { where: (...a: any[]) => QB }>(qb: QB, column: string, range: Range): QB {
  let q = qb;
  if (range.from !== undefined) q = q.where(column, '>=', range.from);
  if (range.to !== undefined) q = q.where(column, '<', range.to);
  return q;
}

/** A primary-key or unique-index conflict, on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export interface Range {
  /** Inclusive lower bound. */
  from?: number;
  /** Exclusive upper bound. */
  to?: number;
}
