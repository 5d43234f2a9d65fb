// Defaults, every class of bad value, nesting, unknown elements and hostile
// documents: each ends in one clear sentence, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlivoXml } from '../../src/plivo-xml/parse.ts';
import type { Verb } from '../../src/plivo-xml/ast.ts';

function verbs(xml: string): Verb[] {
  const result = parsePlivoXml(xml);
  if (!result.ok) assert.fail(result.error);
  return result.doc.verbs;
}

function errorOf(xml: string): string {
  const result = parsePlivoXml(xml);
  assert.equal(result.ok, false, `accepted: ${xml}`);
  return (result as { error: string }).error;
}

test('an element without attributes gets every documented default', () => {
  const doc = `<Response>
    <Speak>Hi</Speak>
    <Play>https://example.com/a.mp3</Play>
    <Wait/>
    <GetDigits/>
    <GetInput action="https://app.example.com/in" inputType="speech"/>
    <Record/>
    <Dial><Number>14155551234</Number><User>sip:bob@example.com</User></Dial>
    <Conference>room</Conference>
    <MultiPartyCall role="agent">mpc</MultiPartyCall>
    <Stream>wss://stream.example.com/a</Stream>
    <Message dst="14155550111">hello</Message>
    <Redirect>https://app.example.com/next</Redirect>
    <Hangup/>
    <PreAnswer/>
    <DTMF>1</DTMF>
  </Response>`;
  assert.deepEqual(verbs(doc), [
    { kind: 'Speak', voice: 'WOMAN', language: 'en-US', loop: 1, content: [{ kind: 'text', text: 'Hi' }], text: 'Hi' },
    { kind: 'Play', loop: 1, url: 'https://example.com/a.mp3' },
    { kind: 'Wait', length: 1, silence: false, minSilence: 2000, beep: false },
    {
      kind: 'GetDigits', action: undefined, method: 'POST', timeout: 5, digitTimeout: 2, finishOnKey: '#', numDigits: 99,
      retries: 1, invalidDigitsSound: undefined, validDigits: '1234567890*#', playBeep: false, redirect: true, log: true, prompts: [],
    },
    {
      kind: 'GetInput', action: 'https://app.example.com/in', method: 'POST', inputType: 'speech', executionTimeout: 15,
      digitEndTimeout: 'auto', speechEndTimeout: 'auto', finishOnKey: '#', numDigits: 32, speechModel: 'default', hints: [],
      language: 'en-US', interimSpeechResultsCallback: undefined, interimSpeechResultsCallbackMethod: 'POST', log: true,
      redirect: true, profanityFilter: false, prompts: [],
    },
    {
      kind: 'Record', action: undefined, method: 'POST', timeout: 15, finishOnKey: '#', maxLength: undefined, playBeep: true,
      recordSession: false, startOnDialAnswer: false, redirect: true, fileFormat: 'mp3', callbackUrl: undefined,
      callbackMethod: 'POST', transcriptionType: undefined, transcriptionUrl: undefined, transcriptionMethod: 'POST',
      recordChannelType: 'stereo',
    },
    {
      kind: 'Dial', action: undefined, method: 'POST', timeout: undefined, hangupOnStar: false, timeLimit: 14400,
      callerId: undefined, callerName: undefined, confirmSound: undefined, confirmKey: undefined, confirmTimeout: 120,
      dialMusic: undefined, redirect: true, callbackUrl: undefined, callbackMethod: 'POST', digitsMatch: [],
      digitsMatchBLeg: [], sipHeaders: {},
      targets: [
        { kind: 'Number', number: '14155551234', sendDigits: undefined, sendOnPreanswer: false, sendDigitsMode: undefined, callerId: undefined, callerName: undefined },
        { kind: 'User', uri: 'sip:bob@example.com', sendDigits: undefined, sendOnPreanswer: false, sipHeaders: {}, callerId: undefined, callerName: undefined },
      ],
    },
    {
      kind: 'Conference', name: 'room', muted: false, beep: false, startConferenceOnEnter: true, endConferenceOnExit: false,
      stayAlone: true, waitSound: undefined, enterSound: { type: 'none' }, exitSound: { type: 'none' }, timeLimit: 86400,
      hangupOnStar: false, maxMembers: 20, record: false, recordWhenAlone: false, recordFileFormat: 'mp3', action: undefined,
      method: 'POST', redirect: true, digitsMatch: [], callbackUrl: undefined, callbackMethod: 'POST', floorEvent: false,
      transcriptionType: undefined, transcriptionUrl: undefined, transcriptionMethod: 'POST', relayDTMF: true,
    },
    {
      kind: 'MultiPartyCall', name: 'mpc', role: 'agent', maxDuration: 14400, maxParticipants: 10, recordMinMemberCount: 1,
      waitMusicUrl: undefined, waitMusicMethod: 'GET', agentHoldMusicUrl: undefined, agentHoldMusicMethod: 'GET',
      customerHoldMusicUrl: undefined, customerHoldMusicMethod: 'GET', record: false, recordFileFormat: 'mp3',
      recordingCallbackUrl: undefined, recordingCallbackMethod: 'GET',
      statusCallbackEvents: ['mpc-state-changes', 'participant-state-changes'], statusCallbackUrl: undefined,
      statusCallbackMethod: 'POST', stayAlone: false, coachMode: true, mute: false, hold: false, startMpcOnEnter: true,
      endMpcOnExit: false, enterSound: { type: 'beep', beeps: 1 }, enterSoundMethod: 'GET', exitSound: { type: 'beep', beeps: 2 },
      exitSoundMethod: 'GET', onExitActionUrl: undefined, onExitActionMethod: 'POST', relayDTMFInputs: false,
      startRecordingAudio: undefined, startRecordingAudioMethod: 'GET', stopRecordingAudio: undefined,
      stopRecordingAudioMethod: 'GET', recordParticipantTrack: false,
    },
    {
      kind: 'Stream', url: 'wss://stream.example.com/a', bidirectional: false, audioTrack: 'inbound', streamTimeout: 86400,
      statusCallbackUrl: undefined, statusCallbackMethod: 'POST', contentType: 'audio/x-l16;rate=8000', extraHeaders: {},
      keepCallAlive: false, noiseCancellation: false, noiseCancellationLevel: 85,
    },
    { kind: 'Message', text: 'hello', src: undefined, dst: ['14155550111'], type: 'sms', callbackUrl: undefined, callbackMethod: 'POST' },
    { kind: 'Redirect', url: 'https://app.example.com/next', method: 'POST' },
    { kind: 'Hangup', reason: undefined, schedule: undefined },
    { kind: 'PreAnswer', verbs: [] },
    { kind: 'DTMF', digits: '1', async: true },
  ]);
});

