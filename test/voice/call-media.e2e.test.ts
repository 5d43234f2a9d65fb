// The live-call media API through the official SDK on a virtual clock: Play
// (loop, length, stop), Speak (voice, stop), DTMF, mix over a Dial bridge,
// and the errors for bad input and ended calls. What the far end heard is
// read from the sandbox transcript and its audio.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dominantFrequency } from '../../src/media/spectrum.ts';
import { renderTone } from '../../src/media/tones.ts';
import { rms } from '../../src/media/pcm.ts';
import { readWav, writeWav } from '../../src/media/wav.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { answerServer, sandboxOf, spoken, type AnswerServer, type TranscriptEvent } from './fixtures.ts';

const CALLER_ID = '14155550123';
const TONE_HZ = 600;

describe('live-call media API', () => {
  let server: TestServer;
  let app: AnswerServer;
  let files: http.Server;
  let toneUrl: string;
  let sandbox: ReturnType<typeof sandboxOf>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any;
  let phones = 0;
  const phone = () => `1415555${String(900 + phones++).padStart(4, '0')}`;

  before(async () => {
    server = await startTestServer({ clock: 'virtual' });
    app = await answerServer({ '/hold': '<Response><Speak>This is a long announcement about our opening hours</Speak><Wait length="120"/></Response>' });
    const wav = Buffer.from(writeWav(renderTone([TONE_HZ], 0.3, 1000, false)));
    files = http.createServer((req, res) => {
      if (req.url !== '/tone.wav') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    toneUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/tone.wav`;
    sandbox = sandboxOf(server);
    client = server.client();
  });
  after(async () => {
    await server?.stop();
    await app?.close();
    await new Promise((resolve) => files?.close(resolve));
  });

  const answered = async () => {
    const uuid = (await client.calls.create(CALLER_ID, phone(), `${app.origin}/hold`)).requestUuid as string;
    await sandbox.wait(uuid, 'answered');
    return uuid;
  };
  const plays = (events: TranscriptEvent[]) => events.filter((e) => e.type === 'play');

  test('Play cuts the prompt short, loops within its length, and is heard at its frequency', async () => {
    const uuid = await answered();
    await sandbox.advance({ ms: 1000 });
    const started = await client.calls.playMusic(uuid, toneUrl, { loop: true, length: 3 });
    assert.equal(started.message, 'play started');
    await sandbox.advance({ ms: 5000 });

    const t = await sandbox.transcript(uuid);
    const speak = t.events.find((e) => e.type === 'speak')!;
    const played = plays(t.events);
    assert.equal(speak.at_ms + speak.duration_ms!, played[0]!.at_ms, 'the announcement stops where the file starts');
    assert.deepEqual(
      played.map((e) => [e.url, e.duration_ms]),
      [
        [toneUrl, 1000],
        [toneUrl, 1000],
        [toneUrl, 1000],
      ],
      'three loops of one second fill the three seconds asked for',
    );
    const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Call/${uuid}/Audio/`);
    const audio = readWav(new Uint8Array(await res.arrayBuffer()));
    const at = (played[1]!.at_ms + 200) * 8;
    assert.ok(Math.abs(dominantFrequency(audio.subarray(at, at + 4096)) - TONE_HZ) < 10);
    await client.calls.hangup(uuid);
  });

  test('stopping Play cuts the file where it is', async () => {
    const uuid = await answered();
    await client.calls.playMusic(uuid, toneUrl, { loop: true });
    await sandbox.advance({ ms: 1500 });
    await client.calls.stopPlayingMusic(uuid);
    await sandbox.advance({ ms: 3000 });
    const t = await sandbox.transcript(uuid);
    assert.deepEqual(
      plays(t.events).map((e) => e.duration_ms),
      [1000, 500],
    );
    await client.calls.hangup(uuid);
  });

  test('Speak in a chosen voice, stopped; DTMF is heard by the far end', async () => {
    const uuid = await answered();
    await sandbox.wait(uuid, 'hears', 'opening hours');
    const started = await client.calls.speakText(uuid, 'Your table is ready', { voice: 'MAN', language: 'en-GB' });
    assert.equal(started.message, 'speak started');
    await sandbox.wait(uuid, 'hears', 'table is ready');
    const sent = await client.calls.sendDigits(uuid, '12#');
    assert.equal(sent.message, 'digits sent');
    await sandbox.advance({ ms: 1000 });
    await client.calls.speakText(uuid, 'This message repeats until it is stopped', { loop: true });
    await sandbox.advance({ ms: 10_000 });
    await client.calls.stopSpeakingText(uuid);
    const repeats = (t: { events: TranscriptEvent[] }) => t.events.filter((e) => e.text === 'This message repeats until it is stopped');
    const atStop = await sandbox.transcript(uuid);
    await sandbox.advance({ ms: 10_000 });

    const t = await sandbox.transcript(uuid);
    const said = t.events.filter((e) => e.type === 'speak');
    assert.equal(said[1]!.text, 'Your table is ready');
    assert.equal((said[1] as { voice?: string }).voice, 'MAN');
    assert.equal((said[1] as { language?: string }).language, 'en-GB');
    assert.ok(repeats(atStop).length >= 2, 'looped');
    assert.deepEqual(repeats(t), repeats(atStop), 'nothing more after the stop');
    assert.equal(t.events.find((e) => e.type === 'dtmf_heard')?.digits, '12#');
    assert.deepEqual(spoken(t).slice(0, 2), ['This is a long announcement about our opening hours', 'Your table is ready']);
    await client.calls.hangup(uuid);
  });

  test('legs=bleg plays to the party a Dial connected; leg=bleg sends it the keys', async () => {
    const callee = phone();
    app.routes.set('/connect', `<Response><Dial><Number>${callee}</Number></Dial></Response>`);
    const uuid = (await client.calls.create(CALLER_ID, phone(), `${app.origin}/connect`)).requestUuid as string;
    await sandbox.wait(uuid, 'answered');
    const [bleg] = await sandbox.phoneCalls(callee);
    await sandbox.wait(bleg!.call_uuid!, 'answered');
    await client.calls.playMusic(uuid, toneUrl, { legs: 'bleg' });
    await client.calls.sendDigits(uuid, '9', { leg: 'bleg' });
    await sandbox.advance({ ms: 2000 });
    const b = await sandbox.transcript(bleg!.call_uuid!);
    assert.deepEqual(plays(b.events).map((e) => e.url), [toneUrl]);
    assert.equal(b.events.find((e) => e.type === 'dtmf_heard')?.digits, '9');
    const a = await sandbox.transcript(uuid);
    assert.deepEqual(plays(a.events), [], 'the caller hears the callee, not the file');
    await client.calls.hangup(uuid);
  });

  test('mix over a Dial bridge: with mix=false the callee is not heard during the file; with mix=true both are heard at once', async () => {
    const tone = renderTone([TONE_HZ], 0.3, 1000, false);
    /** The caller's audio less the looped file from `from` (ms): what else it heard. */
    const besidesTone = (audio: Int16Array, from: number, until: number) => {
      const out = new Int16Array((until - from) * 8);
      for (let i = 0; i < out.length; i++) out[i] = audio[from * 8 + i]! - tone[i % tone.length]!;
      return out;
    };
    const heardWhilePlaying = async (mix: boolean) => {
      const callee = phone();
      app.routes.set(`/connect-${callee}`, `<Response><Dial><Number>${callee}</Number></Dial></Response>`);
      const uuid = (await client.calls.create(CALLER_ID, phone(), `${app.origin}/connect-${callee}`)).requestUuid as string;
      await sandbox.wait(uuid, 'answered');
      const [bleg] = await sandbox.phoneCalls(callee);
      await sandbox.wait(bleg!.call_uuid!, 'answered');
      await sandbox.advance({ ms: 200 });
      await client.calls.playMusic(uuid, toneUrl, { loop: true, length: 3, mix });
      await sandbox.advance({ ms: 500 });
      await sandbox.say(bleg!.call_uuid!, 'still here');
      await sandbox.advance({ ms: 4500 });
      const t = await sandbox.transcript(uuid);
      const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Call/${uuid}/Audio/`);
      const audio = readWav(new Uint8Array(await res.arrayBuffer()));
      await client.calls.hangup(uuid);
      return { t, audio, start: plays(t.events)[0]!.at_ms };
    };

    const quiet = await heardWhilePlaying(false);
    assert.deepEqual(
      plays(quiet.t.events).map((e) => [e.at_ms - quiet.start, e.duration_ms]),
      [
        [0, 1000],
        [1000, 1000],
        [2000, 1000],
      ],
    );
    assert.deepEqual(spoken(quiet.t), [], 'the callee was not heard: not during the file, not after it');
    assert.ok(rms(besidesTone(quiet.audio, quiet.start, quiet.start + 3000)) < 1, 'only the file while it plays');
    assert.ok(rms(quiet.audio, (quiet.start + 3000) * 8, (quiet.start + 4500) * 8) < 1, 'and silence after it');

    const mixed = await heardWhilePlaying(true);
    const speech = mixed.t.events.find((e) => e.type === 'speak')!;
    assert.equal(speech.text, 'still here');
    assert.equal(speech.at_ms - mixed.start, 500, 'the callee is heard as it speaks, over the file');
    assert.deepEqual(
      plays(mixed.t.events).map((e) => [e.at_ms - mixed.start, e.duration_ms]),
      [
        [0, 1000],
        [1000, 1000],
        [2000, 1000],
      ],
      'the file is not delayed',
    );
    const speechEnd = speech.at_ms + speech.duration_ms!;
    assert.ok(speechEnd < mixed.start + 3000, 'the words end within the file');
    assert.ok(rms(besidesTone(mixed.audio, speech.at_ms, speechEnd)) > 300, 'the speech is in the audio with the file');
    assert.ok(rms(besidesTone(mixed.audio, mixed.start, speech.at_ms)) < 1, 'only the file before it');
    const at = (mixed.start + 200) * 8;
    assert.ok(Math.abs(dominantFrequency(mixed.audio.subarray(at, at + 2048)) - TONE_HZ) < 10);
  });

  test('bad input and ended calls', async () => {
    const uuid = await answered();
    await assert.rejects(client.calls.playMusic(uuid, toneUrl, { legs: 'bleg' }), /no bridged leg/);
    await assert.rejects(client.calls.playMusic(uuid, 'ftp://example.com/a.wav'), /http\(s\) URLs/);
    await assert.rejects(client.calls.speakText(uuid, 'hi', { voice: 'ROBOT' }), /voice must be/);
    await assert.rejects(client.calls.sendDigits(uuid, '12x'), /DTMF keys/);
    // A file that cannot be fetched is skipped (and logged); the call goes on.
    assert.equal((await client.calls.playMusic(uuid, `${toneUrl}.missing`)).message, 'play started');
    await client.calls.hangup(uuid);
    await sandbox.wait(uuid, 'ended');
    for (const attempt of [client.calls.playMusic(uuid, toneUrl), client.calls.speakText(uuid, 'hi'), client.calls.sendDigits(uuid, '1'), client.calls.stopPlayingMusic(uuid)]) {
      await assert.rejects(attempt, /not found/);
    }
  });
});
