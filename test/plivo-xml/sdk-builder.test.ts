// Every element, built by the official SDK's XML builder with every attribute
// the builder accepts, parses back into the expected AST; and the attributes
// we accept on each element are exactly the builder's list plus those only
// the platform's XML reference pages document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { parsePlivoXml } from '../../src/plivo-xml/parse.ts';
import type { ResponseDoc, Verb } from '../../src/plivo-xml/ast.ts';

/** An SDK element object: what `addX` returns (`valid_attributes` is the builder's list). */
interface SdkElement {
  element: string;
  valid_attributes: string[];
  nestables: string[];
  [adder: `add${string}`]: (...args: unknown[]) => SdkElement;
}

function parsed(xml: string): ResponseDoc {
  const result = parsePlivoXml(xml);
  if (!result.ok) assert.fail(`${result.error}\n${xml}`);
  return result.doc;
}

function only(xml: string): Verb {
  const { verbs } = parsed(xml);
  assert.equal(verbs.length, 1);
  return verbs[0];
}

/** The test passes every attribute the builder knows for this element… */
function coversBuilder(el: SdkElement, attrs: object): void {
  assert.deepEqual(Object.keys(attrs).sort(), [...el.valid_attributes].sort(), `attributes of <${el.element}>`);
}

/** Attributes the platform's XML reference pages document that the builder lacks (docs/decisions.md, Plivo XML). */
const DOCUMENTED_ONLY: Record<string, string[]> = {
  Stream: ['noiseCancellation', 'noiseCancellationLevel'],
};

/** …and the parser's own list for the element (read from its unknown-attribute error) is the same, plus the documented extras. */
function acceptsExactly(xml: string, el: SdkElement): void {
  const withStranger = xml.replace(new RegExp(`<${el.element}(?=[\\s/>])`), `$& zzStranger="1"`);
  const result = parsePlivoXml(withStranger);
  assert.equal(result.ok, false, `zzStranger accepted on <${el.element}>`);
  const error = (result as { error: string }).error;
  const listed = /allowed: (.*)$/.exec(error)?.[1]?.split(', ') ?? (error.includes('takes no attributes') ? [] : null);
  assert.ok(listed, error);
  const expected = [...el.valid_attributes, ...(DOCUMENTED_ONLY[el.element] ?? [])];
  assert.deepEqual([...listed].sort(), expected.sort(), `parser's attribute list for <${el.element}>`);
}

/** The document `r` builds, once each element in it is checked with the attributes it was given. */
function built(r: { toXML(): string }, ...elements: Array<[SdkElement, object]>): string {
  const xml = r.toXML();
  for (const [el, attrs] of elements) {
    coversBuilder(el, attrs);
    acceptsExactly(xml, el);
  }
  return xml;
}

test('Speak with every attribute and every SSML tag keeps text and tags in order', () => {
  const r = plivo.Response();
  const speakAttrs = { voice: 'Polly.Amy', language: 'en-GB', loop: 2 };
  const speak: SdkElement = r.addSpeak('Hello', speakAttrs);
  const ssml: [SdkElement, object][] = [];
  const add = (name: `add${string}`, body: string | null, attrs: object) => {
    const el: SdkElement = body === null ? speak[name](attrs) : speak[name](body, attrs);
    ssml.push([el, attrs]);
    return el;
  };
  add('addBreak', null, { strength: 'strong', time: '250ms' });
  add('addEmphasis', ' really ', { level: 'strong' });
  add('addLang', 'bonjour', { 'xml:lang': 'fr-FR' });
  add('addP', 'A paragraph.', {});
  add('addPhoneme', 'pecan', { alphabet: 'ipa', ph: 'pɪˈkɑːn' });
  const prosody = add('addProsody', 'slowly', { pitch: '+5%', rate: 'slow', volume: 'loud' });
  prosody.addBreak({ time: '1s' });
  add('addS', 'A sentence.', {});
  add('addSayAs', '12/25/2024', { 'interpret-as': 'date', format: 'mdy' });
  add('addSub', 'W3C', { alias: 'World Wide Web Consortium' });
  add('addW', 'read', { role: 'amazon:VBD' });
  speak.addText(' Bye & thanks.');
  const xml = built(r, [speak, speakAttrs], ...ssml);

  assert.deepEqual(only(xml), {
    kind: 'Speak',
    voice: 'Polly.Amy',
    language: 'en-GB',
    loop: 2,
    content: [
      { kind: 'text', text: 'Hello' },
      { kind: 'break', strength: 'strong', timeMs: 250 },
      { kind: 'emphasis', level: 'strong', children: [{ kind: 'text', text: ' really ' }] },
      { kind: 'lang', lang: 'fr-FR', children: [{ kind: 'text', text: 'bonjour' }] },
      { kind: 'p', children: [{ kind: 'text', text: 'A paragraph.' }] },
      { kind: 'phoneme', alphabet: 'ipa', ph: 'pɪˈkɑːn', text: 'pecan' },
      {
        kind: 'prosody', pitch: '+5%', rate: 'slow', volume: 'loud',
        children: [{ kind: 'text', text: 'slowly' }, { kind: 'break', strength: 'medium', timeMs: 1000 }],
      },
      { kind: 's', children: [{ kind: 'text', text: 'A sentence.' }] },
      { kind: 'say-as', interpretAs: 'date', format: 'mdy', text: '12/25/2024' },
      { kind: 'sub', alias: 'World Wide Web Consortium', text: 'W3C' },
      { kind: 'w', role: 'amazon:VBD', children: [{ kind: 'text', text: 'read' }] },
      { kind: 'text', text: ' Bye & thanks.' },
    ],
    text: 'Hello really bonjour A paragraph. pecanslowly A sentence. 12/25/2024World Wide Web Consortiumread Bye & thanks.',
  });
});