test('values are read leniently where the SDKs write them differently', () => {
  const [speak, gd, mpc, gi] = verbs(`<Response>
    <Speak voice="man" loop="0">Hi</Speak>
    <GetDigits method="get" playBeep="TRUE" finishOnKey="" action=""/>
    <MultiPartyCall role="Customer" recordFileFormat="WAV" statusCallbackEvents="MPC-State-Changes" enterSound="" exitSound="BEEP:1">m</MultiPartyCall>
    <GetInput action="https://app.example.com/in?x=1" inputType=" speech  dtmf " digitEndTimeout="AUTO" speechEndTimeout="10"/>
  </Response>`);
  assert.deepEqual(speak.kind === 'Speak' && [speak.voice, speak.loop], ['MAN', 0]);
  assert.deepEqual(gd.kind === 'GetDigits' && [gd.method, gd.playBeep, gd.finishOnKey, gd.action], ['GET', true, '', undefined]);
  assert.deepEqual(
    mpc.kind === 'MultiPartyCall' && [mpc.role, mpc.recordFileFormat, mpc.statusCallbackEvents, mpc.enterSound, mpc.exitSound],
    ['customer', 'wav', ['mpc-state-changes'], { type: 'none' }, { type: 'beep', beeps: 1 }],
  );
  assert.deepEqual(
    gi.kind === 'GetInput' && [gi.action, gi.inputType, gi.digitEndTimeout, gi.speechEndTimeout],
    ['https://app.example.com/in?x=1', 'dtmf speech', 'auto', 10],
  );
});

