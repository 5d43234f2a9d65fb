// A contact-center flow written for the real platform with multiparty calls,
// run unchanged against a Switchboard server on a virtual clock: a customer
// calls in and waits in an MPC, the app dials an agent and a coaching
// supervisor into it, puts the customer on hold (hold music audible) and
// back, records with a pause (and the agent alone, in a participant-level
// recording), and ends the MPC. An MPC created by Add Participant reports
// its own start, announces its recording starting and stopping, and records
// a participant's track as asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderTone } from '../../../src/media/tones.ts';
import { readWav, writeWav } from '../../../src/media/wav.ts';
import { spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';
import { assertEvery } from '../../helpers/assert.ts';

const CUSTOMER = '14155550501';
const AGENT = '14155550502';
const SUPERVISOR = '14155550503';

describe('a multiparty call through the SDK and the sandbox', () => {
  const line = voiceSuite({ answerPath: '/support' });
  let files: http.Server;
  let holdUrl: string;

  before(async () => {
    const wav = Buffer.from(writeWav(renderTone([440], 0.2, 2000, false)));
    files = http.createServer((_req, res) => void res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav));
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    holdUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/hold.wav`;
    const o = line.app.origin;
    line.app.routes.set(
      '/support',
      `<Response><MultiPartyCall role="customer" statusCallbackUrl="${o}/mpc" statusCallbackEvents="mpc-state-changes,participant-state-changes,participant-speak-events" customerHoldMusicUrl="${o}/hold-music" stayAlone="true">Support</MultiPartyCall><Speak>Thank you for calling</Speak></Response>`,
    );
    line.app.routes.set('/hold-music', `<Response><Speak>Please hold</Speak><Play>${holdUrl}</Play></Response>`);
  });
  after(() => new Promise((resolve) => files?.close(resolve)));

  const now = async () => (await line.sandbox.clock()).epoch_ms as number;
  const event = (name: string) => line.app.next('/mpc', (r) => r.params.EventName === name);

  test('customer, agent and coaching supervisor; hold with music; one recording across a pause', async () => {
    const customer = await line.sandbox.callIn(CUSTOMER, line.number);
    await event('ParticipantJoin');

    const agentAdded = await line.client.multiPartyCalls.addParticipant('agent', { friendlyName: 'Support', from: line.number, to: AGENT });
    assert.equal(agentAdded.message, 'add participant action initiated');
    const agent = agentAdded.calls[0].callUuid as string;
    const supervisor = (await line.client.multiPartyCalls.addParticipant('supervisor', { friendlyName: 'Support', from: line.number, to: SUPERVISOR })).calls[0].callUuid as string;
    await line.sandbox.wait(agent, 'answered');
    await line.sandbox.wait(supervisor, 'answered');
    await line.app.next('/mpc', (r) => r.params.EventName === 'ParticipantJoin' && r.params.ParticipantRole === 'Supervisor');

    const participants = await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Support' });
    // Both MPC lists carry meta.count, as the spec's examples show.
    assert.equal(participants.meta.count, 3);
    assert.equal(participants.objects.length, 3);
    const mpcs = await line.client.multiPartyCalls.list({ friendlyName: 'Support' });
    assert.equal(mpcs.meta.count, 1);
    const idOf = (uuid: string) => participants.objects.find((p: { callUuid: string }) => p.callUuid === uuid).memberId as string;
    const sup = participants.objects.find((p: { role: string }) => p.role === 'supervisor');
    assert.equal(sup.coachMode, true, 'supervisors join in coach mode');

    const startedAt = await now();
    const rec = await line.client.multiPartyCalls.startRecording({ friendlyName: 'Support', fileFormat: 'wav' });
    assert.equal(rec.message, 'MPC: Support record started');
    // The agent's own voice in a file of its own, through the pause of the MPC's recording.
    const agentRec = await line.client.multiPartyCalls.startParticipantRecording(idOf(agent), {
      friendlyName: 'Support',
      fileFormat: 'wav',
      recordTrackType: 'participant',
    });
    assert.equal(agentRec.message, 'MPC: Support record started');

    await line.sandbox.say(supervisor, 'Offer the customer a discount');
    await line.sandbox.say(customer, 'My order never arrived');
    await line.sandbox.wait(agent, 'hears', 'Offer the customer a discount');
    await line.sandbox.wait(agent, 'hears', 'My order never arrived');
    await line.sandbox.wait(supervisor, 'hears', 'My order never arrived');
    assert.deepEqual(spoken(await line.sandbox.transcript(customer)), [], 'the coaching supervisor is not heard by the customer');

    const pausedAt = await now();
    await line.client.multiPartyCalls.pauseRecording({ friendlyName: 'Support' });
    const held = await line.client.multiPartyCalls.updateParticipant(idOf(customer), { friendlyName: 'Support', hold: true });
    assert.equal(held.hold, 'MPC: Support hold/unhold member(s) succeeded');
    await line.sandbox.wait(customer, 'hears', 'Please hold');
    await line.sandbox.say(agent, 'The customer cannot hear this');
    await line.sandbox.wait(supervisor, 'hears', 'The customer cannot hear this');
    await line.sandbox.advance({ ms: 3000 });
    const onHold = await line.sandbox.transcript(customer);
    assert.ok(onHold.events.some((e) => e.type === 'play' && e.url === holdUrl), 'the customer hears the hold music');
    assert.ok(!spoken(onHold).includes('The customer cannot hear this'));

    await line.client.multiPartyCalls.updateParticipant(idOf(customer), { friendlyName: 'Support', hold: false });
    const resumedAt = await now();
    await line.client.multiPartyCalls.resumeRecording({ friendlyName: 'Support' });
    await line.sandbox.say(agent, 'Your refund is on its way');
    await line.sandbox.wait(customer, 'hears', 'Your refund is on its way');
    const stoppedAt = await now();
    await line.client.multiPartyCalls.stopRecording({ friendlyName: 'Support' });
    await line.client.multiPartyCalls.stopParticipantRecording(idOf(agent), { friendlyName: 'Support', recordTrackType: 'participant' });

    const recording = await line.client.recordings.get(rec.recordingId);
    // The SDK's recording object leaves mpc_name out; the API has it.
    const raw = (await (await line.server.fetch(`/v1/Account/${line.server.authId}/Recording/${rec.recordingId}/`)).json()) as Record<string, string>;
    assert.equal(raw.mpc_name, 'Support');
    const expected = pausedAt - startedAt + (stoppedAt - resumedAt);
    assert.ok(Math.abs(Number(recording.recordingDurationMs) - expected) <= 40, `one file of the recorded spans: ${recording.recordingDurationMs} ms, expected ${expected} ms`);
    const file = await line.server.fetch(new URL(rec.recordingUrl).pathname);
    const audio = readWav(new Uint8Array(await file.arrayBuffer()));
    assert.ok(Math.abs(audio.length / 8 - expected) <= 40, 'the file lasts as long');

    const agentAudio = readWav(new Uint8Array(await (await line.server.fetch(new URL(agentRec.recordingUrl).pathname)).arrayBuffer()));
    assert.ok(Math.abs(agentAudio.length / 8 - (stoppedAt - startedAt)) <= 40, `the agent's recording runs start to stop: ${agentAudio.length / 8} ms, expected ${stoppedAt - startedAt} ms`);
    assert.ok(agentAudio.some((x) => x !== 0), "the agent's recording holds the agent's voice");
    assert.equal(Number((await line.client.recordings.get(agentRec.recordingId)).recordingDurationMs), agentAudio.length / 8);

    // The SDK refuses a local callback URL, so the callbacks are checked through the raw API: both tracks, paused, stopped.
    const customerRecord = `/v1/Account/${line.server.authId}/MultiPartyCall/name_Support/Participant/${idOf(customer)}/Record/`;
    const started = await line.server.fetch(customerRecord, { method: 'POST', json: { record_track_type: 'both', recording_callback_url: `${line.app.origin}/customer-recording` } });
    assert.equal(started.status, 200);
    assert.equal((await line.server.fetch(`${customerRecord}Pause/`, { method: 'POST', json: { record_track_type: 'participant' } })).status, 204);
    assert.equal((await line.server.fetch(customerRecord, { method: 'DELETE', json: { record_track_type: 'both' } })).status, 204);
    const customerEvent = (name: string) => line.app.next('/customer-recording', (r) => r.params.EventName === name);
    const paused = await customerEvent('ParticipantRecordingPaused');
    assert.equal(paused.params.MemberID, idOf(customer));
    await customerEvent('ParticipantRecordingCompleted');
    const again = await line.server.fetch(customerRecord, { method: 'DELETE', json: { record_track_type: 'all' } });
    assert.equal(again.status, 400, 'nothing left to stop');

    // A second agent added with a call status URL hears of each step of its leg.
    const added = await line.server.fetch(`/v1/Account/${line.server.authId}/MultiPartyCall/name_Support/Participant/`, {
      method: 'POST',
      json: { role: 'agent', from: line.number, to: '14155550504', call_status_callback_url: `${line.app.origin}/agent2-status` },
    });
    assert.equal(added.status, 201);
    const agent2 = ((await added.json()) as { calls: Array<{ call_uuid: string }> }).calls[0]!.call_uuid;
    await line.sandbox.wait(agent2, 'answered');
    const legStatus = async (name: string) => (await line.app.next('/agent2-status', (r) => r.params.EventName === name)).params;
    for (const name of ['Initiated', 'Ringing', 'Answered']) assert.equal((await legStatus(name)).To, '14155550504');

    // Kicked out, the second agent stays readable with its exit time and cause.
    await line.sandbox.advance({ ms: 1000 });
    const agent2Id = (await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Support', callUuid: agent2 })).objects[0].memberId as string;
    await line.client.multiPartyCalls.kickParticipant(agent2Id, { friendlyName: 'Support' });
    await line.sandbox.wait(agent2, 'ended');
    const kicked = await line.client.multiPartyCalls.getParticipant(agent2Id, { friendlyName: 'Support' });
    assert.equal(kicked.exitCause, 'Kicked Out of Multiparty Call');
    assert.match(kicked.exitTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/);
    assert.equal(typeof kicked.duration, 'number');

    // No agent hold music URL: the supervisor on hold hears the built-in tune.
    await line.client.multiPartyCalls.updateParticipant(idOf(supervisor), { friendlyName: 'Support', hold: true });
    await line.sandbox.advance({ ms: 1000 });
    const supervisorHeld = (await line.sandbox.transcript(supervisor)).events as Array<{ type: string; name?: string }>;
    assert.ok(supervisorHeld.some((e) => e.type === 'tone' && e.name === 'hold-music'), 'the default hold music');

    const mpc = await line.client.multiPartyCalls.get({ friendlyName: 'Support' });
    assert.equal(mpc.status, 'Active');
    await line.client.multiPartyCalls.stop({ friendlyName: 'Support' });
    await line.sandbox.wait(customer, 'hears', 'Thank you for calling');
    await line.sandbox.wait(agent, 'ended');
    await line.sandbox.wait(supervisor, 'ended');

    const ended = await line.client.multiPartyCalls.get({ uuid: mpc.mpcUuid });
    assert.equal(ended.status, 'Ended');
    assert.equal(ended.terminationCauseCode, 3000);
    // An ended MPC is read by its name too (the latest of that name), and so are its participants, with how each left.
    assert.equal((await line.client.multiPartyCalls.get({ friendlyName: 'Support' })).mpcUuid, mpc.mpcUuid);
    const left = (await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Support' })).objects as Array<{ memberId: string; exitCause: string; exitTime: string }>;
    assert.equal(left.length, 4);
    assert.ok(left.every((p) => p.exitTime), 'every participant has left');
    assert.deepEqual(
      left.map((p) => p.exitCause).sort(),
      ['Kicked Out of Multiparty Call', 'Multiparty Call Ended', 'Multiparty Call Ended', 'Multiparty Call Ended'],
    );
    assert.equal((await line.client.multiPartyCalls.getParticipant(idOf(customer), { uuid: mpc.mpcUuid })).exitCause, 'Multiparty Call Ended');
    const names = new Set(line.app.received.filter((r) => r.path === '/mpc').map((r) => r.params.EventName));
    for (const e of ['MPCInitialized', 'MPCStart', 'ParticipantJoin', 'ParticipantHold', 'ParticipantUnhold', 'ParticipantSpeakStart', 'ParticipantSpeakStop', 'ParticipantExit']) assert.ok(names.has(e), `status callback ${e}`);
    await event('MPCEnd');
    const agentCdr = await line.client.calls.get(agent);
    assert.equal(agentCdr.hangupCauseCode, 4020);
  });

  test('an MPC created by Add Participant: its callbacks, recording announced, the participant track recorded, one sequence', async () => {
    const CALLER = '14155550505';
    const AGENT2 = '14155550506';
    // The SDK wants a dotted name in every URL; these local paths carry one.
    const o = `${line.app.origin}/recorded`;
    line.app.routes.set('/recorded/start.xml', '<Response><Speak>This call is now recorded</Speak></Response>');
    line.app.routes.set('/recorded/stop.xml', '<Response><Speak>Recording has stopped</Speak></Response>');
    const added = await line.client.multiPartyCalls.addParticipant('customer', {
      friendlyName: 'Recorded',
      from: line.number,
      to: CALLER,
      statusCallbackUrl: `${o}/status.json`,
      record: true,
      recordFileFormat: 'wav',
      recordingCallbackUrl: `${o}/recording.json`,
      startRecordingAudio: `${o}/start.xml`,
      stopRecordingAudio: `${o}/stop.xml`,
      recordParticipantTrack: true,
    });
    const customer = added.calls[0].callUuid as string;
    await line.sandbox.wait(customer, 'answered');
    const status = async (name: string, pred: (p: Record<string, string>) => boolean = () => true) =>
      (await line.app.next('/recorded/status.json', (r) => r.params.EventName === name && pred(r.params))).params;
    const recording = async (name: string) => (await line.app.next('/recorded/recording.json', (r) => r.params.EventName === name)).params;

    // The participant that created the MPC is reported like any other.
    assert.equal((await status('MPCInitialized')).MPCName, 'Recorded');
    await status('MPCStart');
    const joined = await status('ParticipantJoin');
    assert.equal(joined.ParticipantCallUUID, customer);
    assert.equal(joined.ParticipantRole, 'Customer');

    // record: the MPC recording starts as the customer enters, announced by startRecordingAudio; recordParticipantTrack records its own voice too.
    await line.sandbox.wait(customer, 'hears', 'This call is now recorded');
    const mpcStarted = await recording('MPCRecordingInitiated');
    const trackStarted = await recording('ParticipantRecordingInitiated');
    assert.equal(trackStarted.MemberID, joined.MemberID);
    assert.notEqual(trackStarted.RecordingUUID, mpcStarted.RecordingUUID);
    const trackFrom = await now();

    const agent = (await line.client.multiPartyCalls.addParticipant('agent', { friendlyName: 'Recorded', from: line.number, to: AGENT2 })).calls[0].callUuid as string;
    await line.sandbox.wait(agent, 'answered');
    await status('ParticipantJoin', (p) => p.ParticipantCallUUID === agent);
    await line.sandbox.say(customer, 'I would like to cancel my plan');
    await line.sandbox.wait(agent, 'hears', 'I would like to cancel my plan');

    // Stopping the recording is announced to everyone by stopRecordingAudio.
    await line.client.multiPartyCalls.stopRecording({ friendlyName: 'Recorded' });
    await line.sandbox.wait(customer, 'hears', 'Recording has stopped');
    await line.sandbox.wait(agent, 'hears', 'Recording has stopped');
    assert.ok(!spoken(await line.sandbox.transcript(agent)).includes('This call is now recorded'), 'the start was announced before the agent joined');
    const mpcDone = await recording('MPCRecordingCompleted');
    assert.equal(mpcDone.RecordingUUID, mpcStarted.RecordingUUID);

    // The participant track is not the MPC recording's: it runs on until the participant leaves.
    await line.sandbox.advance({ ms: 2000 });
    const endedAt = await now();
    await line.client.multiPartyCalls.stop({ friendlyName: 'Recorded' });
    await line.sandbox.wait(customer, 'ended');
    await line.sandbox.wait(agent, 'ended');
    const trackDone = await recording('ParticipantRecordingCompleted');
    assert.equal(trackDone.RecordingUUID, trackStarted.RecordingUUID);
    const wav = async (url: string) => readWav(new Uint8Array(await (await line.server.fetch(new URL(url).pathname)).arrayBuffer()));
    const track = await wav(trackDone.RecordingURL!);
    assert.ok(track.some((x) => x !== 0), "the track holds the customer's voice");
    assert.ok(track.length / 8 >= endedAt - trackFrom, `the track runs until the MPC ends: ${track.length / 8} ms`);
    assert.ok(track.length / 8 >= (await wav(mpcDone.RecordingURL!)).length / 8 + 2000, 'and past the MPC recording');
    assert.ok(Math.abs(Number((await line.client.recordings.get(trackDone.RecordingUUID)).recordingDurationMs) - track.length / 8) < 1, 'a Recording of its own');

    // Every documented parameter of both recording callbacks; one SequenceNumber count across status and recording callbacks.
    const documented = ['EventName', 'EventTimestamp', 'RecordingDuration', 'RecordingEndTime', 'RecordingFormat', 'RecordingResourceURL', 'RecordingStartTime', 'RecordingURL', 'RecordingUUID', 'SequenceNumber'];
    for (const key of [...documented, 'MPCName', 'MPCUUID']) assert.ok(key in mpcDone, `MPC recording callback ${key}`);
    for (const key of [...documented, 'MemberID']) assert.ok(key in trackDone, `participant recording callback ${key}`);
    const sent = line.app.received.filter((r) => r.path === '/recorded/status.json' || r.path === '/recorded/recording.json').map((r) => Number(r.params.SequenceNumber));
    assertEvery(sent, (n) => Number.isInteger(n) && n > 0, 'sequence numbers are positive integers');
    assert.equal(new Set(sent).size, sent.length, 'no number twice');
    assert.ok(Number(mpcStarted.SequenceNumber) < Number(mpcDone.SequenceNumber) && Number(trackStarted.SequenceNumber) < Number(trackDone.SequenceNumber));
  });

  test('delay_dial: the participant is dialled only after the delay, on the platform clock', async () => {
    const before = await now();
    const added = await line.client.multiPartyCalls.addParticipant('agent', { friendlyName: 'Delayed', from: line.number, to: AGENT, delayDial: 7 });
    const agent = added.calls[0].callUuid as string;
    await line.sandbox.wait(agent, 'answered');
    assert.ok((await now()) - before >= 7000, 'not dialled before the delay');
    await line.client.multiPartyCalls.stop({ friendlyName: 'Delayed' });
    await line.sandbox.wait(agent, 'ended');
  });

  test('several destinations: the first to answer joins, the others are hung up with the cause LOST RACE (#21.13)', async () => {
    const slow = '14155550505';
    await line.sandbox.phone(slow, { behaviour: 'no_answer', ring_seconds: 600 });
    const added = await line.server.fetch(`/v1/Account/${line.server.authId}/MultiPartyCall/name_Race/Participant/`, {
      method: 'POST',
      json: { role: 'agent', from: line.number, to: `${AGENT}<${slow}`, call_status_callback_url: `${line.app.origin}/race-status` },
    });
    assert.equal(added.status, 201);
    const [first, second] = ((await added.json()) as { calls: Array<{ call_uuid: string }> }).calls.map((c) => c.call_uuid);
    await line.sandbox.wait(second!, 'ended');
    const lost = (await line.app.next('/race-status', (r) => r.params.EventName === 'Hangup' && r.params.CallUUID === second)).params;
    assert.deepEqual([lost.PlivoHangupCause, lost.PlivoHangupCauseCode], ['LOST RACE', '1000']);
    assert.deepEqual((await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Race' })).objects.map((p: { callUuid: string }) => p.callUuid), [first]);
    await line.client.multiPartyCalls.stop({ friendlyName: 'Race' });
    await line.sandbox.wait(first!, 'ended');
  });

  test('confirm_key: the agent who presses it joins; one who never does is hung up with cause 9110', async () => {
    const added = await line.server.fetch(`/v1/Account/${line.server.authId}/MultiPartyCall/name_Confirmed/Participant/`, {
      method: 'POST',
      json: { role: 'agent', from: line.number, to: AGENT, confirm_key: '5' },
    });
    assert.equal(added.status, 201);
    const agent = ((await added.json()) as { calls: Array<{ call_uuid: string }> }).calls[0]!.call_uuid;
    await line.sandbox.wait(agent, 'answered');
    await line.sandbox.advance({ ms: 3000 });
    const prompt = (await line.sandbox.transcript(agent)).events as Array<{ type: string; text?: string }>;
    assert.ok(prompt.some((e) => e.type === 'speak' && e.text === 'Please enter 5 to accept the call.'), 'the documented prompt');
    assert.equal((await line.server.fetch(`/v1/Account/${line.server.authId}/MultiPartyCall/name_Confirmed/`)).status, 404, 'nobody joined before pressing the key');
    await line.sandbox.dtmf(agent, '5');
    await line.sandbox.advance({ ms: 1000 });
    const joined = await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Confirmed' });
    assert.deepEqual(joined.objects.map((p: { callUuid: string }) => p.callUuid), [agent]);

    const silent = (await line.client.multiPartyCalls.addParticipant('agent', { friendlyName: 'Confirmed', from: line.number, to: SUPERVISOR, confirmKey: '#' })).calls[0].callUuid as string;
    await line.sandbox.wait(silent, 'answered');
    await line.sandbox.advance({ ms: 31_000 });
    await line.sandbox.wait(silent, 'ended');
    const cdr = await line.client.calls.get(silent);
    assert.equal(cdr.hangupCauseCode, 9110);
    assert.equal((await line.client.multiPartyCalls.listParticipants({ friendlyName: 'Confirmed' })).objects.length, 1);
    await line.client.multiPartyCalls.stop({ friendlyName: 'Confirmed' });
    await line.sandbox.wait(agent, 'ended');
  });
});