test('Play and Wait with every attribute', () => {
  const r = plivo.Response();
  const playAttrs = { loop: 3 };
  const play: SdkElement = r.addPlay('https://example.com/hold.mp3', playAttrs);
  // The builder accepts both spellings of minSilence; the camelCase one wins.
  const waitAttrs = { length: 10, silence: true, min_silence: 500, minSilence: 3000, beep: true };
  const wait: SdkElement = r.addWait(waitAttrs);
  const xml = built(r, [play, playAttrs], [wait, waitAttrs]);
  assert.deepEqual(parsed(xml).verbs, [
    { kind: 'Play', loop: 3, url: 'https://example.com/hold.mp3' },
    { kind: 'Wait', length: 10, silence: true, minSilence: 3000, beep: true },
  ]);
  assert.deepEqual(only('<Response><Wait min_silence="700" silence="true"/></Response>'), {
    kind: 'Wait', length: 1, silence: true, minSilence: 700, beep: false,
  });
});

test('GetDigits with every attribute and its prompts', () => {
  const r = plivo.Response();
  const attrs = {
    action: 'https://app.example.com/menu', method: 'GET', timeout: 7, digitTimeout: 3, finishOnKey: '*',
    numDigits: 4, retries: 2, invalidDigitsSound: 'https://example.com/invalid.mp3', validDigits: '123#',
    playBeep: true, redirect: false, log: false,
  };
  const gd: SdkElement = r.addGetDigits(attrs);
  gd.addSpeak('Enter your PIN', { voice: 'MAN' });
  gd.addPlay('https://example.com/tone.wav');
  gd.addWait({ length: 2 });
  const xml = built(r, [gd, attrs]);
  assert.deepEqual(only(xml), {
    kind: 'GetDigits', action: 'https://app.example.com/menu', method: 'GET', timeout: 7, digitTimeout: 3,
    finishOnKey: '*', numDigits: 4, retries: 2, invalidDigitsSound: 'https://example.com/invalid.mp3',
    validDigits: '123#', playBeep: true, redirect: false, log: false,
    prompts: [
      { kind: 'Speak', voice: 'MAN', language: 'en-US', loop: 1, content: [{ kind: 'text', text: 'Enter your PIN' }], text: 'Enter your PIN' },
      { kind: 'Play', loop: 1, url: 'https://example.com/tone.wav' },
      { kind: 'Wait', length: 2, silence: false, minSilence: 2000, beep: false },
    ],
  });
});