test('each class of bad value is refused with the element, attribute, value and what is allowed', () => {
  const cases: [string, string][] = [
    ['<GetDigits numDigits="abc"/>', '<GetDigits numDigits="abc">: numDigits must be a positive integer'],
    ['<GetDigits timeout="0"/>', '<GetDigits timeout="0">: timeout must be a positive integer'],
    ['<GetDigits retries="1.5"/>', '<GetDigits retries="1.5">: retries must be a positive integer'],
    ['<GetInput action="https://a.example.com/a" inputType="dtmf" executionTimeout="61"/>', '<GetInput executionTimeout="61">: executionTimeout must be an integer from 5 to 60'],
    ['<GetInput action="https://a.example.com/a" inputType="dtmf" digitEndTimeout="1"/>', '<GetInput digitEndTimeout="1">: digitEndTimeout must be an integer from 2 to 10, or auto'],
    ['<GetInput action="https://a.example.com/a" inputType="voice"/>', '<GetInput inputType="voice">: inputType must be dtmf, speech or dtmf speech'],
    ['<GetInput inputType="dtmf"/>', '<GetInput>: action is required and must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<GetInput action="https://a.example.com/a" inputType="dtmf" language="english!"/>', '<GetInput language="english!">: language must be a language tag such as en-US'],
    ['<Wait silence="yes"/>', '<Wait silence="yes">: silence must be true or false'],
    ['<Record method="PUT"/>', '<Record method="PUT">: method must be GET or POST'],
    ['<Record fileFormat="ogg"/>', '<Record fileFormat="ogg">: fileFormat must be mp3 or wav'],
    ['<Record maxLength="1"/>', '<Record maxLength="1">: maxLength must be an integer of at least 2'],
    ['<Record action="javascript:alert(1)"/>', '<Record action="javascript:alert(1)">: action must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<Record finishOnKey="A"/>', '<Record finishOnKey="A">: finishOnKey must be DTMF keys (0-9, *, #) or none'],
    ['<GetDigits finishOnKey="12"/>', '<GetDigits finishOnKey="12">: finishOnKey must be one of 0-9, *, # or none'],
    ['<GetDigits validDigits="12x"/>', '<GetDigits validDigits="12x">: validDigits must be DTMF keys (0-9, *, #)'],
    ['<Speak voice="ROBOT">hi</Speak>', '<Speak voice="ROBOT">: voice must be WOMAN, MAN or an Amazon Polly voice such as Polly.Joanna'],
    ['<Speak loop="-1">hi</Speak>', '<Speak loop="-1">: loop must be a whole number of 0 or more'],
    ['<Dial callerName="' + 'x'.repeat(51) + '"><Number>1</Number></Dial>', `<Dial callerName="${'x'.repeat(51)}">: callerName must be at most 50 characters`],
    ['<Dial confirmKey="**"><Number>1</Number></Dial>', '<Dial confirmKey="**">: confirmKey must be one of 0-9, *, #'],
    ['<Dial dialMusic="ftp://x/y"><Number>1</Number></Dial>', '<Dial dialMusic="ftp://x/y">: dialMusic must be real or a fully qualified http(s) URL'],
    ['<Dial digitsMatch="12,ab"><Number>1</Number></Dial>', '<Dial digitsMatch="12,ab">: digitsMatch must be comma-separated DTMF patterns (0-9, *, #)'],
    ['<Dial sipHeaders="a b=c"><Number>1</Number></Dial>', `<Dial sipHeaders="a b=c">: sipHeaders must be comma-separated name=value pairs (names of letters, digits and '-')`],
    ['<Dial><Number sendDigits="12x">1</Number></Dial>', '<Number sendDigits="12x">: sendDigits must be DTMF keys (0-9, *, #) with optional w or W pauses'],
    ['<Conference maxMembers="21">r</Conference>', '<Conference maxMembers="21">: maxMembers must be an integer from 1 to 20'],
    ['<Conference enterSound="beep:3">r</Conference>', '<Conference enterSound="beep:3">: enterSound must be beep:1, beep:2, none or a fully qualified http(s) URL'],
    ['<MultiPartyCall role="boss">m</MultiPartyCall>', '<MultiPartyCall role="boss">: role must be agent, supervisor or customer'],
    ['<MultiPartyCall role="agent" maxDuration="299">m</MultiPartyCall>', '<MultiPartyCall maxDuration="299">: maxDuration must be an integer from 300 to 28800'],
    ['<MultiPartyCall role="agent" statusCallbackEvents="everything">m</MultiPartyCall>', '<MultiPartyCall statusCallbackEvents="everything">: statusCallbackEvents must be a comma-separated list of mpc-state-changes, participant-state-changes, participant-speak-events, participant-digit-input-events or add-participant-api-events'],
    ['<Stream contentType="audio/wav">wss://a.example.com</Stream>', '<Stream contentType="audio/wav">: contentType must be audio/x-l16;rate=8000, audio/x-l16;rate=16000 or audio/x-mulaw;rate=8000'],
    ['<Stream extraHeaders="' + 'a=b,'.repeat(130) + '">wss://a.example.com</Stream>', `<Stream extraHeaders="${'a=b,'.repeat(15)}…">: extraHeaders must be comma-separated name=value pairs (names of letters, digits and '-', at most 512 characters)`],
    ['<Stream bidirectional="true" audioTrack="both">wss://a.example.com</Stream>', '<Stream audioTrack="both">: audioTrack must be inbound when bidirectional is true'],
    ['<Message>hi</Message>', '<Message>: dst is required and must be one or more phone numbers separated by <'],
    ['<Message dst="1415&lt;x">hi</Message>', '<Message dst="1415<x">: dst must be one or more phone numbers separated by <'],
    ['<Message dst="14155550100" type="mms">hi</Message>', '<Message type="mms">: type must be sms'],
    ['<Hangup reason="tired"/>', '<Hangup reason="tired">: reason must be rejected or busy'],
    ['<Hangup schedule="soon"/>', '<Hangup schedule="soon">: schedule must be a positive integer'],
    ['<DTMF async="maybe">1</DTMF>', '<DTMF async="maybe">: async must be true or false'],
    ['<Speak><break time="11s"/>x</Speak>', '<break time="11s">: time must be a duration such as 500ms or 2s, at most 10s'],
    ['<Speak><emphasis level="loud">x</emphasis></Speak>', '<emphasis level="loud">: level must be strong, moderate or reduced'],
    ['<Speak><prosody rate="warp">x</prosody></Speak>', '<prosody rate="warp">: rate must be x-slow, slow, medium, fast, x-fast or a percentage such as 80%'],
    ['<Speak><say-as interpret-as="poem">x</say-as></Speak>', '<say-as interpret-as="poem">: interpret-as must be characters, spell-out, cardinal, number, ordinal, digits, fraction, unit, date, time, address, expletive or telephone'],
    ['<Speak><say-as interpret-as="date" format="yyy">1</say-as></Speak>', '<say-as format="yyy">: format must be one of mdy, dmy, ymd, md, dm, ym, my, d, m, y, yyyymmdd when interpret-as is date'],
    ['<Speak><lang>x</lang></Speak>', '<lang>: lang is required and must be a language tag such as fr-FR'],
    ['<Speak><w role="noun">x</w></Speak>', '<w role="noun">: role must be a part-of-speech role such as amazon:VB, amazon:VBD or amazon:SENSE_1'],
  ];
  for (const [inner, expected] of cases) assert.equal(errorOf(`<Response>${inner}</Response>`), expected);
});

