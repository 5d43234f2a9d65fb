// `switchboard numbers import FILE`: load an operator's own numbers (pool or
// trunk numbers) into the inventory that accounts search and rent from.
import type { Command } from 'commander';

export const POOL_COLUMNS = 'number,country_iso,type,region,city,prefix,rate_center,lata,voice,sms,mms,monthly_rental_rate,setup_rate';

export function registerNumbersCommands(program: Command): void {
  const numbers = program.command('numbers').description('manage the phone number inventory');
  numbers
    .command('import <file>')
    .description(`add numbers from a CSV file to the inventory; header: ${POOL_COLUMNS} (only number is required)`)
    .option('--replace', 'update numbers already in the inventory instead of keeping them')
    .option('--data-dir <dir>', 'data directory (env SWITCHBOARD_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (env DATABASE_URL)')
    .action(async (file: string, flags: { replace?: boolean; dataDir?: string; databaseUrl?: string }) => {
      // Loaded on use: `switchboard --help` stays instant.
      const [{ default: cliProgress }, { RealClock }, { resolveConfig }, { ApiError }, { PoolFileError, readPoolFile }, { createServices }, { openStore }] = await Promise.all([
        import('cli-progress'),
        import('../clock/clock.ts'),
        import('../config.ts'),
        import('../errors.ts'),
        import('../platform/number-pool.ts'),
        import('../services.ts'),
        import('../store/db.ts'),
      ]);
      const config = resolveConfig(process.env, { dataDir: flags.dataDir, databaseUrl: flags.databaseUrl });
      const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        const clock = new RealClock();
        const services = createServices(config, store, clock);
        const rows = readPoolFile(file, services.pricing, 'import', clock.now());
        // Draws only on a terminal; piped output gets the summary line alone.
        const bar = new cliProgress.SingleBar({ format: 'importing numbers [{bar}] {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar.start(rows.length, 0);
        await services.numbers.addToPool(rows, flags.replace ?? false, (done) => bar.update(done));
        bar.stop();
        process.stdout.write(`${rows.length} number(s) in ${file} are in the inventory${flags.replace ? ' (existing entries updated)' : ' (existing entries kept)'}\n`);
      } catch (err) {
        if (!(err instanceof PoolFileError || err instanceof ApiError || (err as NodeJS.ErrnoException).code === 'ENOENT')) throw err;
        process.stderr.write(`switchboard numbers import: ${file}: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