test('GetInput with every attribute', () => {
  const r = plivo.Response();
  const attrs = {
    action: 'https://app.example.com/input', method: 'GET', inputType: 'dtmf speech', executionTimeout: 20,
    digitEndTimeout: 5, speechEndTimeout: 'auto', finishOnKey: 'none', numDigits: 6, speechModel: 'phone_call',
    hints: 'sales, support,billing', language: 'en-IN', interimSpeechResultsCallback: 'https://app.example.com/interim',
    interimSpeechResultsCallbackMethod: 'GET', log: false, redirect: false, profanityFilter: true,
  };
  const gi: SdkElement = r.addGetInput(attrs);
  gi.addSpeak('Say or press something');
  const xml = built(r, [gi, attrs]);
  assert.deepEqual(only(xml), {
    kind: 'GetInput', action: 'https://app.example.com/input', method: 'GET', inputType: 'dtmf speech',
    executionTimeout: 20, digitEndTimeout: 5, speechEndTimeout: 'auto', finishOnKey: '', numDigits: 6,
    speechModel: 'phone_call', hints: ['sales', 'support', 'billing'], language: 'en-IN',
    interimSpeechResultsCallback: 'https://app.example.com/interim', interimSpeechResultsCallbackMethod: 'GET',
    log: false, redirect: false, profanityFilter: true,
    prompts: [{
      kind: 'Speak', voice: 'WOMAN', language: 'en-US', loop: 1,
      content: [{ kind: 'text', text: 'Say or press something' }], text: 'Say or press something',
    }],
  });
});

test('Record with every attribute', () => {
  const r = plivo.Response();
  const attrs = {
    action: 'https://app.example.com/recorded', method: 'GET', timeout: 5, finishOnKey: '*#', maxLength: 120,
    playBeep: false, recordSession: true, startOnDialAnswer: true, redirect: false, fileFormat: 'wav',
    callbackUrl: 'https://app.example.com/ready', callbackMethod: 'GET', transcriptionType: 'hybrid',
    transcriptionUrl: 'https://app.example.com/transcript', transcriptionMethod: 'GET', recordChannelType: 'mono',
  };
  const rec: SdkElement = r.addRecord(attrs);
  const xml = built(r, [rec, attrs]);
  assert.deepEqual(only(xml), { kind: 'Record', ...attrs });
});

test('Dial with every attribute, and Number and User with all of theirs', () => {
  const r = plivo.Response();
  const attrs = {
    action: 'https://app.example.com/dialed', method: 'GET', timeout: 25, hangupOnStar: true, timeLimit: 600,
    callerId: '+14155550100', callerName: 'Front Desk', confirmSound: 'https://app.example.com/confirm',
    dialMusic: 'real', confirmKey: '5', redirect: false, callbackUrl: 'https://app.example.com/dial-events',
    callbackMethod: 'GET', digitsMatch: '123,*9', digitsMatchBLeg: '0', sipHeaders: 'Team=sales,Tier=gold',
    confirmTimeout: 30,
  };
  const dial: SdkElement = r.addDial(attrs);
  const numberAttrs = { sendDigits: 'ww123#', sendOnPreanswer: true, sendDigitsMode: 'rfc2833', callerId: '+14155550101', callerName: 'Sales' };
  const userAttrs = { sendDigits: '9', sendOnPreanswer: false, sipHeaders: 'Agent=42', callerId: '+14155550102', callerName: 'Support' };
  const number: SdkElement = dial.addNumber('+14155551234', numberAttrs);
  const user: SdkElement = dial.addUser('sip:alice@phone.example.com', userAttrs);
  const xml = built(r, [dial, attrs], [number, numberAttrs], [user, userAttrs]);
  assert.deepEqual(only(xml), {
    kind: 'Dial', action: 'https://app.example.com/dialed', method: 'GET', timeout: 25, hangupOnStar: true,
    timeLimit: 600, callerId: '+14155550100', callerName: 'Front Desk', confirmSound: 'https://app.example.com/confirm',
    confirmKey: '5', confirmTimeout: 30, dialMusic: { type: 'real' }, redirect: false,
    callbackUrl: 'https://app.example.com/dial-events', callbackMethod: 'GET', digitsMatch: ['123', '*9'],
    digitsMatchBLeg: ['0'], sipHeaders: { Team: 'sales', Tier: 'gold' },
    targets: [
      { kind: 'Number', number: '+14155551234', ...numberAttrs },
      { kind: 'User', uri: 'sip:alice@phone.example.com', ...userAttrs, sipHeaders: { Agent: '42' } },
    ],
  });
});

test('Conference with every attribute', () => {
  const r = plivo.Response();
  const attrs = {
    muted: true, beep: true, startConferenceOnEnter: false, endConferenceOnExit: true,
    waitSound: 'https://app.example.com/wait', enterSound: 'beep:2', exitSound: 'https://app.example.com/bye',
    timeLimit: 3600, hangupOnStar: true, maxMembers: 5, record: true, recordWhenAlone: true, recordFileFormat: 'wav',
    action: 'https://app.example.com/conf-done', method: 'GET', redirect: false, digitsMatch: '#1',
    callbackUrl: 'https://app.example.com/conf-events', callbackMethod: 'GET', stayAlone: false, floorEvent: true,
    transcriptionType: 'auto', transcriptionUrl: 'https://app.example.com/conf-text', transcriptionMethod: 'GET',
    relayDTMF: false,
  };
  const conf: SdkElement = r.addConference('standup', attrs);
  const xml = built(r, [conf, attrs]);
  assert.deepEqual(only(xml), {
    kind: 'Conference', name: 'standup', ...attrs,
    enterSound: { type: 'beep', beeps: 2 },
    exitSound: { type: 'url', url: 'https://app.example.com/bye' },
    digitsMatch: ['#1'],
  });
});

