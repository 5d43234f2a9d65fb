// Recording end to end on a virtual clock: a voicemail (<Record>) of what
// the far end says through the sandbox, background session recordings (mono,
// and stereo with the far end on the left and what the platform sent it on
// the right), startOnDialAnswer, the Record API, and the Recording API
// through the official SDK. Files are fetched from their URLs without
// credentials and decoded to check their length and where the speech is,
// channel by channel.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MPEGDecoder } from 'mpg123-decoder';
import { decodeAudio } from '../../../src/media/decode.ts';
import { rms, rmsWindows } from '../../../src/media/pcm.ts';
import { databases } from '../../helpers/pg.ts';
import { phoneSpeechSoundEnd, spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const CALLER_ID = '14155550123';
/** Louder than this RMS is speech; MP3 coding noise over silence stays far below. */
const SPEECH_RMS = 300;
const QUIET_RMS = 30;
const AGENT = '14155550777';

/** The channels of a 16-bit PCM WAV laid out as the recorder writes it (a 44-byte header). */
function wavChannels(bytes: Uint8Array): Int16Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(22, true);
  const frames = view.getUint32(40, true) / (2 * n);
  return Array.from({ length: n }, (_, c) => Int16Array.from({ length: frames }, (_, i) => view.getInt16(44 + (i * n + c) * 2, true)));
}

/** The channels of an MP3, decoded gaplessly (the file's Info tag trims the encoder's delay and padding). */
async function mp3Channels(bytes: Uint8Array): Promise<Int16Array[]> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    return decoder.decode(bytes).channelData.map((c) => Int16Array.from(c, (v) => Math.round(v * 32767)));
  } finally {
    decoder.free();
  }
}

