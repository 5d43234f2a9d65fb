// The set-up every end-to-end voice test shares: a server process (on a
// virtual clock unless told otherwise, so no test sleeps), a customer's
// answer server, the official SDK and the sandbox API of the account, and,
// when asked, a bought number whose application answers at a path of the
// answer server. Called in a describe (or at the top of a file) it registers
// the before/after hooks there and returns the context they fill, so read it
// only inside tests and hooks.
import { after, before } from 'node:test';
import { startTestServer, type ServerOptions, type TestServer } from '../helpers/server.ts';
import { answerServer, sandboxOf, type AnswerServer, type Reply, type Route } from './fixtures.ts';

export interface VoiceSuiteOptions extends ServerOptions {
  /** What the answer server serves from the start. */
  routes?: Record<string, Route | Reply>;
  /** Buy a number (`number`) whose application answers at this path of the answer server. */
  answerPath?: string;
  /** The first of the suite's fresh phone numbers, 1415555 then phoneBase + n in four digits. */
  phoneBase?: number;
}

export interface VoiceSuite {
  server: TestServer;
  app: AnswerServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any;
  sandbox: ReturnType<typeof sandboxOf>;
  /** The number bought for `answerPath`. */
  number: string;
  /** A fresh virtual phone number per call, so tests do not see each other's calls. */
  phone(): string;
}

export function voiceSuite({ routes, answerPath, phoneBase = 0, ...serverOptions }: VoiceSuiteOptions = {}): VoiceSuite {
  let phones = 0;
  // The rest is filled by the before hook, which runs ahead of every test.
  const suite = { phone: () => `1415555${String(phoneBase + phones++).padStart(4, '0')}` } as VoiceSuite;
  before(async () => {
    suite.server = await startTestServer({ clock: 'virtual', ...serverOptions });
    suite.app = await answerServer(routes);
    suite.client = suite.server.client();
    suite.sandbox = sandboxOf(suite.server);
    if (answerPath === undefined) return;
    const { appId } = await suite.client.applications.create('Line', { answerUrl: `${suite.app.origin}${answerPath}` });
    const [{ number }] = await suite.client.numbers.search('US', { limit: 1, services: 'voice' });
    await suite.client.numbers.buy(number, appId);
    suite.number = number;
  });
  after(async () => {
    await suite.server?.stop();
    await suite.app?.close();
  });
  return suite;
}