test('contents that are missing or of the wrong kind are refused', () => {
  const cases: [string, string][] = [
    ['<Speak/>', '<Speak> must contain the text to say'],
    ['<Speak><break/></Speak>', '<Speak> must contain the text to say'],
    ['<Play/>', '<Play> must contain the URL of an audio file'],
    ['<Play>file:///etc/passwd</Play>', '<Play> must contain a fully qualified http(s) URL (found "file:///etc/passwd")'],
    ['<Redirect>not a url</Redirect>', '<Redirect> must contain a fully qualified http(s) URL (found "not a url")'],
    ['<Stream>https://a.example.com</Stream>', '<Stream> must contain a ws:// or wss:// URL (found "https://a.example.com")'],
    ['<Dial/>', '<Dial> must contain at least one <Number> or <User>'],
    ['<Dial><Number>call me</Number></Dial>', '<Number> must contain a phone number (found "call me")'],
    ['<Dial><User>bob</User></Dial>', '<User> must contain a SIP URI such as sip:alice@example.com (found "bob")'],
    ['<Dial>14155551234</Dial>', '<Dial> must not contain text (found "14155551234")'],
    ['<Conference/>', '<Conference> must contain the conference name'],
    ['<DTMF/>', '<DTMF> must contain the digits to send'],
    ['<DTMF>12a</DTMF>', '<DTMF> must contain DTMF keys (0-9, *, #) with optional w or W pauses (found "12a")'],
    ['<Wait>5</Wait>', '<Wait> must be empty (found "5")'],
    ['<Hangup><Speak>bye</Speak></Hangup>', '<Hangup> must be empty (found <Speak>)'],
    ['<Speak><break>x</break>y</Speak>', '<break> must be empty (found "x")'],
    ['<Speak><sub alias="a"><break/></sub></Speak>', '<break> is not allowed inside <sub>; <sub> may contain only text'],
    ['hello<Speak>x</Speak>', '<Response> must not contain text (found "hello")'],
  ];
  for (const [inner, expected] of cases) assert.equal(errorOf(`<Response>${inner}</Response>`), expected);
});

