// A conference bridge written for the real platform, run unchanged against
// a Switchboard server on a virtual clock: three callers dial in, hear each
// other through the mixer, one is muted and one deafened through the
// Conference API, one is kicked (and goes on with its XML), and the
// conference is recorded.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const ALICE = '14155550301';
const BOB = '14155550302';
const CAROL = '14155550303';

describe('a conference bridge through the SDK and the sandbox', () => {
  const line = voiceSuite({ answerPath: '/bridge' });
  before(() => {
    line.app.routes.set('/bridge', `<Response><Conference callbackUrl="${line.app.origin}/events" enterSound="beep:1">Team</Conference><Speak>You have left the conference</Speak></Response>`);
  });

  test('muted members are not heard, deaf members hear nothing; kick and record through the API', async () => {
    const alice = await line.sandbox.callIn(ALICE, line.number);
    const bob = await line.sandbox.callIn(BOB, line.number);
    const carol = await line.sandbox.callIn(CAROL, line.number);
    for (const c of [alice, bob, carol]) await line.sandbox.wait(c, 'answered');
    for (const c of [alice, bob, carol]) await line.app.next('/events', (r) => r.params.CallUUID === c && r.params.ConferenceAction === 'enter');

    const conf = await line.client.conferences.get('Team');
    assert.equal(conf.conferenceName, 'Team');
    assert.equal(conf.conferenceMemberCount, '3');
    const idOf = (uuid: string) => conf.members.find((m: { callUuid: string }) => m.callUuid === uuid).memberId as string;
    assert.deepEqual((await line.client.conferences.list()).conferences, ['Team']);

    const rec = await line.client.conferences.record('Team', { fileFormat: 'wav' });
    assert.equal(rec.message, 'conference recording started');
    assert.match(rec.recordingId, /^[0-9a-f-]{36}$/);
    const muted = await line.client.conferences.muteMember('Team', idOf(carol));
    assert.equal(muted.message, 'muted');
    await line.client.conferences.deafMember('Team', idOf(bob));

    await line.sandbox.say(alice, 'Alice speaking to everyone');
    await line.sandbox.wait(carol, 'hears', 'Alice speaking to everyone');
    await line.sandbox.say(carol, 'Carol is muted');
    await line.sandbox.say(bob, 'Bob talks while deaf');
    await line.sandbox.wait(alice, 'hears', 'Bob talks while deaf');
    await line.sandbox.wait(carol, 'hears', 'Bob talks while deaf');

    assert.deepEqual(spoken(await line.sandbox.transcript(alice)), ['Bob talks while deaf'], 'Alice hears Bob, not the muted Carol');
    assert.deepEqual(spoken(await line.sandbox.transcript(carol)), ['Alice speaking to everyone', 'Bob talks while deaf']);
    assert.deepEqual(spoken(await line.sandbox.transcript(bob)), [], 'deaf Bob hears nobody');

    const kicked = await line.client.conferences.kickMember('Team', idOf(carol));
    assert.equal(kicked.message, 'kicked');
    await line.sandbox.wait(carol, 'hears', 'You have left the conference');
    const exit = await line.app.next('/events', (r) => r.params.CallUUID === carol && r.params.ConferenceAction === 'exit');
    assert.equal(exit.params.ConferenceName, 'Team');
    assert.equal((await line.client.conferences.get('Team')).conferenceMemberCount, '2');

    await line.client.conferences.stopRecording('Team');
    const recording = await line.client.recordings.get(rec.recordingId);
    assert.equal(recording.conferenceName, 'Team');
    assert.equal(recording.recordingType, 'conference');
    assert.ok(Number(recording.recordingDurationMs) > 2000, `recorded the talk (${recording.recordingDurationMs} ms)`);

    await line.client.conferences.hangup('Team');
    for (const c of [alice, bob]) await line.sandbox.wait(c, 'ended');
    assert.deepEqual((await line.client.conferences.list()).conferences, []);
  });
});
