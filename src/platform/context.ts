// What every platform service needs: the database and the clock. Services
// take this instead of globals so tests can hand them a virtual clock.
import type { Clock } from '../clock/clock.ts';
import type { Database, DialectName } from '../store/db.ts';
import type { Executor } from '../store/repos/accounts.ts';

export interface PlatformContext {
  db: Database;
  dialect: DialectName;
  clock: Clock;
}

/**
 * Resources that may be linked to a subaccount register here, so deleting a
 * subaccount moves them to the main account or deletes them (cascade) in the
 * same transaction, without the subaccount service knowing each resource.
 */
export interface SubaccountDependent {
  moveToMain(trx: Executor, accountId: string, subaccountId: string): Promise<void>;
  deleteAll(trx: Executor, accountId: string, subaccountId: string): Promise<void>;
}

/**
 * A subaccount's history (calls, call logs, messages, recordings, multiparty
 * calls) outlives it, like the ledger: deleted with or without cascade, its
 * rows move to the main account.
 */
export function keptByMainAccount(moveToMain: SubaccountDependent['moveToMain']): SubaccountDependent {
  return { moveToMain, deleteAll: moveToMain };
}

/**
 * Resources that point at an application (numbers, endpoints) register here,
 * so deleting an application re-points or removes them in its transaction.
 */
export interface ApplicationDependent {
  /** `replacementAppId` null means "unlinked". */
  relink(trx: Executor, accountId: string, appId: string, replacementAppId: string | null): Promise<void>;
  deleteLinked?(trx: Executor, accountId: string, appId: string): Promise<void>;
}
