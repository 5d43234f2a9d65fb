// `switchboard phlo validate|push|runs`: check a flow file offline with the
// server's own validator, create or replace a flow by name on a running
// server, and list a flow's recent runs with their path through the graph.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Finding } from '../phlo/phlo-document.ts';
import { CliError, request, run as runAs, serverOptions, type ServerFlags } from './server-api.ts';

const run = (action: () => Promise<void>) => runAs('phlo', action);

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

const line = (kind: string, f: Finding) => `  ${kind}: ${f.node ? `node ${f.node}, ` : ''}${f.field}: ${f.message}\n`;

/** A request whose refusal lists the validator's findings. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(flags: ServerFlags, method: string, pathname: string, body?: unknown): Promise<any> {
  try {
    return await request(flags, method, pathname, body);
  } catch (err) {
    const findings = ((err as { answer?: { errors?: Finding[] } }).answer?.errors ?? []).map((f) => line('error', f)).join('');
    throw err instanceof CliError && findings ? new CliError(`${err.message}\n${findings}`) : err;
  }
}

export function registerPhloCommands(program: Command): void {
  const phlo = program.command('phlo').description('PHLO flows: validate, push and inspect (docs/phlo.md)');

  phlo
    .command('validate <files...>')
    .description('check flow files with the server\'s rules (no server needed); exit 1 when one has errors')
    .action((files: string[]) =>
      run(async () => {
        // Loaded on use: `switchboard --help` stays instant.
        const { validatePhlo } = await import('../phlo/phlo-validate.ts');
        for (const file of files) {
          const { errors, warnings } = validatePhlo(readDocument(file));
          process.stdout.write(errors.map((f) => line('error', f)).join('') + warnings.map((f) => line('warning', f)).join(''));
          process.stdout.write(`${file}: ${errors.length ? `invalid (${errors.length} error(s))` : 'valid'}${warnings.length ? `, ${warnings.length} warning(s)` : ''}\n`);
          if (errors.length) process.exitCode = 1;
        }
      }),
    );

  serverOptions(phlo.command('push <files...>').description('create each flow, or replace the account\'s flow of the same name; stops at the first refused')).action((files: string[], flags: ServerFlags) =>
    run(async () => {
      for (const file of files) {
        const doc = readDocument(file) as { name?: unknown };
        if (typeof doc?.name !== 'string') throw new CliError(`${file} has no name: push finds the flow to replace by name`);
        const found = await call(flags, 'GET', `/Phlo/?name=${encodeURIComponent(doc.name)}`);
        if (found.meta.total_count > 1) throw new CliError(`${found.meta.total_count} flows are named "${doc.name}"; rename one or use the API with a phlo_id`);
        const existing = found.objects[0] as { phlo_id: string } | undefined;
        const saved = existing ? await call(flags, 'POST', `/Phlo/${existing.phlo_id}/`, doc) : await call(flags, 'POST', '/Phlo/', doc);
        const stored = await call(flags, 'GET', `/Phlo/${saved.phlo_id}/`);
        process.stdout.write(((stored.warnings ?? []) as Finding[]).map((f) => line('warning', f)).join(''));
        process.stdout.write(`${existing ? 'replaced' : 'created'} ${stored.name}: phlo_id ${stored.phlo_id}, version ${stored.version}\n  run it: POST ${stored.phlo_url}\n`);
      }
    }),
  );

  serverOptions(phlo.command('runs <phlo_id>').description('recent runs of a flow, newest first, with their path through the graph'))
    .option('--limit <n>', 'how many runs (1-20)', '10')
    .action((phloId: string, flags: ServerFlags & { limit: string }) =>
      run(async () => {
        const runs = await call(flags, 'GET', `/Phlo/${encodeURIComponent(phloId)}/Run/?limit=${encodeURIComponent(flags.limit)}`);
        for (const r of runs.objects as Array<{ run_id: string; created_on: string; status: string; reason: string | null; steps: Array<{ name: string; state: string | null }> }>) {
          const route = r.steps.map((s) => `${s.name}${s.state ? ` (${s.state})` : ''}`).join(' → ');
          process.stdout.write(`${r.created_on}  ${r.run_id}  ${r.status}${r.reason ? `: ${r.reason}` : ''}\n  ${route}\n`);
        }
        process.stdout.write(`${runs.objects.length} of ${runs.meta.total_count} run(s)\n`);
      }),
    );
}
