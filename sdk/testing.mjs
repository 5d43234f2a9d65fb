// `switchboard/testing`: start a Switchboard for a test run and drive the
// sandbox carrier's virtual phones from the test (docs/testing.md).
//
// Plain JavaScript (types in testing.d.mts) so any test runner imports it
// without a TypeScript loader. The in-process server's TypeScript is loaded
// with tsx's scoped `tsImport`, which leaves the runner's own module loading
// untouched; `{ process: 'child' }` runs `switchboard serve` instead.
//
// Waits resolve on the server's events, never on sleeps: each one is a
// `POST …/Sandbox/Call/{uuid}/Wait/` that, on the virtual clock, moves time
// timer by timer until the condition holds or its limit passes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { switchboardClient, switchboardPhloClient } from './index.mjs';
import { serverBundle } from './server-bundle.mjs';

/** How long a wait may take, in platform milliseconds, unless `{ timeoutMs }` says otherwise. */
export const DEFAULT_WAIT_MS = 10_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A wait that did not reach its condition, or a sandbox request the server refused; the message says why. */
export class SwitchboardTestError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'SwitchboardTestError';
    Object.assign(this, details);
  }
}

// ---- the server -----------------------------------------------------------------

export async function startSwitchboard(options = {}) {
  const clock = options.clock ?? 'virtual';
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-testing-'));
  const throwAway = options.dataDir === undefined;
  // Jest refuses the module hooks that load the server's TypeScript in-process: there, the server runs as a child.
  const mode = options.process ?? (process.env.JEST_WORKER_ID !== undefined ? 'child' : 'in-process');
  const server = mode === 'child' ? await startChild(clock, dataDir, options) : await startInProcess(clock, dataDir, options);
  const { url, credentials } = server;
  const conn = transport(url);
  const plivo = await loadPlivo();
  let stopped;
  return Object.assign(account(conn, credentials, plivo), {
    url,
    /** A fresh subaccount with its own credentials, SDK clients, sandbox view and (virtual clock) time: one per test keeps tests apart, even when they run at once. */
    account: async (name = 'test') => {
      const res = await request(conn, credentials, 'POST', '/Subaccount/', { name, enabled: true });
      return account(conn, { authId: res.auth_id, authToken: res.auth_token }, plivo);
    },
    stop: () =>
      (stopped ??= server.stop().finally(() => {
        conn.close();
        if (throwAway) fs.rmSync(dataDir, { recursive: true, force: true });
      })),
  });
}

/** The server's modules, loaded once per process (each load would be a fresh copy). */
let serverModules;

/**
 * The server as one bundled module (server-bundle.mjs); its TypeScript through tsx where no bundle can be built (no esbuild, a read-only install).
 * With a core to spare, the speech synthesizer's worker starts first and gets up to speed on it while the modules load, then is handed to the
 * server. On a machine already busy (load average at least its cores) that would slow the start, and warming it later only adds work the
 * first call does anyway: there the first call starts it, as without the kit.
 */
async function loadServer() {
  const speech = os.loadavg()[0] < os.availableParallelism() ? startSpeechWorker() : { alive: false };
  const bundle = await serverBundle(ROOT).catch((err) => {
    process.emitWarning(`switchboard/testing loads the server's TypeScript through tsx (seconds slower): it could not build it into one module: ${err.message}`);
  });
  let modules;
  if (bundle) {
    // Stack traces name the TypeScript sources, as under tsx (which turns this on too).
    process.setSourceMapsEnabled(true);
    modules = await import(pathToFileURL(bundle).href);
  } else {
    modules = await import('tsx/esm/api').then(({ tsImport }) => tsImport('../src/index.ts', import.meta.url));
  }
  if (speech.alive) modules.warmSpeech(speechHolder, speech.worker);
  return modules;
}

/**
 * The server's speech synthesizer (a worker running eSpeak, plain JavaScript) told to warm up: its first
 * sentences cost about 1.5 s of CPU, paid here in parallel with loading the server rather than by the first test's call.
 */
function startSpeechWorker() {
  const worker = new Worker(new URL('../src/media/tts/espeak-worker.mjs', import.meta.url), { execArgv: [] }); // as the server starts it (espeak.ts)
  worker.unref();
  const speech = { worker, alive: true };
  worker.on('error', () => {}); // the server reports a broken synthesizer when a call asks it to speak
  worker.once('exit', () => (speech.alive = false));
  worker.postMessage({ warm: true });
  return speech;
}

/** The kit's hold on the process's speech synthesizer, once warmed: kept for every server started in the process. */
const speechHolder = {};

