// Speech and key input with <GetInput> on a virtual clock: what the far end
// says through the sandbox arrives at the action URL as Speech (the sandbox
// carries the text with the audio, so no recognizer is involved), partial
// results reach interimSpeechResultsCallback as the words are heard, and
// with "dtmf speech" the first kind of input wins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { phoneSpeechSoundEnd, spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const CALLER_ID = '14155550123';

describe('GetInput', () => {
  const line = voiceSuite({ phoneBase: 700, routes: { '/thanks': '<Response><Speak>Got it</Speak></Response>' } });

  const place = async (answer: string) => (await line.client.calls.create(CALLER_ID, line.phone(), `${line.app.origin}${answer}`)).requestUuid as string;
  const actionOf = async (uuid: string) => (await line.app.next('/thanks', (r) => r.params.CallUUID === uuid)).params;

  test('speech: the far end’s words arrive as Speech, partial results as they are heard', async () => {
    line.app.routes.set(
      '/speech',
      `<Response><GetInput action="${line.app.origin}/thanks" inputType="speech" speechEndTimeout="2" interimSpeechResultsCallback="${line.app.origin}/partial">` +
        '<Speak>What would you like to do</Speak></GetInput><Speak>No input</Speak></Response>',
    );
    const uuid = await place('/speech');
    await line.sandbox.wait(uuid, 'hears', 'what would you like');
    await line.sandbox.say(uuid, 'book a table for two');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['What would you like to do', 'Got it']);

    const p = await actionOf(uuid);
    assert.equal(p.InputType, 'speech');
    assert.equal(p.Speech, 'book a table for two');
    assert.equal(p.Digits, '');
    assert.equal(p.SpeechConfidenceScore, '1.00');
    assert.equal(p.BargeIn, 'false');

    const partials = line.app.received.filter((r) => r.path === '/partial' && r.params.CallUUID === uuid).map((r) => r.params);
    assert.deepEqual(
      partials.map((x) => [x.SequenceNumber, x.StableSpeech]),
      [['1', 'book'], ['2', 'book a'], ['3', 'book a table'], ['4', 'book a table for']],
    );
  });

  test('speech during the prompt barges in and cuts it short', async () => {
    line.app.routes.set('/barge', `<Response><GetInput action="${line.app.origin}/thanks" inputType="speech"><Speak>Please tell us in a few words why you are calling today</Speak></GetInput></Response>`);
    const uuid = await place('/barge');
    await line.sandbox.wait(uuid, 'answered');
    await line.sandbox.advance({ ms: 500 });
    await line.sandbox.say(uuid, 'billing');
    const t = await line.sandbox.wait(uuid, 'ended');
    const prompt = t.events.find((e) => e.type === 'speak')!;
    const said = t.events.find((e) => e.type === 'said')!;
    assert.equal(prompt.at_ms + prompt.duration_ms!, said.at_ms + (await phoneSpeechSoundEnd('billing')), 'the prompt stops when the word has been heard (where its sound ends)');
    const p = await actionOf(uuid);
    assert.equal(p.Speech, 'billing');
    assert.equal(p.BargeIn, 'true');
  });

  test('dtmf speech: keys pressed first win and speech is ignored', async () => {
    line.app.routes.set('/both', `<Response><GetInput action="${line.app.origin}/thanks" inputType="dtmf speech" numDigits="3"><Speak>Enter your code</Speak></GetInput></Response>`);
    const uuid = await place('/both');
    await line.sandbox.wait(uuid, 'hears', 'enter your code');
    await line.sandbox.dtmf(uuid, '42');
    await line.sandbox.say(uuid, 'seven');
    await line.sandbox.dtmf(uuid, '7');
    await line.sandbox.wait(uuid, 'ended');
    const p = await actionOf(uuid);
    assert.equal(p.InputType, 'dtmf');
    assert.equal(p.Digits, '427');
    assert.equal(p.Speech, '');
  });

  test('no input within executionTimeout: the next element runs and the action is not called', async () => {
    line.app.routes.set('/silent', `<Response><GetInput action="${line.app.origin}/thanks" inputType="speech" executionTimeout="5"><Speak>Say something</Speak></GetInput><Speak>Goodbye</Speak></Response>`);
    const uuid = await place('/silent');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Say something', 'Goodbye']);
    const [prompt, bye] = t.events.filter((e) => e.type === 'speak');
    assert.equal(bye!.at_ms - (prompt!.at_ms + prompt!.duration_ms!), 5000);
    assert.equal(line.app.received.filter((r) => r.path === '/thanks' && r.params.CallUUID === uuid).length, 0);
  });
});
