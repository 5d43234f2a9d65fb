// Audio streams end to end on a virtual clock: a real WebSocket service
// receives Plivo's start/media/stop events with a media frame per 20 ms per
// track for as long as the stream ran; a bidirectional stream's playAudio
// is heard by the far end (its transcript and its audio) and its checkpoint
// is acknowledged once played; keys the far end presses arrive as dtmf
// events; the Stream API through the official SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mulawDecode } from '../../../src/media/g711.ts';
import { rms } from '../../../src/media/pcm.ts';
import { dominantFrequency } from '../../../src/media/spectrum.ts';
import { readWav } from '../../../src/media/wav.ts';
import { streamServer, type Message, type StreamServer } from '../stream-server.ts';
import { voiceSuite } from '../suite.ts';
import { assertEvery } from '../../helpers/assert.ts';
import { within } from '../../helpers/until.ts';

const CALLER_ID = '14155550123';

/** A sine at 16 kHz (whole cycles per second, so seconds join without a click). */
const tone16k = (hz: number, ms: number) => Int16Array.from({ length: ms * 16 }, (_, i) => Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / 16000)));

/** 16-bit little-endian PCM as base64 (what audio/x-l16 payloads are). */
function l16(samples: Int16Array): string {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b.toString('base64');
}

describe('audio streams', () => {
  const line = voiceSuite({ phoneBase: 800 });
  let ws: StreamServer;

  before(async () => {
    // The bidirectional service answers the start with a second of 440 Hz at 16 kHz, then a checkpoint.
    ws = await streamServer((c) => {
      if (c.path !== '/bidi') return;
      const second = { contentType: 'audio/x-l16', sampleRate: 16000, payload: l16(tone16k(440, 1000)) };
      c.send({ event: 'playAudio', media: second });
      c.send({ event: 'playAudio', media: second });
      c.send({ event: 'checkpoint', streamId: 'x', name: 'tone played' });
    });
  });
  after(() => ws?.close());

  /** A call to a fresh phone, answered with `xml` served at `path`. */
  const place = async (path: string, xml: string) => {
    line.app.routes.set(path, xml);
    return (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}${path}`)).requestUuid as string;
  };
  const media = (msgs: Message[], track: string) => msgs.filter((m) => m.event === 'media' && m.media.track === track);

  test('a one-way stream of both tracks gets a µ-law frame per 20 ms per track for the whole call', async () => {
    const uuid = await place(
      '/both',
      `<Response><Stream audioTrack="both" contentType="audio/x-mulaw;rate=8000" extraHeaders="agent=7,queue=sales" statusCallbackUrl="${line.app.origin}/stream-status">${ws.origin}/both</Stream>` +
        '<Speak>Your call is being streamed</Speak><Wait length="3"/></Response>',
    );
    const t = await line.sandbox.wait(uuid, 'ended');
    const c = await ws.connection('/both');
    await within(c.closed, 'the platform to close the stream');

    const start = c.messages[0]!;
    assert.equal(start.event, 'start');
    assert.equal(start.sequenceNumber, 1);
    assert.equal(start.start.callId, uuid);
    assert.equal(start.start.accountId, line.server.authId);
    assert.deepEqual(start.start.tracks, ['inbound', 'outbound']);
    assert.deepEqual(start.start.mediaFormat, { encoding: 'audio/x-mulaw', sampleRate: 8000 });
    assert.equal(start.extra_headers, 'agent=7;queue=sales');
    const stop = c.messages.at(-1)!;
    assert.equal(stop.event, 'stop');
    assert.equal(stop.stop.reason, 'call ended');
    assert.deepEqual(
      c.messages.map((m) => m.sequenceNumber),
      c.messages.map((_, i) => i + 1),
      'sequence numbers count every message',
    );

    const spoke = t.events.find((e) => e.type === 'speak')!;
    const frames = (spoke.duration_ms! + 3000) / 20;
    const inbound = media(c.messages, 'inbound');
    const outbound = media(c.messages, 'outbound');
    assert.equal(inbound.length, frames, 'one inbound frame per 20 ms of the call');
    assert.equal(outbound.length, frames, 'one outbound frame per 20 ms of the call');
    assert.deepEqual(outbound.map((m) => m.media.chunk).slice(0, 3), [1, 2, 3]);
    assert.equal(Number(outbound[1].media.timestamp) - Number(outbound[0].media.timestamp), 20);
    const pcm = (m: Message) => mulawDecode(Buffer.from(m.media.payload, 'base64'));
    assert.equal(pcm(outbound[0]!).length, 160);
    const speechFrames = outbound.slice(0, spoke.duration_ms! / 20).map(pcm);
    assert.ok(Math.max(...speechFrames.map((f) => rms(f))) > 1000, 'the outbound track carries the platform’s speech');
    assertEvery(outbound.slice(-100), (m) => rms(pcm(m)) < 50, 'then silence');
    assertEvery(inbound, (m) => rms(pcm(m)) < 50, 'the far end said nothing');

    const status = await line.app.next('/stream-status', (r) => r.params.CallUUID === uuid);
    assert.equal(status.params.Event, 'StartStream');
    assert.equal(status.params.ServiceURL, `${ws.origin}/both`);
    assert.equal(line.app.received.filter((r) => r.path === '/stream-status' && r.params.CallUUID === uuid).length, 1, 'no StopStream when the call itself ends');

    const {
      objects: [listed],
    } = await line.client.calls.getAllStream(uuid);
    assert.equal(listed.audioTrack, 'both');
    assert.equal(listed.billDuration, Math.round((spoke.duration_ms! + 3000) / 1000));
    assert.equal(listed.billedAmount, '0.00000');
    assert.ok(listed.endTime);
  });

  test('bidirectional: playAudio is heard by the far end and the checkpoint is acknowledged once played', async () => {
    const uuid = await place(
      '/bidi',
      `<Response><Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-l16;rate=16000" statusCallbackUrl="${line.app.origin}/bidi-status">${ws.origin}/bidi</Stream>` +
        '<Speak>The stream has ended</Speak></Response>',
    );
    await line.sandbox.wait(uuid, 'answered');
    const c = await ws.connection('/bidi');
    await c.next('start');
    await line.sandbox.advance({ ms: 2500 });
    const played = await c.next('playedStream');
    assert.equal(played.name, 'tone played');
    c.socket.close();
    const t = await line.sandbox.wait(uuid, 'ended');

    const heard = t.events.filter((e) => e.type === 'play' || e.type === 'speak');
    assert.deepEqual(
      heard.map((e) => [e.type, e.url ?? e.text]),
      [
        ['play', `${ws.origin}/bidi`],
        ['speak', 'The stream has ended'],
      ],
    );
    const tone = heard[0]!;
    assert.equal(tone.duration_ms, 2000, 'both playAudio messages, back to back');
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Call/${uuid}/Audio/`);
    const audio = readWav(new Uint8Array(await res.arrayBuffer()));
    const from = tone.at_ms * 8;
    assert.ok(Math.abs(dominantFrequency(audio.subarray(from + 8000, from + 8000 + 4096)) - 440) < 10, 'the far end heard 440 Hz');
    assert.ok(media(c.messages, 'inbound').length > 0);
    assert.equal(media(c.messages, 'outbound').length, 0);

    const events = line.app.received.filter((r) => r.path === '/bidi-status' && r.params.CallUUID === uuid).map((r) => r.params.Event);
    assert.deepEqual(events, ['StartStream', 'DroppedStream']);
  });

  test('keys the far end presses reach streams of the inbound track as dtmf events, in order with the media', async () => {
    const uuid = await place('/keys', `<Response><Stream audioTrack="both" extraHeaders="agent=7">${ws.origin}/keys</Stream><Wait length="30"/></Response>`);
    await line.sandbox.wait(uuid, 'answered');
    const c = await ws.connection('/keys');
    const start = await c.next('start');
    await line.client.calls.stream(uuid, `${ws.origin}/keys-out`, { audioTrack: 'outbound' });
    const out = await ws.connection('/keys-out');
    await out.next('start');
    await line.sandbox.advance({ ms: 500 });
    const pressedAt = (await line.sandbox.clock()).epoch_ms as number;
    await line.sandbox.dtmf(uuid, '5#');
    await line.sandbox.advance({ ms: 1000 });
    await line.sandbox.hangup(uuid);
    await within(Promise.all([c.closed, out.closed]), 'the platform to close both streams');

    const keys = c.messages.filter((m) => m.event === 'dtmf');
    // Each key reaches the platform when its tone ends: 100 ms tones 100 ms apart.
    assert.deepEqual(keys, [
      { event: 'dtmf', sequenceNumber: keys[0]?.sequenceNumber, streamId: start.start.streamId, dtmf: { track: 'inbound', digit: '5', timestamp: String(pressedAt + 100) }, extra_headers: 'agent=7' },
      { event: 'dtmf', sequenceNumber: keys[1]?.sequenceNumber, streamId: start.start.streamId, dtmf: { track: 'inbound', digit: '#', timestamp: String(pressedAt + 300) }, extra_headers: 'agent=7' },
    ]);
    assert.deepEqual(
      c.messages.map((m) => m.sequenceNumber),
      c.messages.map((_, i) => i + 1),
      'one sequence with the media events',
    );
    for (const key of keys) {
      const at = c.messages.indexOf(key);
      const before = c.messages.slice(0, at).filter((m) => m.event === 'media');
      const after = c.messages.slice(at + 1).filter((m) => m.event === 'media');
      assert.equal(Number(before.at(-1)!.media.timestamp) + 20, Number(key.dtmf.timestamp), 'the frames up to the key come before it');
      assert.equal(Number(after[0]!.media.timestamp), Number(key.dtmf.timestamp), 'the frames from the key on come after it');
    }
    assert.equal(out.messages.filter((m) => m.event === 'dtmf').length, 0, 'a stream of the outbound track gets no keys');
  });

  test('a service that cannot be reached: DroppedStream with the error, and the call goes on', async () => {
    const uuid = await place('/nowhere', `<Response><Stream statusCallbackUrl="${line.app.origin}/nowhere-status">ws://127.0.0.1:1/nothing</Stream><Speak>Still here</Speak></Response>`);
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.equal(t.events.find((e) => e.type === 'speak')?.text, 'Still here');
    const status = (await line.app.next('/nowhere-status', (r) => r.params.CallUUID === uuid)).params;
    assert.equal(status.Event, 'DroppedStream');
    assert.match(status.Error!, /ECONNREFUSED/);
    const {
      objects: [s],
    } = await line.client.calls.getAllStream(uuid);
    assert.equal(s.startTime, null, 'it never started');
    assert.equal(s.billDuration, 0);
  });

  test('the Stream API: start, list, get, timeout, stop one and all, errors', async () => {
    const uuid = await place('/hold', '<Response><Speak>Please hold</Speak><Wait length="120"/></Response>');
    await line.sandbox.wait(uuid, 'answered');

    const started = await line.client.calls.stream(uuid, `${ws.origin}/api`, { streamTimeout: 2, statusCallbackUrl: `${line.app.origin}/api-status`, contentType: 'audio/x-l16;rate=8000' });
    assert.equal(started.message, 'audio streaming started');
    const c = await ws.connection('/api');
    await c.next('start');
    await assert.rejects(line.client.calls.stream(uuid, `${ws.origin}/api`), /already streams/);
    await assert.rejects(line.client.calls.stream(uuid, `${ws.origin}/x`, { bidirectional: true, audioTrack: 'both' }), /must use audio_track inbound/);
    await assert.rejects(line.client.calls.stream(uuid, 'http://example.com/'), /ws:\/\/ or wss:\/\//);

    const live = await line.client.calls.getStream(uuid, started.streamId);
    assert.equal(live.streamId, started.streamId);
    assert.equal(live.endTime, null);
    assert.equal(live.serviceUrl, `${ws.origin}/api`);
    await line.sandbox.advance({ ms: 2500 });
    await within(c.closed, 'the platform to close the stream');
    assert.equal(c.messages.at(-1)!.stop.reason, 'timeout');
    assert.equal(media(c.messages, 'inbound').length, 100, 'two seconds of frames, then the timeout');
    const stopped = await line.client.calls.getStream(uuid, started.streamId);
    assert.equal(stopped.billDuration, 2);
    assert.equal(stopped.roundedBillDuration, 60);
    const statuses = line.app.received.filter((r) => r.path === '/api-status').map((r) => r.params.Event);
    assert.deepEqual(statuses, ['StartStream', 'StopStream']);
    await assert.rejects(line.client.calls.stopAllStream(uuid), /No active stream found/);

    const second = await line.client.calls.stream(uuid, `${ws.origin}/api2`);
    const c2 = await ws.connection('/api2');
    await c2.next('start');
    await line.client.calls.stopStream(uuid, second.streamId);
    await within(c2.closed, 'the platform to close the second stream');
    assert.equal(c2.messages.at(-1)!.stop.reason, 'stopped');
    await assert.rejects(line.client.calls.stopStream(uuid, second.streamId), /already stopped/);
    const all = (await line.client.calls.getAllStream(uuid)).objects;
    assert.deepEqual(all.map((s: { streamId: string }) => s.streamId), [started.streamId, second.streamId]);

    await line.sandbox.hangup(uuid);
    await line.sandbox.wait(uuid, 'ended');
    await assert.rejects(line.client.calls.stream(uuid, `${ws.origin}/late`), /not found/);
  });
});
