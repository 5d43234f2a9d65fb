// Sandbox fidelity end to end (issues 11, 15 and 21): what an application
// sees through the official SDK and its own webhooks when the platform's
// documented limits and values apply. One server process on a virtual clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { voiceSuite } from './suite.ts';

const CALLER_ID = '14155550123';

describe('sandbox fidelity', () => {
  const line = voiceSuite({ phoneBase: 900 });

  const place = async (to: string, answer: string, extra: Record<string, unknown> = {}) => {
    const made = await line.client.calls.create(CALLER_ID, to, `${line.app.origin}${answer}`, { hangupUrl: `${line.app.origin}/hangup`, ...extra });
    return made.requestUuid as string;
  };
  const hangupOf = async (uuid: string) => (await line.app.next('/hangup', (r) => r.params.CallUUID === uuid)).params;
  const callLog = async (uuid: string) => {
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/?limit=20&offset=0`);
    return ((await res.json()) as { objects: Array<{ kind: string; message: string; data: Record<string, unknown> }> }).objects;
  };

  test('a Redirect to itself ends the call after 10 hops, with a log entry saying why (#11.6)', async () => {
    line.app.routes.set('/loop', () => `<Response><Redirect>${line.app.origin}/loop</Redirect></Response>`);
    const uuid = await place(line.phone(), '/loop');
    await line.sandbox.wait(uuid, 'ended');
    const h = await hangupOf(uuid);
    assert.equal(h.HangupCauseCode, '7014');
    assert.equal(h.HangupSource, 'Error');
    assert.equal(line.app.received.filter((r) => r.path === '/loop' && r.params.CallUUID === uuid).length, 11);
    assert.ok((await callLog(uuid)).some((e) => e.kind === 'error' && /redirect loop/.test(e.message)));
    assert.equal((await line.client.calls.get(uuid)).hangupCauseCode, 7014);
  });
});