for (const db of databases) {
  describe(`recordings (${db.name})`, { skip: db.skip }, () => {
    const line = voiceSuite({ db: db.name, phoneBase: 600 });

    const place = async (answer: string) => (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}${answer}`)).requestUuid as string;
    const now = async () => (await line.sandbox.clock()).epoch_ms as number;
    const audioOf = async (url: string) => {
      const res = await fetch(url);
      assert.equal(res.status, 200, `GET ${url} without credentials`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { type: res.headers.get('content-type'), bytes, samples: await decodeAudio(bytes) };
    };
    /** RMS of the decoded recording between two offsets in ms. */
    const level = (samples: Int16Array, fromMs: number, toMs: number) => rms(samples, Math.round(fromMs * 8), Math.round(toMs * 8));

    test('a voicemail records what the far end says, ends on #, and the SDK reads and deletes it', async () => {
      line.app.routes.set('/vm', `<Response><Speak>Leave a message</Speak><Record action="${line.app.origin}/vm-done" maxLength="30" timeout="10"/></Response>`);
      line.app.routes.set('/vm-done', '<Response><Speak>Thank you</Speak></Response>');
      const uuid = await place('/vm');

      await line.sandbox.wait(uuid, 'hears', 'leave a message');
      await line.sandbox.advance({ ms: 1000 }); // the beep, then a second of silence on the recording
      const saidAt = await now();
      await line.sandbox.say(uuid, 'hello this is my voicemail');
      const said = (await line.sandbox.transcript(uuid)).events.find((e) => e.type === 'said')!;
      assert.ok(said.duration_ms! > 500, 'the far end spoke for a while');
      await line.sandbox.advance({ ms: said.duration_ms! + 500 });
      await line.sandbox.dtmf(uuid, '#');
      const t = await line.sandbox.wait(uuid, 'ended');
      assert.deepEqual(t.events.filter((e) => e.type === 'speak').map((e) => e.text), ['Leave a message', 'Thank you']);
      const beep = t.events.find((e) => e.type === 'beep')!;
      const silence = 1000 - beep.duration_ms!;

      const done = (await line.app.next('/vm-done', (r) => r.params.CallUUID === uuid)).params;
      const start = Number(done.RecordingStartMs);
      const duration = Number(done.RecordingDurationMs);
      assert.equal(Number(done.RecordingEndMs) - start, duration);
      assert.equal(done.RecordingDuration, String(Math.round(duration / 1000)));
      // From the end of the beep to the # (its tone lasts 100 ms): silence, the speech, half a second.
      assert.equal(saidAt - start, silence);
      assert.equal(duration, silence + said.duration_ms! + 500 + 100);
      assert.match(done.RecordUrl!, new RegExp(`^${line.server.url}/v1/Account/${line.server.authId}/Recording/${done.RecordingID}\\.mp3$`));

      const { type, samples } = await audioOf(done.RecordUrl!);
      assert.equal(type, 'audio/mpeg');
      assert.equal(samples.length, duration * 8, 'the MP3 decodes to exactly the recorded length');
      assert.ok(level(samples, 0, silence - 40) < QUIET_RMS, 'silence before the caller speaks');
      assert.ok(level(samples, silence, silence + said.duration_ms!) > SPEECH_RMS, 'the caller’s speech is in the recording');
      assert.ok(level(samples, duration - 500, duration) < QUIET_RMS, 'silence after it');

      const rec = await line.client.recordings.get(done.RecordingID);
      assert.equal(rec.recordingId, done.RecordingID);
      assert.equal(rec.callUuid, uuid);
      assert.equal(rec.recordingFormat, 'mp3');
      assert.equal(rec.recordingType, 'normal');
      assert.equal(rec.recordingUrl, done.RecordUrl);
      assert.equal(rec.recordingDurationMs, `${duration}.00000`);
      assert.equal(rec.recordingStartMs, `${start}.00000`);
      assert.equal(rec.roundedRecordingDuration, '60');
      assert.equal(rec.recordingStorageDuration, '1');
      assert.match(rec.addTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      assert.equal(rec.resourceUri, `/v1/Account/${line.server.authId}/Recording/${done.RecordingID}/`);

      const listed = await line.client.recordings.list({ callUuid: uuid });
      assert.deepEqual(listed.map((r: { recordingId: string }) => r.recordingId), [done.RecordingID]);
      assert.equal(listed.meta.totalCount, 1);

      const file = path.join(line.server.dataDir, 'recordings', `${done.RecordingID}.mp3`);
      assert.ok(fs.existsSync(file));
      assert.equal(await line.client.recordings.delete(done.RecordingID), true);
      assert.equal(fs.existsSync(file), false, 'deleting the recording removes its file');
      assert.equal((await fetch(done.RecordUrl!)).status, 404);
      await assert.rejects(line.client.recordings.get(done.RecordingID), /not found/);
    });

    test('a caller who starts speaking during the beep is recorded from where the recording starts', async () => {
      line.app.routes.set('/vm-early', `<Response><Speak>Leave a message</Speak><Record action="${line.app.origin}/vm-early-done" maxLength="30" timeout="10"/></Response>`);
      const uuid = await place('/vm-early');
      await line.sandbox.wait(uuid, 'hears', 'leave a message');
      // The beep is playing now: the phone hands over its whole utterance before the recording has started.
      await line.sandbox.say(uuid, 'hello this is my voicemail');
      const t = await line.sandbox.transcript(uuid);
      const said = t.events.find((e) => e.type === 'said')!;
      const beep = t.events.find((e) => e.type === 'beep')!;
      assert.ok(said.at_ms! < beep.at_ms! + beep.duration_ms!, 'the speech began before the beep ended');
      await line.sandbox.advance({ ms: said.duration_ms! + 500 });
      await line.sandbox.dtmf(uuid, '#');
      await line.sandbox.wait(uuid, 'ended');
      const done = (await line.app.next('/vm-early-done', (r) => r.params.CallUUID === uuid)).params;
      const { samples } = await audioOf(done.RecordUrl!);
      const heard = said.at_ms! + said.duration_ms! - (beep.at_ms! + beep.duration_ms!);
      assert.ok(level(samples, 0, heard - 100) > SPEECH_RMS, 'the rest of the speech is in the recording');
    });

    test('silence ends a recording; redirect=false goes on; the transcription is what the sandbox recognizer heard', async () => {
      line.app.routes.set(
        '/quiet',
        `<Response><Record playBeep="false" timeout="2" redirect="false" action="${line.app.origin}/quiet-done" transcriptionType="auto" transcriptionUrl="${line.app.origin}/transcribed"/><Speak>Next verb</Speak></Response>`,
      );
      const uuid = await place('/quiet');
      await line.sandbox.wait(uuid, 'answered');
      await line.sandbox.say(uuid, 'call me back');
      const t = await line.sandbox.wait(uuid, 'ended');
      const said = t.events.find((e) => e.type === 'said')!;
      const answered = t.events.find((e) => e.type === 'answered')!;
      assert.equal(t.events.find((e) => e.type === 'speak')?.text, 'Next verb');

      const done = (await line.app.next('/quiet-done', (r) => r.params.CallUUID === uuid)).params;
      // Recorded from the answer until 2 s after the last sound of the speech (which ends with a quiet tail of its own).
      assert.equal(Number(done.RecordingDurationMs), said.at_ms - answered.at_ms + (await phoneSpeechSoundEnd('call me back')) + 2000);
      const tr = (await line.app.next('/transcribed', (r) => r.params.call_uuid === uuid)).params;
      assert.equal(tr.transcription, 'call me back');
      assert.equal(tr.recording_id, done.RecordingID);
      assert.equal(tr.transcription_charge, '0.00000');
      assert.equal(tr.error, '');
    });

    test('recordSession with recordChannelType mono mixes both sides into one WAV channel until the call ends', async () => {
      line.app.routes.set(
        '/session',
        `<Response><Record recordSession="true" recordChannelType="mono" fileFormat="wav" maxLength="3600" action="${line.app.origin}/session-started" callbackUrl="${line.app.origin}/session-file"/>` +
          '<Speak>This call is recorded</Speak><Wait length="2"/></Response>',
      );
      const uuid = await place('/session');
      const t = await line.sandbox.wait(uuid, 'ended');
      const spoke = t.events.find((e) => e.type === 'speak')!;

      const started = (await line.app.next('/session-started', (r) => r.params.CallUUID === uuid)).params;
      assert.equal(started.RecordingDurationMs, '-1', 'the action learns the URL before the length is known');
      const file = (await line.app.next('/session-file', (r) => r.params.CallUUID === uuid)).params;
      assert.equal(file.RecordingID, started.RecordingID);
      assert.equal(file.RecordUrl, started.RecordUrl);
      const duration = Number(file.RecordingDurationMs);
      assert.equal(duration, spoke.duration_ms! + 2000, 'from the start of the session to the hangup');

      const { type, bytes, samples } = await audioOf(file.RecordUrl!);
      assert.equal(type, 'audio/wav');
      assert.equal(wavChannels(bytes).length, 1, 'mono');
      assert.equal(samples.length, duration * 8);
      assert.ok(level(samples, 0, spoke.duration_ms!) > SPEECH_RMS, 'the platform’s speech is recorded');
      assert.ok(level(samples, spoke.duration_ms! + 100, duration) < QUIET_RMS);
    });

    test('a session recording is stereo by default: the far end on the left, what the platform sent it on the right', async () => {
      line.app.routes.set(
        '/stereo',
        `<Response><Record recordSession="true" fileFormat="wav" maxLength="3600" callbackUrl="${line.app.origin}/stereo-file"/>` +
          '<Speak>This call is recorded</Speak><Wait length="6"/></Response>',
      );
      const uuid = await place('/stereo');
      await line.sandbox.wait(uuid, 'hears', 'this call is recorded');
      await line.sandbox.advance({ ms: 500 });
      const saidAt = await now();
      await line.sandbox.say(uuid, 'hello from the phone');
      const t = await line.sandbox.wait(uuid, 'ended');
      const spoke = t.events.find((e) => e.type === 'speak')!;
      const said = t.events.find((e) => e.type === 'said')!;

      const file = (await line.app.next('/stereo-file', (r) => r.params.CallUUID === uuid)).params;
      const start = Number(file.RecordingStartMs);
      const duration = Number(file.RecordingDurationMs);
      assert.equal(duration, spoke.duration_ms! + 6000, 'the length of the session, not of the samples of both channels');
      const { bytes } = await audioOf(file.RecordUrl!);
      const [left, right, more] = wavChannels(bytes);
      assert.equal(more, undefined, 'two channels');
      assert.equal(left!.length, duration * 8);
      assert.equal(right!.length, duration * 8);

      const prompt = [0, spoke.duration_ms!] as const;
      const speech = [saidAt - start, saidAt - start + said.duration_ms!] as const;
      assert.ok(prompt[1] < speech[0], 'the prompt ended before the phone spoke');
      assert.ok(level(right!, ...prompt) > SPEECH_RMS, 'the prompt is on the right');
      assert.ok(level(left!, ...prompt) < QUIET_RMS, 'and not on the left');
      assert.ok(level(left!, ...speech) > SPEECH_RMS, 'the phone’s speech is on the left');
      assert.ok(level(right!, ...speech) < QUIET_RMS, 'and not on the right');
      // Window by window: never both channels at once, since nobody spoke over the prompt.
      const l = rmsWindows(left!, 100);
      const r = rmsWindows(right!, 100);
      assert.equal(l.filter((v, i) => v > SPEECH_RMS && r[i]! > SPEECH_RMS).length, 0);
      assert.ok(level(left!, speech[1] + 100, duration) < QUIET_RMS && level(right!, speech[1] + 100, duration) < QUIET_RMS, 'then silence on both');
    });

    test('startOnDialAnswer records the bridged call in stereo MP3: the caller on the left, the dialled party on the right', async () => {
      await line.sandbox.phone(AGENT, { behaviour: 'answer', ring_seconds: 2, script: [{ after_ms: 200, action: 'say', text: 'Hello, this is the agent' }] });
      line.app.routes.set(
        '/bridge',
        `<Response><Record startOnDialAnswer="true" recordChannelType="stereo" maxLength="3600" callbackUrl="${line.app.origin}/bridge-file"/>` +
          `<Dial><Number>${AGENT}</Number></Dial></Response>`,
      );
      const uuid = await place('/bridge');
      await line.sandbox.wait(uuid, 'hears', 'this is the agent');
      await line.sandbox.advance({ ms: 300 });
      const saidAt = await now();
      await line.sandbox.say(uuid, 'I need help with my order');
      const said = (await line.sandbox.transcript(uuid)).events.find((e) => e.type === 'said')!;
      const [agentCall] = await line.sandbox.phoneCalls(AGENT);
      await line.sandbox.wait(agentCall!.call_uuid!, 'hears', 'help with my order');
      await line.sandbox.advance({ ms: 500 });
      await line.sandbox.hangup(agentCall!.call_uuid!);
      const t = await line.sandbox.wait(uuid, 'ended');
      assert.deepEqual(spoken(t), ['Hello, this is the agent'], 'the caller heard the agent');

      const file = (await line.app.next('/bridge-file', (r) => r.params.CallUUID === uuid)).params;
      assert.match(file.RecordUrl!, /\.mp3$/);
      const start = Number(file.RecordingStartMs);
      const duration = Number(file.RecordingDurationMs);
      const { bytes, samples } = await audioOf(file.RecordUrl!);
      assert.equal(samples.length, duration * 8, 'the MP3 decodes to exactly the recorded length');
      const [left, right, more] = await mp3Channels(bytes);
      assert.equal(more, undefined, 'two channels');
      assert.equal(left!.length, duration * 8);

      const speech = [saidAt - start, saidAt - start + said.duration_ms!] as const;
      assert.ok(level(left!, ...speech) > SPEECH_RMS, 'the caller is on the left');
      assert.ok(level(right!, ...speech) < QUIET_RMS, 'and not on the right');
      const agent = [0, speech[0] - 300] as const;
      assert.ok(level(right!, ...agent) > SPEECH_RMS, 'the agent, heard through the bridge, is on the right');
      assert.ok(level(left!, ...agent) < QUIET_RMS, 'and not on the left');
    });

    test('the Record API starts and stops a recording of a live call', async () => {
      line.app.routes.set('/hold', '<Response><Speak>Please hold</Speak><Wait length="60"/></Response>');
      const uuid = await place('/hold');
      await line.sandbox.wait(uuid, 'hears', 'please hold');

      await assert.rejects(line.client.calls.record(uuid, { recordChannelType: 'quad' }), /record_channel_type must be mono or stereo/);
      const started = await line.client.calls.record(uuid, { fileFormat: 'wav', callbackUrl: `${line.app.origin}/api-rec` });
      assert.equal(started.message, 'call recording started');
      assert.match(started.url, new RegExp(`/Recording/${started.recordingId}\\.wav$`));
      await line.sandbox.advance({ ms: 1500 });
      await line.sandbox.say(uuid, 'one two three');
      await line.sandbox.advance({ ms: 3000 });
      await line.client.calls.stopRecording(uuid);
      await assert.rejects(line.client.calls.stopRecording(uuid), /no recording is in progress/);

      const cb = (await line.app.next('/api-rec', (r) => r.params.call_uuid === uuid)).params;
      assert.equal(cb.recording_id, started.recordingId);
      assert.equal(cb.record_url, started.url);
      assert.equal(cb.recording_duration_ms, '4500');
      assert.equal(cb.recording_duration, '5');
      const { bytes, samples } = await audioOf(started.url);
      assert.equal(samples.length, 4500 * 8);
      assert.ok(level(samples, 0, 1400) < QUIET_RMS);
      assert.ok(level(samples, 1500, 2500) > SPEECH_RMS, 'what the far end said is recorded');
      const [left, right] = wavChannels(bytes);
      assert.ok(level(left!, 1500, 2500) > SPEECH_RMS && level(right!, 1500, 2500) < QUIET_RMS, 'stereo by default: the far end on the left');

      await line.sandbox.hangup(uuid);
      await line.sandbox.wait(uuid, 'ended');
      await assert.rejects(line.client.calls.record(uuid), /not found/);
    });

    test('Recording API filters: add_time windows, bad ranges, unknown ids', async () => {
      const all = await line.client.recordings.list();
      assert.ok(all.length >= 2);
      const nowMs = await now();
      const ts = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
      assert.equal((await line.client.recordings.list({ add_time__gt: ts(nowMs + 60_000) })).length, 0);
      assert.equal((await line.client.recordings.list({ add_time__gte: ts(nowMs - 3_600_000) })).length, all.length);
      assert.equal((await line.client.recordings.list({ recordingStorageDuration: 1 })).length, all.length);
      await assert.rejects(line.client.recordings.list({ add_time__gt: '2020-01-01 00:00', add_time__lt: '2020-03-01 00:00' }), /wider than 30 days/);
      await assert.rejects(line.client.recordings.list({ addTime: 'yesterday' }), /add_time "yesterday" must be a UTC time/);
      await assert.rejects(line.client.recordings.list({ add_time__gt: ts(nowMs), recordingStorageDuration: 1 }), /cannot be combined/);
      await assert.rejects(line.client.recordings.get('00000000-0000-0000-0000-000000000000'), /not found/);
      const res = await fetch(`${line.server.url}/v1/Account/${line.server.authId}/Recording/${all[0].recordingId}.ogg`);
      assert.equal(res.status, 400);
    });
  });
}
