// The live-call Play and Speak API's `mix` in-process on a virtual clock:
// over a Dial bridge the other party is heard together with the API's audio
// (mix, the default) or not at all while it plays (mix=false: dropped, not
// delayed); a stop gives the call its audio back at once; a call with no
// bridge sounds the same either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, MS_PER_CHAR } from '../harness.ts';
import { CallMedia } from '../../../src/voice/calls/call-media.ts';
import type { TranscriptEvent } from '../../../src/telephony/sim/transcript.ts';

const CALLER = '14155550600';
const AGENT = '14155550700';
const FILE = 'http://media/hold.wav';

/** A caller bridged to an agent by Dial, the live call media operations, and the two phones. */
async function bridged() {
  const h = harness({ 'http://app/answer': `<Response><Dial><Number>${AGENT}</Number></Dial></Response>` });
  h.phones.set(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [] });
  const a = h.call(CALLER);
  const media = new CallMedia(h.engine);
  await h.clock.advance(5000);
  const b = [...h.engine.live()].find((c) => c.to === AGENT)!;
  assert.equal(a.bridgedTo, b, 'bridged');
  return { h, a, media, caller: h.leg(a.uuid), agent: h.leg(b.uuid) };
}

const since = (events: TranscriptEvent[], from: number) => events.filter((e) => e.at_ms >= from && e.type !== 'silence');
const show = (e: TranscriptEvent) => ('text' in e ? `${e.type} ${e.text}` : e.type) + ` @${e.at_ms}` + ('duration_ms' in e ? ` ${e.duration_ms}ms` : '');

test('mix=false: what the bridged party says while the file plays is not heard, then or later; after it, it is', async () => {
  const { h, a, media, caller, agent } = await bridged();
  const at = h.clock.now() - caller.startedAt;
  await media.play(a, { urls: [FILE], loop: true, lengthS: 3, mix: false });
  await h.clock.advance(500);
  await agent.say('you cannot hear me');
  await h.clock.advance(4000);
  await agent.say('now you can');
  await h.clock.advance(2000);
  assert.deepEqual(since(caller.transcript(), at).map(show), [
    `play @${at} 1000ms`,
    `play @${at + 1000} 1000ms`,
    `play @${at + 2000} 1000ms`,
    `speak now you can @${at + 4500} ${'now you can'.length * MS_PER_CHAR}ms`,
  ]);
});

test('mix (the default): the bridged party is heard over the file when it speaks, and the file is not delayed', async () => {
  const { h, a, media, caller, agent } = await bridged();
  const at = h.clock.now() - caller.startedAt;
  await media.play(a, { urls: [FILE], loop: true, lengthS: 3 });
  await h.clock.advance(500);
  await agent.say('I am heard with the music');
  await h.clock.advance(4000);
  assert.deepEqual(since(caller.transcript(), at).map(show), [
    `play @${at} 1000ms`,
    `speak I am heard with the music @${at + 500} ${'I am heard with the music'.length * MS_PER_CHAR}ms`,
    `play @${at + 1000} 1000ms`,
    `play @${at + 2000} 1000ms`,
  ]);
  assert.ok(caller.hears('heard with the music'), 'the words count as heard (a script waiting on them goes on)');
});

test('Speak honours mix too; stopping it cuts the speech but not the party speaking over it', async () => {
  const { h, a, media, caller, agent } = await bridged();
  const at = h.clock.now() - caller.startedAt;
  const text = 'Please hold while we look up your order';
  await media.speak(a, { text, voice: 'WOMAN', language: 'en-US', loop: true });
  await h.clock.advance(200);
  await agent.say('one moment please');
  await h.clock.advance(300);
  media.stopSpeak(a);
  await h.clock.advance(3000);
  const heard = since(caller.transcript(), at).map(show);
  assert.deepEqual(heard, [`speak ${text} @${at} 500ms`, `speak one moment please @${at + 200} ${'one moment please'.length * MS_PER_CHAR}ms`]);

  // A mix=false sound stopped early: the party is heard again at once, not after the sound's planned end.
  const again = h.clock.now() - caller.startedAt;
  await media.speak(a, { text, voice: 'WOMAN', language: 'en-US', mix: false });
  await h.clock.advance(500);
  media.stopSpeak(a);
  await agent.say('back again');
  await h.clock.advance(2000);
  assert.deepEqual(since(caller.transcript(), again).map(show), [`speak ${text} @${again} 500ms`, `speak back again @${again + 500} ${'back again'.length * MS_PER_CHAR}ms`]);
});

test('legs=bleg with mix=false: the agent does not hear the caller during the file', async () => {
  const { h, a, media, caller, agent } = await bridged();
  await media.play(a, { urls: [FILE], legs: 'bleg', mix: false });
  await h.clock.advance(200);
  await caller.say('hello');
  await h.clock.advance(2000);
  assert.ok(!agent.hears('hello'));
  assert.ok(agent.transcript().some((e) => e.type === 'play'));
});

test('with no bridge mix makes no difference', async () => {
  const play = async (mix: boolean) => {
    const h = harness({ 'http://app/answer': '<Response><Speak>Welcome to the shop</Speak><Wait length="30"/></Response>' });
    const call = h.call(CALLER);
    const media = new CallMedia(h.engine);
    await h.clock.advance(1500);
    await media.play(call, { urls: [FILE], lengthS: 2, loop: true, mix });
    await h.clock.advance(5000);
    return h.leg(call.uuid).transcript();
  };
  assert.deepEqual(await play(false), await play(true));
});
