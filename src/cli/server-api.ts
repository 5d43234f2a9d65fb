// What the commands that talk to a running server share: where it is, whose
// credentials to use, and one authenticated JSON request that turns refusals
// into a readable error.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';

export interface ServerFlags {
  url?: string;
  authId?: string;
  authToken?: string;
  dataDir?: string;
}

/** A refusal or a missing setting, printed as one line (no stack). */
export class CliError extends Error {}

/** Where the server is and whose credentials to use: flags, then env, then the data dir's credentials.json. */
export function target(flags: ServerFlags): { url: string; authId: string; authToken: string } {
  const url = (flags.url ?? process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let authId = flags.authId ?? process.env.SWITCHBOARD_AUTH_ID;
  let authToken = flags.authToken ?? process.env.SWITCHBOARD_AUTH_TOKEN;
  if (!authId || !authToken) {
    const file = path.join(path.resolve(flags.dataDir ?? process.env.SWITCHBOARD_DATA_DIR ?? './data'), 'credentials.json');
    if (!fs.existsSync(file)) throw new CliError(`no credentials: pass --auth-id and --auth-token, set SWITCHBOARD_AUTH_ID/SWITCHBOARD_AUTH_TOKEN, or run where ${file} exists`);
    ({ authId, authToken } = JSON.parse(fs.readFileSync(file, 'utf8')) as { authId: string; authToken: string });
  }
  return { url, authId: authId!, authToken: authToken! };
}

/** A request under /v1/Account/{auth_id}; `accept` lists error statuses answered instead of thrown. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function request(flags: ServerFlags, method: string, pathname: string, body?: unknown, accept: number[] = []): Promise<any> {
  const t = target(flags);
  let res: Response;
  try {
    res = await fetch(`${t.url}/v1/Account/${t.authId}${pathname}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${t.authId}:${t.authToken}`).toString('base64')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new CliError(`cannot reach ${t.url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const answer = await res.json().catch(() => ({}));
  if (!res.ok && !accept.includes(res.status)) throw Object.assign(new CliError(`${method} ${pathname} → ${res.status}: ${answer.error ?? res.statusText}`), { answer });
  return Object.assign(answer, { status: res.status });
}

/** Runs a command's action; a CliError becomes `switchboard <name>: message` and exit code 1. */
export function run(name: string, action: () => Promise<void>): Promise<void> {
  return action().catch((err) => {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`switchboard ${name}: ${err.message.trimEnd()}\n`);
    process.exitCode = 1;
  });
}

export const serverOptions = (cmd: Command) =>
  cmd
    .option('--url <url>', 'server base URL (env SWITCHBOARD_URL, default http://127.0.0.1:8080)')
    .option('--auth-id <id>', "auth id (env SWITCHBOARD_AUTH_ID, else the data dir's credentials.json)")
    .option('--auth-token <token>', 'auth token (env SWITCHBOARD_AUTH_TOKEN)')
    .option('--data-dir <dir>', 'data directory holding credentials.json (env SWITCHBOARD_DATA_DIR, default ./data)');
