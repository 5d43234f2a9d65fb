// The supported way to point the official SDK at Switchboard, imported the
// way an application imports it (the package's own `switchboard/sdk` export).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { pointPlivoAt, switchboardClient } from 'switchboard/sdk';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server?.stop());

test('voice requests (hard-coded to the platform host by the SDK) and account requests both reach Switchboard', async () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const client: any = switchboardClient(plivo, { authId: server.authId, authToken: server.authToken, baseUrl: server.url + '/' });
  const app = await client.applications.create('pointed', { answerUrl: 'https://example.com/a' }); // voice request
  const account = await client.accounts.get(); // uses the client's url option
  assert.match(app.appId, /^\d+$/);
  assert.equal(account.resourceUri, `/v1/Account/${server.authId}/`);
});

test('pointPlivoAt returns the url option for clients built by hand', async () => {
  const option = pointPlivoAt({ authId: server.authId, baseUrl: server.url });
  assert.equal(option.url, `${server.url}/v1/Account/${server.authId}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const client: any = new plivo.Client(server.authId, server.authToken, option);
  const list = await client.applications.list({ limit: 1 });
  assert.equal(list.meta.limit, 1);
});
