// Composition root for the platform services, shared by the HTTP layer and
// the CLI. Each feature adds its service here.
import type { Clock } from './clock/clock.ts';
import { Accounts } from './platform/accounts.ts';
import { Applications } from './platform/applications.ts';
import type { PlatformContext } from './platform/context.ts';
import type { Store } from './store/db.ts';
import type { Config } from './config.ts';

export interface Services {
  config: Config;
  clock: Clock;
  store: Store;
  accounts: Accounts;
  applications: Applications;
}

export function createServices(config: Config, store: Store, clock: Clock): Services {
  const ctx: PlatformContext = { db: store.db, dialect: store.dialect, clock };
  const accounts = new Accounts(ctx);
  const applications = new Applications(ctx, accounts);
  return { config, clock, store, accounts, applications };
}