test('MultiPartyCall with every attribute (the builder also fills in its defaults)', () => {
  const r = plivo.Response();
  const attrs = {
    role: 'Supervisor', maxDuration: 900, maxParticipants: 4, recordMinMemberCount: 2,
    waitMusicUrl: 'https://app.example.com/wait.xml', waitMusicMethod: 'POST',
    agentHoldMusicUrl: 'https://app.example.com/agent-hold.xml', agentHoldMusicMethod: 'POST',
    customerHoldMusicUrl: 'https://app.example.com/customer-hold.xml', customerHoldMusicMethod: 'POST',
    record: true, recordFileFormat: 'wav', recordingCallbackUrl: 'https://app.example.com/rec',
    recordingCallbackMethod: 'POST', statusCallbackEvents: 'participant-speak-events,mpc-state-changes',
    statusCallbackUrl: 'https://app.example.com/mpc', statusCallbackMethod: 'GET', stayAlone: true, coachMode: false,
    mute: true, hold: true, startMpcOnEnter: false, endMpcOnExit: true, enterSound: 'none', enterSoundMethod: 'POST',
    exitSound: 'https://app.example.com/exit.xml', exitSoundMethod: 'POST',
    onExitActionUrl: 'https://app.example.com/after', onExitActionMethod: 'GET', relayDTMFInputs: true,
    startRecordingAudio: 'https://app.example.com/rec-start.xml', startRecordingAudioMethod: 'POST',
    stopRecordingAudio: 'https://app.example.com/rec-stop.xml', stopRecordingAudioMethod: 'POST',
    recordParticipantTrack: true,
  };
  const mpc: SdkElement = r.addMultiPartyCall('support-42', { ...attrs });
  const xml = built(r, [mpc, attrs]);
  assert.deepEqual(only(xml), {
    kind: 'MultiPartyCall', name: 'support-42', ...attrs,
    role: 'supervisor',
    statusCallbackEvents: ['participant-speak-events', 'mpc-state-changes'],
    enterSound: { type: 'none' },
    exitSound: { type: 'url', url: 'https://app.example.com/exit.xml' },
    // The builder turns false into its default for these two (`!value`), so
    // its document says true; written by hand, false is honoured (below).
    coachMode: true,
    startMpcOnEnter: true,
  });
  const handWritten = only('<Response><MultiPartyCall role="agent" coachMode="false" startMpcOnEnter="false">r</MultiPartyCall></Response>');
  assert.equal(handWritten.kind === 'MultiPartyCall' && handWritten.coachMode, false);
  assert.equal(handWritten.kind === 'MultiPartyCall' && handWritten.startMpcOnEnter, false);

  // With only a role, the defaults the builder writes out equal the ones we apply.
  const minimal = plivo.Response();
  minimal.addMultiPartyCall('room', { role: 'customer' });
  assert.deepEqual(only(minimal.toXML()), only('<Response><MultiPartyCall role="customer">room</MultiPartyCall></Response>'));
});

test('Stream with every attribute', () => {
  const r = plivo.Response();
  const attrs = {
    bidirectional: true, audioTrack: 'inbound', streamTimeout: 120, statusCallbackUrl: 'https://app.example.com/stream',
    statusCallbackMethod: 'GET', contentType: 'audio/x-mulaw;rate=8000', extraHeaders: 'callId=abc123,tenant=7',
    keepCallAlive: true,
  };
  const stream: SdkElement = r.addStream('wss://ai.example.com/agent', attrs);
  const xml = built(r, [stream, attrs]);
  assert.deepEqual(only(xml), {
    kind: 'Stream', url: 'wss://ai.example.com/agent', ...attrs, extraHeaders: { callId: 'abc123', tenant: '7' },
    noiseCancellation: false, noiseCancellationLevel: 85,
  });
});