async function startInProcess(clock, dataDir, options) {
  serverModules ??= loadServer();
  const { startServer, resolveConfig } = await serverModules;
  // Readable log lines among the test output: a call your application made fail is one warn line naming it.
  const env = { LOG_FORMAT: 'pretty', ...process.env, ...options.env };
  const config = resolveConfig(env, { port: 0, dataDir, clock, logLevel: options.logLevel ?? 'warn', databaseUrl: options.databaseUrl ?? '' });
  const running = await startServer(config);
  return { url: running.url, credentials: running.credentials, stop: () => running.close() };
}

async function startChild(clock, dataDir, options) {
  const bin = path.join(ROOT, 'bin/switchboard.mjs');
  // Its "listening" line (info) says the port; after it, lines at the asked level (warn unless
  // `logLevel` says otherwise) are shown as the in-process server shows them.
  const logLevel = options.logLevel ?? 'warn';
  const args = [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--clock', clock, '--log-level', levelBelow(logLevel, 'info'), '--log-format', 'json'];
  // The server dies with this process however it ends: a test runner killing a
  // worker that timed out (SIGTERM or SIGKILL skip 'exit' hooks) must not leave
  // a server behind holding its port, database and CPU. On Linux the kernel
  // sees to it (util-linux `setpriv --pdeathsig`, scripts/leash.mjs); elsewhere
  // the server stops when its stdin, a pipe from this process, closes, which
  // the system does when this process dies.
  const { canLeash, leash } = await import('../scripts/leash.mjs');
  const [command, commandArgs] = canLeash ? leash(process.execPath, args) : [process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'sdk/exit-with-stdin.mjs')).href, ...args]];
  const child = spawn(command, commandArgs, { env: { ...process.env, ...options.env, DATABASE_URL: options.databaseUrl ?? '' }, stdio: [canLeash ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = /"msg":"switchboard listening"/.test(output) && /"url":"(http:[^"]+)"/.exec(output);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData).resume();
      // Without pino-pretty (an install that left it out) the lines are dropped, as before.
      showLogLines(child.stdout, logLevel).catch(() => child.stdout.resume());
      child.off('exit', onExit);
      resolve(m[1]);
    };
    const onExit = (code) => reject(new SwitchboardTestError(`switchboard serve exited with code ${code} before listening:\n${output}`));
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
  return {
    url,
    credentials: { authId: credentials.authId, authToken: credentials.authToken },
    stop: () =>
      new Promise((resolve) => {
        process.off('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** The lower of two pino levels: the child logs at least `info`, for its "listening" line. */
function levelBelow(a, b) {
  return (LEVELS[a] ?? LEVELS.info) <= LEVELS[b] ? a : b;
}

/** The child's JSON log lines at `level` and above, written readably to stderr as they come. */
async function showLogLines(stdout, level) {
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({ colorize: process.stderr.isTTY, singleLine: true, errorLikeObjectKeys: ['err'], translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' });
  const min = LEVELS[level] ?? LEVELS.warn;
  for await (const line of readline.createInterface({ input: stdout, crlfDelay: Infinity })) {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      process.stderr.write(`${line}\n`);
      continue;
    }
    if (record.level >= min) process.stderr.write(pretty(record));
  }
}

/** The application's own `plivo` package (a peer dependency); without it `client` and `phloClient` are undefined. */
async function loadPlivo() {
  try {
    const mod = await import('plivo');
    return mod.default ?? mod;
  } catch {
    return undefined;
  }
}

/** An account's handle; its SDK clients are made when first read (most tests use the sandbox only). */
function account(conn, credentials, plivo) {
  const target = { ...credentials, baseUrl: conn.url };
  let client;
  let phloClient;
  return {
    authId: credentials.authId,
    authToken: credentials.authToken,
    get client() {
      return plivo && (client ??= switchboardClient(plivo, target));
    },
    get phloClient() {
      return plivo && (phloClient ??= switchboardPhloClient(plivo, target));
    },
    sandbox: sandboxOf(conn, credentials),
    clock: clockOf(conn, credentials),
  };
}

// ---- HTTP ------------------------------------------------------------------------

/**
 * Requests to one server over kept-alive connections (node:http: half the CPU
 * of `fetch` per request, which a test pays on every wait, press and set-up).
 * Idle connections are dropped after a few seconds and by `close()`.
 */
function transport(url) {
  const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return {
    url,
    close: () => agent.destroy(),
    /** Sends one request; answers `{ status, body }` (the body as a Buffer). */
    send: (method, pathname, headers, body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host, port, method, path: pathname, headers, agent }, (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }),
  };
}

/** A request under /v1/Account/{authId}; answers the parsed JSON (or the body's bytes with `raw`), throws on an error status unless `accept` lists it. */
async function request(conn, credentials, method, pathname, body, { raw = false, accept = [] } = {}) {
  const json = body === undefined ? undefined : JSON.stringify(body);
  const res = await conn.send(method, `/v1/Account/${credentials.authId}${pathname}`, {
    authorization: `Basic ${Buffer.from(`${credentials.authId}:${credentials.authToken}`).toString('base64')}`,
    ...(json === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }),
  }, json);
  const ok = res.status >= 200 && res.status < 300;
  if (!ok && !accept.includes(res.status)) {
    const text = res.body.toString('utf8');
    let message = text;
    try {
      message = JSON.parse(text).error ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new SwitchboardTestError(`${method} ${pathname} answered ${res.status}: ${message}`, { status: res.status });
  }
  if (raw) return res.body;
  return res.status === 204 ? undefined : Object.assign(JSON.parse(res.body.toString('utf8')), { status: res.status });
}

// ---- the clock --------------------------------------------------------------------

function clockOf(conn, credentials) {
  const view = (v) => ({ mode: v.mode, now: v.epoch_ms });
  return {
    /** `{ mode, now }`: the platform's clock mode and time (epoch ms). */
    read: async () => view(await request(conn, credentials, 'GET', '/Sandbox/Clock/')),
    /** Virtual clock only: move platform time forward by `ms`. */
    advance: async (ms) => view(await request(conn, credentials, 'POST', '/Sandbox/Clock/Advance/', { ms })),
    /** Virtual clock only: run until no call of this account waits on a timer. */
    runUntilIdle: async () => view(await request(conn, credentials, 'POST', '/Sandbox/Clock/Advance/', { until_idle: true })),
  };
}

// ---- the sandbox -------------------------------------------------------------------

function sandboxOf(conn, credentials) {
  const api = (method, pathname, body, opts) => request(conn, credentials, method, pathname, body, opts);
  return {
    /** Set how a virtual phone behaves: `'busy'`, or `{ behaviour, ring_seconds, script, dtmf_mode }` (docs/sandbox-api.md). */
    phone: (number, behaviour = {}) => api('POST', '/Sandbox/Phone/', { number, ...(typeof behaviour === 'string' ? { behaviour } : behaviour) }),
    /**
     * Rent a number and point it at your application: `{ answerUrl, hangupUrl?, messageUrl?, country? }`.
     * Answers the number (digits only), ready for `call({ from, to: number })`.
     */
    number: async ({ answerUrl, hangupUrl, messageUrl, answerMethod = 'POST', country = 'US' }) => {
      // One request, one transaction: the first number for sale, rented, with a new application linked (POST …/Sandbox/Number/).
      const res = await api('POST', '/Sandbox/Number/', {
        answer_url: answerUrl,
        answer_method: answerMethod,
        country_iso: country,
        ...(hangupUrl ? { hangup_url: hangupUrl } : {}),
        ...(messageUrl ? { message_url: messageUrl } : {}),
      });
      return res.number;
    },
    /** A virtual phone calls one of your numbers or endpoints: `{ from, to, script?, dtmf_mode?, sip_headers?, caller_name? }`. */
    call: async (input) => callHandle(api, (await api('POST', '/Sandbox/Call/', input)).call_uuid),
    /** The far end of a call your application made (its request_uuid / call_uuid). */
    callOf: (callUuid) => callHandle(api, callUuid),
    /** What a virtual phone received by text, newest first. */
    inbox: async (number) => (await api('GET', `/Sandbox/Phone/${number.replace(/^\+/, '')}/Messages/?limit=20`)).objects,
    /** A virtual phone texts one of your numbers: `{ from, to, text }`; answers the message_uuid. */
    sendSms: async (input) => (await api('POST', '/Sandbox/Message/', input)).message_uuid,
  };
}

// ---- a call, seen from the virtual phone ---------------------------------------------------

function callHandle(api, callUuid) {
  const wait = async (until, text, opts = {}) => {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    const res = await api('POST', `/Sandbox/Call/${callUuid}/Wait/`, { until, ...(text ? { text } : {}), timeout_ms: timeoutMs }, { accept: [408] });
    if (res.status === 408) {
      const expected = until === 'hears' ? `hear "${text}"` : `be ${until}`;
      const limit = opts.timeoutMs === undefined ? `the default wait limit DEFAULT_WAIT_MS = ${DEFAULT_WAIT_MS} ms` : `timeoutMs = ${timeoutMs} ms`;
      const why = await diagnose(api, callUuid, res);
      throw new SwitchboardTestError(`call ${callUuid} did not ${expected} within ${timeoutMs} ms of platform time (${limit}).\n${why.text}`, {
        callUuid,
        expected,
        transcript: transcriptOf(res),
        ...why.details,
      });
    }
    delete res.api_id;
    delete res.status;
    return res;
  };
  return {
    callUuid,
    /** Resolves once the call is answered. */
    answered: (opts) => wait('answered', undefined, opts),
    /** Resolves once the phone has heard `text` (spoken or played by your application); throws with what it heard instead. */
    hears: (text, opts) => wait('hears', text, opts),
    /** Resolves with the transcript once the call has ended. */
    ended: (opts) => wait('ended', undefined, opts),
    /** The phone presses keys (0-9, *, #, A-D; w/W pause). */
    press: async (digits, { dtmfMode } = {}) => void (await api('POST', `/Sandbox/Call/${callUuid}/DTMF/`, { digits, ...(dtmfMode ? { dtmf_mode: dtmfMode } : {}) })),
    /** The phone speaks `text` (real audio your <Record> and <GetInput inputType="speech"> hear). */
    say: async (text) => void (await api('POST', `/Sandbox/Call/${callUuid}/Say/`, { text })),
    /** The phone hangs up. */
    hangup: async () => void (await api('POST', `/Sandbox/Call/${callUuid}/Hangup/`, {})),
    /** What the phone heard and did so far: `{ call_uuid, state, events }`. */
    transcript: async () => transcriptOf(await api('GET', `/Sandbox/Call/${callUuid}/Transcript/`)),
    /** What the phone received, as a WAV file (8 kHz, 16-bit mono). */
    audio: () => api('GET', `/Sandbox/Call/${callUuid}/Audio/`, undefined, { raw: true }),
    /** The call's debug log (webhooks, XML errors, state changes), oldest first. */
    log: () => callLog(api, callUuid),
  };
}

/** Every entry of a call's debug log, oldest first (read page by page: the API serves 20 at a time). */
async function callLog(api, callUuid) {
  const entries = [];
  for (;;) {
    const page = await api('GET', `/Call/${callUuid}/Log/?limit=20&offset=${entries.length}`, undefined, { accept: [404] });
    entries.push(...(page.objects ?? []));
    if (!page.meta?.next || !page.objects?.length) return entries;
  }
}

function transcriptOf(body) {
  return { call_uuid: body.call_uuid, state: body.state, events: body.events };
}

/** What a failed wait reports: the call's state and hangup cause, what the phone heard, the last webhooks and the XML errors. */
async function diagnose(api, callUuid, waited) {
  const [log, cdr] = await Promise.all([
    callLog(api, callUuid).catch(() => []),
    api('GET', `/Call/${callUuid}/`, undefined, { accept: [404] }).then((r) => (r.status === 404 ? undefined : r), () => undefined),
  ]);
  const webhooks = log.filter((e) => e.kind === 'webhook').slice(-5).map((e) => ({ hook: e.data?.hook, url: e.data?.url, status: e.data?.status ?? undefined, error: e.data?.error ?? undefined }));
  const xmlErrors = log.filter((e) => e.kind === 'error' || (e.kind === 'xml' && /error|invalid/i.test(e.message))).map((e) => e.message);
  const hangupCause = cdr?.hangup_cause_name ? `${cdr.hangup_cause_name} (${cdr.hangup_source ?? 'unknown source'})` : undefined;
  const heard = (waited.events ?? []).map(describeEvent).join(', ') || 'nothing';
  const lines = [
    `  state: ${waited.state}${hangupCause ? `, hangup cause: ${hangupCause}` : ''}`,
    `  the phone heard: ${heard}`,
    ...(xmlErrors.length ? ['  errors in the call log:', ...xmlErrors.map((m) => `    ${m}`)] : []),
    ...(webhooks.length
      ? ['  last webhooks:', ...webhooks.map((w) => `    ${w.hook ?? 'webhook'} ${w.url} → ${w.status ?? 'no answer'}${w.error ? ` (${w.error})` : ''}`)]
      : ['  no webhook was sent for this call']),
  ];
  return { text: lines.join('\n'), details: { state: waited.state, hangupCause, webhooks, xmlErrors } };
}

function describeEvent(e) {
  if (e.text) return `${e.type} "${e.text}"`;
  if (e.digits) return `${e.type} ${e.digits}`;
  return e.type;
}
