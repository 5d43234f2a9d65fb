// The `switchboard` command. `serve` runs the server; flags win over env.
// Every command loads what it needs when it runs, so `--help` answers at once.
import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { registerExtraCommands } from './commands.ts';

const program = new Command('switchboard').description('Self-hostable, Plivo-compatible communications platform');

program
  .command('serve')
  .description('run the API server (SQLite in the data dir and the sandbox carrier by default)')
  .option('--port <port>', 'HTTP port (env PORT, default 8080)')
  .option('--host <host>', 'listen address (env HOST, default 127.0.0.1)')
  .option('--data-dir <dir>', 'data directory (env SWITCHBOARD_DATA_DIR, default ./data)')
  .option('--database-url <url>', 'postgres://… to use PostgreSQL (env DATABASE_URL)')
  .option('--clock <mode>', 'real | scaled | virtual (env SWITCHBOARD_CLOCK)')
  .option('--time-scale <n>', 'speed of the scaled clock (env SWITCHBOARD_TIME_SCALE)')
  .option('--telephony <driver>', 'sim | sip (env SWITCHBOARD_TELEPHONY)')
  .option('--log-level <level>', 'pino level (env LOG_LEVEL, default info)')
  .option('--log-format <format>', 'pretty | json (env LOG_FORMAT; default pretty in a terminal, json otherwise)')
  .action(async (flags) => {
    const [{ resolveConfig }, { startServer }] = await Promise.all([import('../config.ts'), import('../server.ts')]);
    const config = resolveConfig(process.env, flags);
    // Signals are handled from the first moment: one that arrives while the
    // server is still starting stops it as soon as it is up.
    let stopping = false;
    const starting = startServer(config, {
      // Printed once, on the start that created them (before "listening"); kept in the data dir.
      onCredentialsGenerated: (c) =>
        process.stderr.write(
          `\nSwitchboard created your account credentials (kept in ${config.dataDir}/credentials.json):\n` +
            `  SWITCHBOARD_AUTH_ID=${c.authId}\n  SWITCHBOARD_AUTH_TOKEN=${c.authToken}\n\n`,
        ),
    });
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      const server = await starting;
      server.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      await server.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    await starting;
  });

registerExtraCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`switchboard: ${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
