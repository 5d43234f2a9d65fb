// Start-up and shutdown: config → store (migrated) → services → main account
// → HTTP. Used by `switchboard serve` and by tests that need a server.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { createClock } from './clock/domains.ts';
import { listenFailure, type Config } from './config.ts';
import { buildApp, type App } from './http/app.ts';
import { createLogger } from './log.ts';
import { createServices, startServices, stopServices, type Services } from './services.ts';
import { openStore } from './store/db.ts';
import type { Credentials } from './platform/accounts.ts';

export interface RunningServer {
  url: string;
  port: number;
  credentials: Credentials;
  services: Services;
  app: App;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Called once, before the server listens, when this start generated the main account's credentials. */
  onCredentialsGenerated?: (credentials: Credentials) => void;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel, config.logFormat);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const clock = createClock(config.clock, config.timeScale, config.telephony === 'sim');
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  let services: Services;
  try {
    services = createServices(config, store, clock, logger);
  } catch (err) {
    // A configuration the services refuse (a telephony driver this build lacks …): nothing was started.
    await store.close();
    throw err;
  }
  const configured = config.authId && config.authToken ? { authId: config.authId, authToken: config.authToken } : undefined;
  const { credentials, created } = await services.accounts.ensureMain(configured, config.dataDir);
  if (created && !configured) opts.onCredentialsGenerated?.(credentials);

  const app = await buildApp(services, logger);
  await startServices(services, logger);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    throw listenFailure(err, 'PORT or --port, HOST or --host', `${config.host}:${config.port}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (!config.publicUrl) services.origin.url = url;
  logger.info({ url, console: `${url}/console/`, store: store.dialect, clock: config.clock, telephony: config.telephony }, 'switchboard listening');
  logger.flush();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    credentials,
    services,
    app,
    logger,
    // Fastify's close stops accepting and lets in-flight requests finish; then background work stops (queued webhooks stay queued) and the database closes.
    close: () => (closing ??= app.close().then(() => stopServices(services)).then(() => store.close()).finally(() => logger.flush())),
  };
}