test('bad nesting, unknown elements and unknown attributes are named', () => {
  const cases: [string, string][] = [
    ['<GetDigits><Dial><Number>1</Number></Dial></GetDigits>', '<Dial> is not allowed inside <GetDigits>; <GetDigits> may contain Speak, Play, Wait'],
    ['<Number>14155551234</Number>', '<Number> is not allowed inside <Response>; <Response> may contain Speak, Play, GetDigits, GetInput, Record, Dial, Message, Redirect, Wait, Hangup, PreAnswer, Conference, DTMF, MultiPartyCall, Stream'],
    ['<PreAnswer><Record/></PreAnswer>', '<Record> is not allowed inside <PreAnswer>; <PreAnswer> may contain Play, Speak, GetDigits, Wait, Redirect, Message, DTMF'],
    ['<PreAnswer><PreAnswer/></PreAnswer>', '<PreAnswer> is not allowed inside <PreAnswer>; <PreAnswer> may contain Play, Speak, GetDigits, Wait, Redirect, Message, DTMF'],
    ['<GetDigits><GetDigits/></GetDigits>', '<GetDigits> is not allowed inside <GetDigits>; <GetDigits> may contain Speak, Play, Wait'],
    ['<Speak><p><p>x</p></p></Speak>', '<p> is not allowed inside <p>; <p> may contain break, emphasis, lang, prosody, s, say-as, sub, w'],
    ['<break/>', '<break> is not allowed inside <Response>; <Response> may contain Speak, Play, GetDigits, GetInput, Record, Dial, Message, Redirect, Wait, Hangup, PreAnswer, Conference, DTMF, MultiPartyCall, Stream'],
    ['<Say>hi</Say>', '<Say> is not a Plivo XML element; <Response> may contain Speak, Play, GetDigits, GetInput, Record, Dial, Message, Redirect, Wait, Hangup, PreAnswer, Conference, DTMF, MultiPartyCall, Stream'],
    ['<getDigits/>', '<getDigits> is not a Plivo XML element (element names are case-sensitive: did you mean <GetDigits>?)'],
    ['<Speak><Break/>x</Speak>', '<Break> is not a Plivo XML element (element names are case-sensitive: did you mean <break>?)'],
    ['<Speak><audio src="x"/>x</Speak>', '<audio> is not a Plivo XML element; <Speak> may contain break, emphasis, lang, p, phoneme, prosody, s, say-as, sub, w'],
    ['<GetDigits numdigits="4"/>', '<GetDigits numdigits="4">: numdigits is not an attribute of <GetDigits> (attribute names are case-sensitive: did you mean numDigits?)'],
    ['<Play volume="3">https://a.example.com/a.mp3</Play>', '<Play volume="3">: volume is not an attribute of <Play>; allowed: loop'],
    ['<PreAnswer timeout="3"/>', '<PreAnswer timeout="3">: timeout is not an attribute of <PreAnswer>; <PreAnswer> takes no attributes'],
  ];
  for (const [inner, expected] of cases) assert.equal(errorOf(`<Response>${inner}</Response>`), expected);
  assert.equal(errorOf('<Response version="2"/>'), '<Response version="2">: version is not an attribute of <Response>; <Response> takes no attributes');
});