test('Message, Redirect, Hangup and DTMF with every attribute', () => {
  const r = plivo.Response();
  const messageAttrs = { src: '14155550100', dst: '14155550111<14155550122', type: 'sms', callbackUrl: 'https://app.example.com/dlr', callbackMethod: 'GET' };
  const redirectAttrs = { method: 'GET' };
  const hangupAttrs = { schedule: 30, reason: 'busy' };
  const dtmfAttrs = { digits: '99', async: false };
  const message: SdkElement = r.addMessage('Your code is 1234', messageAttrs);
  const redirect: SdkElement = r.addRedirect('https://app.example.com/next', redirectAttrs);
  const hangup: SdkElement = r.addHangup(hangupAttrs);
  const dtmf: SdkElement = r.addDTMF('12w#', dtmfAttrs);
  const xml = built(r, [message, messageAttrs], [redirect, redirectAttrs], [hangup, hangupAttrs], [dtmf, dtmfAttrs]);
  assert.deepEqual(parsed(xml).verbs, [
    { kind: 'Message', text: 'Your code is 1234', ...messageAttrs, dst: ['14155550111', '14155550122'] },
    { kind: 'Redirect', url: 'https://app.example.com/next', method: 'GET' },
    { kind: 'Hangup', reason: 'busy', schedule: 30 },
    // The text is the digits to send; the builder's `digits` attribute is used only without text.
    { kind: 'DTMF', digits: '12w#', async: false },
  ]);
  assert.deepEqual(only('<Response><DTMF digits="1w2"/></Response>'), { kind: 'DTMF', digits: '1w2', async: true });
});

test('PreAnswer with every verb the builder lets it hold', () => {
  const r = plivo.Response();
  const pre: SdkElement = r.addPreAnswer();
  pre.addPlay('https://example.com/ringback.mp3');
  pre.addSpeak('Please hold');
  pre.addGetDigits({ numDigits: 1 }).addSpeak('Press 1 to skip');
  pre.addWait({ length: 1 });
  pre.addRedirect('https://app.example.com/early');
  pre.addMessage('Missed you', { dst: '14155550111' });
  pre.addDTMF('1');
  const xml = built(r, [pre, {}]);
  const verb = only(xml);
  assert.equal(verb.kind, 'PreAnswer');
  assert.deepEqual(verb.verbs.map((v) => v.kind), ['Play', 'Speak', 'GetDigits', 'Wait', 'Redirect', 'Message', 'DTMF']);
});

test('each container accepts exactly the children the builder can nest in it', () => {
  const r = plivo.Response();
  const pre: SdkElement = r.addPreAnswer();
  pre.addWait({});
  const gd: SdkElement = r.addGetDigits({});
  gd.addWait({});
  const gi: SdkElement = r.addGetInput({ action: 'https://app.example.com/in', inputType: 'dtmf' });
  gi.addWait({});
  const dial: SdkElement = r.addDial({});
  dial.addNumber('123');
  const speak: SdkElement = r.addSpeak('x');
  const ssmlAttrs = { addEmphasis: {}, addLang: { 'xml:lang': 'de-DE' }, addP: {}, addProsody: {}, addS: {}, addW: { role: 'amazon:VB' } };
  const ssml = Object.entries(ssmlAttrs).map(([m, attrs]) => speak[m as `add${string}`]('y', attrs));
  const xml = r.toXML();
  assert.ok(parsePlivoXml(xml).ok);
  const containers = [{ element: 'Response', nestables: (r as SdkElement).nestables }, pre, gd, gi, dial, speak, ...ssml];
  for (const c of containers) {
    const stranger = c.element === 'Dial' ? '<Play>https://example.com/a.mp3</Play>' : '<Number>1</Number>';
    const result = parsePlivoXml(xml.replace(`</${c.element}>`, `${stranger}</${c.element}>`));
    assert.equal(result.ok, false, `stranger accepted in <${c.element}>`);
    const listed = /may contain (.*)$/.exec((result as { error: string }).error)?.[1]?.split(', ');
    assert.deepEqual([...(listed ?? [])].sort(), [...c.nestables].sort(), `children of <${c.element}>`);
  }
});

test('Stream takes only its URL: the SSML children its builder allows are refused', () => {
  const r = plivo.Response();
  const stream: SdkElement = r.addStream('wss://ai.example.com/agent', {});
  assert.ok(stream.nestables.includes('break'));
  stream.addBreak({ time: '1s' });
  const result = parsePlivoXml(r.toXML());
  assert.deepEqual(result, { ok: false, error: '<break> is not allowed inside <Stream>; <Stream> may contain only text' });
});
