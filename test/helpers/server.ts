// A real Switchboard server process on a random port with a temp data dir,
// and the official SDK pointed at it. End-to-end tests use only this.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import plivo from 'plivo';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';
import { switchboardClient } from '../../sdk/index.mjs';
import { createPgDatabase, type PgDatabase } from './pg.ts';
import { spawnChild } from './children.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerOptions {
  db?: 'sqlite' | 'postgres';
  clock?: 'real' | 'scaled' | 'virtual';
  env?: Record<string, string>;
}

export interface TestServer {
  url: string;
  authId: string;
  authToken: string;
  dataDir: string;
  /** The server process's id (it changes on `restart()`). */
  readonly pid: number | undefined;
  /** Everything the process printed, for assertions on logs. */
  output(): string;
  /**
   * The official SDK client. Untyped on purpose: the SDK's bundled typings
   * disagree with its runtime (lists are arrays carrying `meta`, update
   * params are narrower than what it sends), and tests follow the runtime.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client(creds?: { authId: string; authToken: string }): any;
  /** Basic-auth fetch against the server (for our extensions and raw checks). */
  fetch(pathname: string, init?: RequestInit & { json?: unknown; creds?: { authId: string; authToken: string } }): Promise<Response>;
  restart(): Promise<void>;
  /** `kill -9`: the process dies at once, with no shutdown; `restart()` starts it again on the same data dir. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

function setRef(child: ChildProcess, on: boolean): void {
  for (const h of [child, child.stdout, child.stderr] as unknown as Array<{ ref(): void; unref(): void }>) {
    if (on) h.ref();
    else h.unref();
  }
}

/** The environment of a server in `--telephony sip` on loopback (SIP domain switchboard.test): SIP on `sipPort`, RTP on `rtpPorts`, plus `extra`. */
export const sipServerEnv = (sipPort: number, rtpPorts: string, extra: Record<string, string> = {}): Record<string, string> => ({
  SWITCHBOARD_TELEPHONY: 'sip',
  SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
  SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1',
  SWITCHBOARD_SIP_DOMAIN: 'switchboard.test',
  SWITCHBOARD_RTP_PORTS: rtpPorts,
  ...extra,
});

export async function startTestServer(opts: ServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  const pgdb: PgDatabase | undefined = opts.db === 'postgres' ? await createPgDatabase() : undefined;
  const authId = newAccountAuthId();
  const authToken = newAuthToken();
  let port = 0;
  let child: ChildProcess | undefined;
  let log = '';

  const launch = () =>
    new Promise<string>((resolve, reject) => {
      child = spawnChild(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', String(port), '--data-dir', dataDir], {
        cwd: ROOT,
        env: {
          ...process.env,
          SWITCHBOARD_AUTH_ID: authId,
          SWITCHBOARD_AUTH_TOKEN: authToken,
          SWITCHBOARD_CLOCK: opts.clock ?? 'real',
          DATABASE_URL: pgdb?.url ?? '',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
          ...opts.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const current = child;
      let buffered = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        log += text;
        buffered += text;
        const m = /"msg":"switchboard listening"/.test(buffered) && /"url":"(http:[^"]+)"/.exec(buffered);
        if (m) {
          buffered = '';
          // From here on the child does not keep this process alive, so a test
          // that fails before stop() cannot hang the run; it dies with us
          // (children.ts).
          setRef(current, false);
          resolve(m[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${log}`)));
    });

  let url = await launch();
  port = Number(new URL(url).port);

  const stopChild = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    setRef(child, true);
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill(signal);
    await exited;
  };

  const server: TestServer = {
    get url() {
      return url;
    },
    get pid() {
      return child?.pid;
    },
    authId,
    authToken,
    dataDir,
    output: () => log,
    client: (creds) => switchboardClient(plivo, { authId: creds?.authId ?? authId, authToken: creds?.authToken ?? authToken, baseUrl: url }),
    fetch(pathname, init = {}) {
      const creds = init.creds ?? { authId, authToken };
      const headers = new Headers(init.headers);
      headers.set('authorization', 'Basic ' + Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64'));
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(url + pathname, { ...init, headers, body });
    },
    async restart() {
      await stopChild();
      url = await launch();
    },
    crash: () => stopChild('SIGKILL'),
    async stop() {
      await stopChild();
      await pgdb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