test('document-level problems: root, prolog, emptiness, malformed XML', () => {
  assert.deepEqual(parsePlivoXml('<Response/>'), { ok: true, doc: { verbs: [] } });
  assert.deepEqual(parsePlivoXml('\uFEFF\r\n  <?xml version="1.0" encoding="UTF-8"?>\n<!-- app v2 -->\n<Response>\n</Response>\n'), { ok: true, doc: { verbs: [] } });
  const cases: [string, string][] = [
    ['', 'the document is empty; expected <Response>'],
    ['  \n ', 'the document is empty; expected <Response>'],
    ['{"verbs":[]}', 'the document is not XML (it starts with "{\\"verbs\\":[]}")'],
    ['<Speak>hi</Speak>', 'the root element is <Speak>; Plivo XML documents start with <Response>'],
    ['<response/>', 'the root element is <response>; Plivo XML documents start with <Response>'],
    ['<Response><Speak>hi</Response>', 'malformed XML at line 1, column 30: unexpected close tag'],
    ['<Response><Speak>hi</Speak>', 'malformed XML at line 1, column 27: unclosed tag: Response'],
    ['<Response/><Response/>', 'malformed XML at line 1, column 21: documents may contain only one root'],
    ['<Response><Speak a="1" a="2">x</Speak></Response>', 'malformed XML at line 1, column 29: duplicate attribute: a'],
    ['<Response><Speak>fish & chips</Speak></Response>', 'malformed XML at line 1, column 23: a bare & must be written as &amp;'],
    ['<Response>\n  <Play loop="1">https://a.example.com/a.mp3?x=1&y=2</Play></Response>', 'malformed XML at line 2, column 49: a bare & must be written as &amp;'],
    ['<Response><Speak>&nbsp;</Speak></Response>', 'malformed XML at line 1, column 23: undefined entity'],
  ];
  for (const [xml, expected] of cases) assert.equal(errorOf(xml), expected);
  // Line numbers count the blank lines some servers send before the declaration.
  assert.equal(errorOf('\n\n<?xml version="1.0"?>\n<Response>\n<Speak>hi</Speek>\n</Response>'), 'malformed XML at line 5, column 17: unexpected close tag');
  // Character references are real XML and are decoded.
  const [speak] = verbs('<Response><Speak>caf&#233; &#x263A; &lt;3</Speak></Response>');
  assert.equal(speak.kind === 'Speak' && speak.text, 'café ☺ <3');
});

