// The platform services on a real store (SQLite in a temp dir, or a fresh
// PostgreSQL database) with a virtual clock and one funded main account.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../src/clock/clock.ts';
import { ClockDomains } from '../../src/clock/domains.ts';
import { resolveConfig } from '../../src/config.ts';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';
import type { Scope } from '../../src/platform/scope.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { accountsRepo, ledgerRepo } from '../../src/store/repos/accounts.ts';
import { createPgDatabase } from '../helpers/pg.ts';

export interface Platform {
  services: Services;
  /** The store itself, for tests that check rows directly. */
  db: Store['db'];
  /** The main accounts' clock (the root domain's, with `domains`). */
  clock: VirtualClock;
  /** With `domains`: the server's clock, a domain of time per subaccount (src/clock/domains.ts). */
  domains?: ClockDomains;
  scope: Scope;
  /** cash_credits and the ledger sum of the main account, in micros. */
  money(): Promise<{ cash: number; ledger: number }>;
  close(): Promise<void>;
}

export async function platformOn(db: 'sqlite' | 'postgres', start = Date.UTC(2026, 0, 15, 9, 30), opts: { domains?: boolean } = {}): Promise<Platform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-numbers-'));
  const pg = db === 'postgres' ? await createPgDatabase() : undefined;
  const store = await openStore({ dataDir, databaseUrl: pg?.url });
  const domains = opts.domains ? new ClockDomains(start) : undefined;
  const clock = domains?.virtual() ?? new VirtualClock(start);
  const services = createServices(resolveConfig({}, { dataDir, databaseUrl: pg?.url }), store, domains ?? clock);
  const authId = newAccountAuthId();
  await services.accounts.createMain({ authId, authToken: newAuthToken() }, 'Numbers test');
  await services.numbers.seedPool();
  return {
    services,
    db: store.db,
    clock,
    domains,
    scope: { accountId: authId, subaccountId: null, callerId: authId },
    async money() {
      const [row, ledger] = await Promise.all([accountsRepo.find(store.db, authId), ledgerRepo.sum(store.db, authId)]);
      return { cash: Number(row!.cash_credits), ledger };
    },
    async close() {
      await services.renewals.stop();
      await store.close();
      await pg?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
