// A subaccount's history (calls, their debug logs, recordings) is the main
// account's record of what it paid for: deleting the subaccount, even with
// cascade, moves that history to the main account instead of deleting it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { voiceSuite } from '../voice/suite.ts';

const CALLER_ID = '14155550123';

for (const db of databases) {
  describe(`history outlives its subaccount (${db.name})`, { skip: db.skip }, () => {
    const line = voiceSuite({ db: db.name, phoneBase: 960, routes: { '/hi': '<Response><Speak>Hi</Speak><Record maxLength="2" playBeep="false"/></Response>' } });

    test('deleting a subaccount with cascade keeps its calls, call logs and recordings under the main account', async () => {
      const sub = await line.client.subaccounts.create('Short-lived', true);
      const subClient = line.server.client({ authId: sub.authId, authToken: sub.authToken });
      const to = line.phone();
      await line.sandbox.phone(to, { script: [{ on_hear: 'Hi', action: 'say', text: 'a short message' }] });
      const made = await subClient.calls.create(CALLER_ID, to, `${line.app.origin}/hi`);
      await line.sandbox.wait(made.requestUuid, 'ended');
      const recordings = async () => (await line.client.recordings.list({ callUuid: made.requestUuid })) as Array<{ recordingId: string }>;
      assert.equal((await recordings()).length, 1);

      assert.equal(await line.client.subaccounts.delete(sub.authId, true), true);
      const cdr = await line.client.calls.get(made.requestUuid);
      assert.equal(cdr.callUuid, made.requestUuid);
      assert.equal(cdr.subaccount ?? null, null, 'the call now belongs to the main account itself');
      assert.equal((await recordings()).length, 1, 'the recording is kept');
      const log = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${made.requestUuid}/Log/`);
      assert.equal(log.status, 200, 'the call log is kept');
    });
  });
}
