// The live-call media API through the official SDK on a virtual clock: Play
// (loop, length, stop), Speak (voice, stop), DTMF, mix over a Dial bridge,
// and the errors for bad input and ended calls. What the far end heard is
// read from the sandbox transcript and its audio.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dominantFrequency } from '../../../src/media/spectrum.ts';
import { renderTone } from '../../../src/media/tones.ts';
import { rms } from '../../../src/media/pcm.ts';
import { readWav, writeWav } from '../../../src/media/wav.ts';
import { spoken, type TranscriptEvent } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const CALLER_ID = '14155550123';
const TONE_HZ = 600;

describe('live-call media API', () => {
  const line = voiceSuite({ phoneBase: 900, routes: { '/hold': '<Response><Speak>This is a long announcement about our opening hours</Speak><Wait length="120"/></Response>' } });
  let files: http.Server;
  let toneUrl: string;

  before(async () => {
    const wav = Buffer.from(writeWav(renderTone([TONE_HZ], 0.3, 1000, false)));
    files = http.createServer((req, res) => {
      if (req.url !== '/tone.wav') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    toneUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/tone.wav`;
  });
  after(() => new Promise((resolve) => files?.close(resolve)));

  const answered = async () => {
    const uuid = (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}/hold`)).requestUuid as string;
    await line.sandbox.wait(uuid, 'answered');
    return uuid;
  };
  const plays = (events: TranscriptEvent[]) => events.filter((e) => e.type === 'play');

  test('Play cuts the prompt short, loops within its length, and is heard at its frequency', async () => {
    const uuid = await answered();
    await line.sandbox.advance({ ms: 1000 });
    const started = await line.client.calls.playMusic(uuid, toneUrl, { loop: true, length: 3 });
    assert.equal(started.message, 'play started');
    await line.sandbox.advance({ ms: 5000 });

    const t = await line.sandbox.transcript(uuid);
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
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Call/${uuid}/Audio/`);
    const audio = readWav(new Uint8Array(await res.arrayBuffer()));
    const at = (played[1]!.at_ms + 200) * 8;
    assert.ok(Math.abs(dominantFrequency(audio.subarray(at, at + 4096)) - TONE_HZ) < 10);
    await line.client.calls.hangup(uuid);
  });

  test('stopping Play cuts the file where it is', async () => {
    const uuid = await answered();
    await line.client.calls.playMusic(uuid, toneUrl, { loop: true });
    await line.sandbox.advance({ ms: 1500 });
    await line.client.calls.stopPlayingMusic(uuid);
    await line.sandbox.advance({ ms: 3000 });
    const t = await line.sandbox.transcript(uuid);
    assert.deepEqual(
      plays(t.events).map((e) => e.duration_ms),
      [1000, 500],
    );
    await line.client.calls.hangup(uuid);
  });

  test('Speak in a chosen voice, stopped; DTMF is heard by the far end', async () => {
    const uuid = await answered();
    await line.sandbox.wait(uuid, 'hears', 'opening hours');
    const started = await line.client.calls.speakText(uuid, 'Your table is ready', { voice: 'MAN', language: 'en-GB' });
    assert.equal(started.message, 'speak started');
    await line.sandbox.wait(uuid, 'hears', 'table is ready');
    const sent = await line.client.calls.sendDigits(uuid, '12#');
    assert.equal(sent.message, 'digits sent');
    await line.sandbox.advance({ ms: 1000 });
    await line.client.calls.speakText(uuid, 'This message repeats until it is stopped', { loop: true });
    await line.sandbox.advance({ ms: 10_000 });
    await line.client.calls.stopSpeakingText(uuid);
    const repeats = (t: { events: TranscriptEvent[] }) => t.events.filter((e) => e.text === 'This message repeats until it is stopped');
    const atStop = await line.sandbox.transcript(uuid);
    await line.sandbox.advance({ ms: 10_000 });

    const t = await line.sandbox.transcript(uuid);
    const said = t.events.filter((e) => e.type === 'speak');
    assert.equal(said[1]!.text, 'Your table is ready');
    assert.equal((said[1] as { voice?: string }).voice, 'MAN');
    assert.equal((said[1] as { language?: string }).language, 'en-GB');
    assert.ok(repeats(atStop).length >= 2, 'looped');
    assert.deepEqual(repeats(t), repeats(atStop), 'nothing more after the stop');
    assert.equal(t.events.find((e) => e.type === 'dtmf_heard')?.digits, '12#');
    assert.deepEqual(spoken(t).slice(0, 2), ['This is a long announcement about our opening hours', 'Your table is ready']);
    await line.client.calls.hangup(uuid);
  });

  test('legs=bleg plays to the party a Dial connected; leg=bleg sends it the keys', async () => {
    const callee = line.phone();
    line.app.routes.set('/connect', `<Response><Dial><Number>${callee}</Number></Dial></Response>`);
    const uuid = (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}/connect`)).requestUuid as string;
    await line.sandbox.wait(uuid, 'answered');
    const [bleg] = await line.sandbox.phoneCalls(callee);
    await line.sandbox.wait(bleg!.call_uuid!, 'answered');
    await line.client.calls.playMusic(uuid, toneUrl, { legs: 'bleg' });
    await line.client.calls.sendDigits(uuid, '9', { leg: 'bleg' });
    await line.sandbox.advance({ ms: 2000 });
    const b = await line.sandbox.transcript(bleg!.call_uuid!);
    assert.deepEqual(plays(b.events).map((e) => e.url), [toneUrl]);
    assert.equal(b.events.find((e) => e.type === 'dtmf_heard')?.digits, '9');
    const a = await line.sandbox.transcript(uuid);
    assert.deepEqual(plays(a.events), [], 'the caller hears the callee, not the file');
    await line.client.calls.hangup(uuid);
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
      const callee = line.phone();
      line.app.routes.set(`/connect-${callee}`, `<Response><Dial><Number>${callee}</Number></Dial></Response>`);
      const uuid = (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}/connect-${callee}`)).requestUuid as string;
      await line.sandbox.wait(uuid, 'answered');
      const [bleg] = await line.sandbox.phoneCalls(callee);
      await line.sandbox.wait(bleg!.call_uuid!, 'answered');
      await line.sandbox.advance({ ms: 200 });
      await line.client.calls.playMusic(uuid, toneUrl, { loop: true, length: 3, mix });
      await line.sandbox.advance({ ms: 500 });
      await line.sandbox.say(bleg!.call_uuid!, 'still here');
      await line.sandbox.advance({ ms: 4500 });
      const t = await line.sandbox.transcript(uuid);
      const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Call/${uuid}/Audio/`);
      const audio = readWav(new Uint8Array(await res.arrayBuffer()));
      await line.client.calls.hangup(uuid);
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
    await assert.rejects(line.client.calls.playMusic(uuid, toneUrl, { legs: 'bleg' }), /no bridged leg/);
    await assert.rejects(line.client.calls.playMusic(uuid, 'ftp://example.com/a.wav'), /http\(s\) URLs/);
    await assert.rejects(line.client.calls.speakText(uuid, 'hi', { voice: 'ROBOT' }), /voice ROBOT is not one the platform offers/);
    await assert.rejects(line.client.calls.speakText(uuid, 'hi', { voice: 'MAN', language: 'ko-KR' }), /ko-KR has no MAN voice on the platform/);
    await assert.rejects(line.client.calls.sendDigits(uuid, '12x'), /DTMF keys/);
    // A file that cannot be fetched is skipped (and logged); the call goes on.
    assert.equal((await line.client.calls.playMusic(uuid, `${toneUrl}.missing`)).message, 'play started');
    await line.client.calls.hangup(uuid);
    await line.sandbox.wait(uuid, 'ended');
    // One request at a time: a rejection nobody awaits yet would fail the run as unhandled.
    const onEndedCall = [
      () => line.client.calls.playMusic(uuid, toneUrl),
      () => line.client.calls.speakText(uuid, 'hi'),
      () => line.client.calls.sendDigits(uuid, '1'),
      () => line.client.calls.stopPlayingMusic(uuid),
    ];
    for (const attempt of onEndedCall) await assert.rejects(attempt(), /not found/);
  });
});
