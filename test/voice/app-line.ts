// The set-up of end-to-end tests that receive calls: a server on a virtual
// clock, a customer's answer server, and a bought number whose application
// answers at `answerPath` of it.
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { answerServer, sandboxOf, type AnswerServer } from './fixtures.ts';

export interface AppLine {
  server: TestServer;
  app: AnswerServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any;
  sandbox: ReturnType<typeof sandboxOf>;
  number: string;
  close(): Promise<void>;
}

export async function appLine(answerPath: string): Promise<AppLine> {
  const server = await startTestServer({ clock: 'virtual' });
  const app = await answerServer();
  const client = server.client();
  const { appId } = await client.applications.create('Line', { answerUrl: `${app.origin}${answerPath}` });
  const [{ number }] = await client.numbers.search('US', { limit: 1, services: 'voice' });
  await client.numbers.buy(number, appId);
  return {
    server,
    app,
    client,
    sandbox: sandboxOf(server),
    number,
    async close() {
      await server.stop();
      await app.close();
    },
  };
}
