// Start-up and shutdown: config → store (migrated) → services → main account
// → HTTP. Used by `switchboard serve` and by tests that need a server.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { createClock } from './clock/clock.ts';
import type { Config } from './config.ts';
import { buildApp, type App } from './http/app.ts';
import { createLogger } from './log.ts';
import { createServices, type Services } from './services.ts';
import { openStore } from './store/db.ts';
import type { Credentials } from './platform/accounts.ts';

export interface RunningServer {
  url: string;
  port: number;
  credentials: Credentials;
  /** True when this start created the main account's credentials. */
  credentialsCreated: boolean;
  services: Services;
  app: App;
  logger: Logger;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const clock = createClock(config.clock, config.timeScale);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const services = createServices(config, store, clock);
  const configured = config.authId && config.authToken ? { authId: config.authId, authToken: config.authToken } : undefined;
  const { credentials, created } = await services.accounts.ensureMain(configured, config.dataDir);

  const app = await buildApp(services, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, store: store.dialect, clock: config.clock, telephony: config.telephony }, 'switchboard listening');
  logger.flush();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    credentials,
    credentialsCreated: created,
    services,
    app,
    logger,
    // Fastify's close stops accepting, lets in-flight requests finish, then we close the database.
    close: () => (closing ??= app.close().then(() => store.close()).finally(() => logger.flush())),
  };
}