test('hostile documents: entity expansion, external entities, deep nesting, size, junk, non-text', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><Response><Speak>&lol9;</Speak></Response>`;
  assert.equal(errorOf(laughs), 'DOCTYPE declarations are not allowed in Plivo XML');
  assert.equal(errorOf('<!DOCTYPE r SYSTEM "file:///etc/passwd"><Response/>'), 'DOCTYPE declarations are not allowed in Plivo XML');
  assert.equal(errorOf('<Response><Speak>&xxe;</Speak></Response>'), 'malformed XML at line 1, column 22: undefined entity');

  const deep = `<Response>${'<p>'.repeat(30_000)}</Response>`;
  assert.equal(errorOf(deep), 'elements are nested more than 32 levels deep');
  const deepSsml = `<Response><Speak>${'<prosody>'.repeat(28)}deep${'</prosody>'.repeat(28)}</Speak></Response>`;
  assert.equal(verbs(deepSsml).length, 1);

  // The platform's 100 KB: 100,000 bytes of UTF-8 run, one more does not.
  const wrap = (n: number) => `<Response>${'<Wait/>'.repeat(n)}</Response>`;
  const atLimit = wrap(14_282) + ' '.repeat(100_000 - wrap(14_282).length);
  assert.equal(Buffer.byteLength(atLimit), 100_000);
  assert.equal(verbs(atLimit).length, 14_282);
  assert.equal(errorOf(atLimit + ' '), "the document is larger than 100 KB (100000 bytes), the platform's limit");
  assert.equal(errorOf(`<Response><Speak>${'é'.repeat(50_000)}</Speak></Response>`), "the document is larger than 100 KB (100000 bytes), the platform's limit");

  assert.match(errorOf('<Response>\u0000</Response>'), /^malformed XML at line 1, column \d+: disallowed character/);
  assert.match(errorOf(String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 7919) % 256))), /^the document is not XML|^malformed XML/);
  for (const junk of [undefined, null, 42, {}, Buffer.from('<Response/>')]) {
    assert.deepEqual(parsePlivoXml(junk as unknown as string), { ok: false, error: 'the document is not text' });
  }
});

test('as on the platform: URLs are fully qualified, the attribute named (#21.1)', () => {
  const cases: [string, string][] = [
    ['<GetDigits action="/next"/>', '<GetDigits action="/next">: action must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<Record callbackUrl="recordings/done"/>', '<Record callbackUrl="recordings/done">: callbackUrl must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<Dial action="//app.example.com/dialed"><Number>1</Number></Dial>', '<Dial action="//app.example.com/dialed">: action must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<Conference waitSound="?music=1">room</Conference>', '<Conference waitSound="?music=1">: waitSound must be a fully qualified http(s) URL (relative ones fail on the platform)'],
    ['<Redirect>/next</Redirect>', '<Redirect> must contain a fully qualified http(s) URL (found "/next")'],
    ['<Play>hold.mp3</Play>', '<Play> must contain a fully qualified http(s) URL (found "hold.mp3")'],
  ];
  for (const [inner, expected] of cases) assert.equal(errorOf(`<Response>${inner}</Response>`), expected);
  assert.equal(verbs('<Response><GetDigits action="HTTPS://App.Example.com:8443/next?a=1#x"/></Response>').length, 1);
});

test('as on the platform: Speak voice and language from its published lists (#21.3)', () => {
  for (const [voice, language] of [['WOMAN', 'en-US'], ['MAN', 'en-GB'], ['man', 'ja-JP'], ['WOMAN', 'cmn-CN'], ['MAN', 'en-GB-WLS'],
    ['Polly.Joanna', 'en-US'], ['Polly.Celine', 'fr-FR'], ['Polly.Amy-Neural', 'en-GB'], ['Polly.Zeina', 'arb']]) {
    assert.equal(verbs(`<Response><Speak voice="${voice}" language="${language}">hi</Speak></Response>`).length, 1, `${voice} ${language}`);
  }
  assert.equal(verbs('<Response><Speak voice="Polly.Matthew">hi</Speak></Response>').length, 1, 'a US voice needs no language');
  const cases: [string, string][] = [
    ['<Speak language="xx-YY">hi</Speak>', '<Speak voice="WOMAN" language="xx-YY">: language xx-YY is not one the platform speaks; use one of arb, cmn-CN, da-DK, nl-NL, en-AU, en-IN, en-GB, en-US, en-GB-WLS, fr-CA, fr-FR, de-DE, hi-IN, is-IS, it-IT, ja-JP, ko-KR, nb-NO, pl-PL, pt-BR, pt-PT, ro-RO, ru-RU, es-MX, es-ES, es-US, sv-SE, tr-TR, cy-GB'],
    ['<Speak voice="MAN" language="ko-KR">hi</Speak>', '<Speak voice="MAN" language="ko-KR">: ko-KR has no MAN voice on the platform (only WOMAN)'],
    ['<Speak voice="WOMAN" language="en-GB-WLS">hi</Speak>', '<Speak voice="WOMAN" language="en-GB-WLS">: en-GB-WLS has no WOMAN voice on the platform (only MAN)'],
    ['<Speak voice="Polly.Celine">bonjour</Speak>', '<Speak voice="Polly.Celine" language="en-US">: Polly.Celine speaks fr-FR, not en-US; set language="fr-FR"'],
    ['<Speak voice="Polly.Joanna" language="en-GB">hi</Speak>', '<Speak voice="Polly.Joanna" language="en-GB">: Polly.Joanna speaks en-US, not en-GB; set language="en-US"'],
    ['<Speak voice="Polly.Nobody">hi</Speak>', '<Speak voice="Polly.Nobody" language="en-US">: voice Polly.Nobody is not one the platform offers: WOMAN, MAN or an Amazon Polly voice such as Polly.Joanna'],
  ];
  for (const [inner, expected] of cases) assert.equal(errorOf(`<Response>${inner}</Response>`), expected);
});

test("attributes only the platform's reference pages document are read: Stream noise cancellation (#21.7)", () => {
  const [stream] = verbs('<Response><Stream noiseCancellation="true" noiseCancellationLevel="60">wss://a.example.com/s</Stream></Response>');
  assert.deepEqual(stream.kind === 'Stream' && [stream.noiseCancellation, stream.noiseCancellationLevel], [true, 60]);
  assert.equal(
    errorOf('<Response><Stream noiseCancellationLevel="101">wss://a.example.com/s</Stream></Response>'),
    '<Stream noiseCancellationLevel="101">: noiseCancellationLevel must be an integer from 60 to 100',
  );
});
