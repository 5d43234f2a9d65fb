/** How long a wait may take, in platform milliseconds, unless `{ timeoutMs }` says otherwise (10,000). */
export const DEFAULT_WAIT_MS: number;

export interface StartOptions {
  /** `virtual` (default: time moves only while a test waits), `real` or `scaled`. */
  clock?: 'virtual' | 'real' | 'scaled';
  /** `in-process` (default; under jest, which refuses module hooks, `child`) or `child`: run `switchboard serve` as a child process. */
  process?: 'in-process' | 'child';
  /** Keep the store here instead of a throw-away temporary directory. */
  dataDir?: string;
  /** postgres://… to run on PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** The server's pino log level (default `warn`: each call your application made fail is one readable line, `call <uuid>: …`, on the test's output). */
  logLevel?: string;
  /** Extra environment for the server (the settings of the README's "Configuration"; `LOG_FORMAT: 'json'` for JSON log lines). */
  env?: Record<string, string>;
}

export interface WaitOptions {
  /** Platform milliseconds (default DEFAULT_WAIT_MS). */
  timeoutMs?: number;
}

export interface TranscriptEvent {
  type: string;
  at_ms: number;
  text?: string;
  digits?: string;
  [field: string]: unknown;
}

export interface Transcript {
  call_uuid: string;
  /** ringing, early-media, in-progress or completed. */
  state: string;
  events: TranscriptEvent[];
}

export interface CallLogEntry {
  sequence: number;
  call_uuid: string;
  time: string;
  epoch_ms: number;
  kind: string;
  message: string;
  data: Record<string, unknown> | null;
}

/** A call seen from its virtual phone. */
export interface CallHandle {
  readonly callUuid: string;
  answered(opts?: WaitOptions): Promise<Transcript>;
  hears(text: string, opts?: WaitOptions): Promise<Transcript>;
  ended(opts?: WaitOptions): Promise<Transcript>;
  press(digits: string, opts?: { dtmfMode?: 'rfc4733' | 'inband' | 'both' }): Promise<void>;
  say(text: string): Promise<void>;
  hangup(): Promise<void>;
  transcript(): Promise<Transcript>;
  /** What the phone received, as a WAV file. */
  audio(): Promise<Buffer>;
  /** The call's debug log, oldest first. */
  log(): Promise<CallLogEntry[]>;
}

export interface PhoneBehaviour {
  behaviour?: 'answer' | 'busy' | 'no_answer' | 'reject' | 'machine' | 'unreachable';
  ring_seconds?: number;
  script?: Array<Record<string, unknown>>;
  dtmf_mode?: 'rfc4733' | 'inband' | 'both';
}

export interface Sandbox {
  phone(number: string, behaviour?: PhoneBehaviour | PhoneBehaviour['behaviour']): Promise<Record<string, unknown>>;
  /** Rent a number and attach a new application with these URLs; answers the number. */
  number(app: { answerUrl: string; hangupUrl?: string; messageUrl?: string; answerMethod?: 'GET' | 'POST'; country?: string }): Promise<string>;
  call(input: { from: string; to: string; script?: Array<Record<string, unknown>>; dtmf_mode?: string; sip_headers?: Record<string, string>; caller_name?: string }): Promise<CallHandle>;
  /** The far end of a call your application made. */
  callOf(callUuid: string): CallHandle;
  inbox(number: string): Promise<Array<Record<string, unknown>>>;
  sendSms(input: { from: string; to: string; text?: string; type?: 'sms' | 'mms'; media_urls?: string[] }): Promise<string>;
}

export interface SwitchboardClock {
  read(): Promise<{ mode: string; now: number }>;
  advance(ms: number): Promise<{ mode: string; now: number }>;
  runUntilIdle(): Promise<{ mode: string; now: number }>;
}

export interface TestAccount {
  authId: string;
  authToken: string;
  /** A `plivo.Client` pointed at the server (undefined when the application has no `plivo` package). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any;
  /** A `plivo.PhloClient` pointed at the server. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  phloClient: any;
  sandbox: Sandbox;
  /** This account's platform time: on the virtual clock each subaccount keeps its own (tests in their own subaccounts run at once without moving each other's time). */
  clock: SwitchboardClock;
}

export interface Switchboard extends TestAccount {
  url: string;
  /** A fresh subaccount: its own credentials, clients, sandbox view and (on the virtual clock) its own time. */
  account(name?: string): Promise<TestAccount>;
  stop(): Promise<void>;
}

export class SwitchboardTestError extends Error {
  callUuid?: string;
  expected?: string;
  transcript?: Transcript;
  state?: string;
  hangupCause?: string;
  webhooks?: Array<{ url?: string; status?: number; error?: string; hook?: string }>;
  xmlErrors?: string[];
  status?: number;
}

export function startSwitchboard(options?: StartOptions): Promise<Switchboard>;
