// Every Plivo verb: its attributes (names exactly as the SDK's builder emits
// them, plus those only the platform's XML reference pages document; defaults
// and ranges as the platform documents them) and its content.
import type {
  ConferenceVerb, DialNumber, DialUser, DialVerb, DtmfVerb, GetDigitsVerb, GetInputVerb, HangupVerb,
  MessageVerb, MpcStatusEvent, MultiPartyCallVerb, PlayVerb, PreAnswerVerb, RecordVerb, RedirectVerb,
  SpeakVerb, StreamVerb, Verb, WaitVerb,
} from './ast.ts';
import {
  type Schema, INVALID, KEYS_WITH_PAUSES, KEYS_WITH_PAUSES_WORDS, LANGUAGE, attr, bool, finishKeys, headers, int,
  isHttpUrl, isWebSocketUrl, keyPatterns, keysToSend, listOf, method, named, noAttributes, oneOf, phrases, readAttrs,
  required, sound, tag, text, url,
} from './attrs.ts';
import { fail, shown } from './failure.ts';
import { type VerbName, SSML_NAMES, VERB_NAMES, allowedChild, bodyText, elementsOnly, mustBeEmpty, textOnly } from './nesting.ts';
import { readSsml, ssmlToText } from './ssml.ts';
import { speakVoiceProblem } from '../platform/speak-voices.ts';
import type { XElement } from './tree.ts';

type Attrs<V, Content extends string = never> = Schema<Omit<V, 'kind' | Content>>;
type VerbOf<N extends VerbName> = Extract<Verb, { kind: N }>;

/** What may run inside PreAnswer, per the SDK's builder. */
const PRE_ANSWER_VERBS = ['Play', 'Speak', 'GetDigits', 'Wait', 'Redirect', 'Message', 'DTMF'] as const;
const PROMPTS = ['Speak', 'Play', 'Wait'] as const;

/** One element, given as data (API input checked by the element's own rules), as its verb. */
export function readVerb(el: XElement): Verb {
  return BUILDERS[allowedChild({ name: 'Response', attrs: new Map(), children: [el] }, el, VERB_NAMES)](el);
}

/** The children of `parent` as verbs, each allowed there, in order. */
export function readVerbs<N extends VerbName>(parent: XElement, allowed: readonly N[]): VerbOf<N>[] {
  return elementsOnly(parent).map((c) => BUILDERS[allowedChild(parent, c, allowed)](c) as VerbOf<N>);
}

// ---------------------------------------------------------------- shared attributes

const callerId = text('a phone number or SIP URI of at most 100 characters', undefined, { maxLength: 100 });
const callerName = text('at most 50 characters', undefined, { maxLength: 50 });
const language = text('a language tag such as en-US', 'en-US', { pattern: LANGUAGE });
const fileFormat = oneOf(['mp3', 'wav'], 'mp3');
const seconds = (absent: number) => int({ min: 1 }, absent);

// ---------------------------------------------------------------- prompts

export const speakAttrs: Attrs<SpeakVerb, 'content' | 'text'> = {
  voice: attr('WOMAN, MAN or an Amazon Polly voice such as Polly.Joanna', (raw) => {
    const t = raw.trim();
    if (/^(wo)?man$/i.test(t)) return t.toUpperCase();
    return /^Polly\.[A-Za-z0-9_-]+$/.test(t) ? t : INVALID;
  }, 'WOMAN'),
  language,
  loop: int({ min: 0 }, 1),
};

function speak(el: XElement): SpeakVerb {
  const content = readSsml(el, SSML_NAMES);
  const spoken = ssmlToText(content);
  if (spoken === '') fail(`${tag(el)} must contain the text to say`);
  const attrs = readAttrs(el, speakAttrs);
  const problem = speakVoiceProblem(attrs.voice, attrs.language);
  if (problem) fail(`<Speak voice=${shown(attrs.voice)} language=${shown(attrs.language)}>: ${problem}`);
  return { kind: 'Speak', ...attrs, content, text: spoken };
}

export const playAttrs: Attrs<PlayVerb, 'url'> = { loop: int({ min: 0 }, 1) };

function play(el: XElement): PlayVerb {
  return { kind: 'Play', ...readAttrs(el, playAttrs), url: bodyUrl(el, 'the URL of an audio file') };
}

export const waitAttrs: Attrs<WaitVerb> = {
  length: seconds(1),
  silence: bool(false),
  // The SDK's builder accepts both spellings; the docs use minSilence.
  minSilence: named(['minSilence', 'min_silence'], int({ min: 1 }, 2000)),
  beep: bool(false),
};

function wait(el: XElement): WaitVerb {
  mustBeEmpty(el);
  return { kind: 'Wait', ...readAttrs(el, waitAttrs) };
}

// ---------------------------------------------------------------- input

export const getDigitsAttrs: Attrs<GetDigitsVerb, 'prompts'> = {
  action: url(),
  method: method('POST'),
  timeout: seconds(5),
  digitTimeout: seconds(2),
  finishOnKey: finishKeys(false),
  numDigits: int({ min: 1 }, 99),
  retries: int({ min: 1 }, 1),
  invalidDigitsSound: url(),
  validDigits: text('DTMF keys (0-9, *, #)', '1234567890*#', { pattern: /^[0-9*#]+$/ }),
  playBeep: bool(false),
  redirect: bool(true),
  log: bool(true),
};

function getDigits(el: XElement): GetDigitsVerb {
  return { kind: 'GetDigits', ...readAttrs(el, getDigitsAttrs), prompts: readVerbs(el, PROMPTS) };
}

const endTimeout = attr('an integer from 2 to 10, or auto', (raw): number | 'auto' | typeof INVALID => {
  const t = raw.trim().toLowerCase();
  if (t === 'auto') return 'auto';
  return /^\d{1,2}$/.test(t) && Number(t) >= 2 && Number(t) <= 10 ? Number(t) : INVALID;
}, 'auto');

export const getInputAttrs: Attrs<GetInputVerb, 'prompts'> = {
  action: url(required),
  method: method('POST'),
  inputType: attr('dtmf, speech or dtmf speech', (raw): GetInputVerb['inputType'] | typeof INVALID => {
    const words = new Set(raw.trim().toLowerCase().split(/\s+/));
    if ([...words].some((w) => w !== 'dtmf' && w !== 'speech')) return INVALID;
    return words.size === 2 ? 'dtmf speech' : words.has('dtmf') ? 'dtmf' : 'speech';
  }, required),
  executionTimeout: int({ min: 5, max: 60 }, 15),
  digitEndTimeout: endTimeout,
  speechEndTimeout: endTimeout,
  finishOnKey: finishKeys(false),
  numDigits: int({ min: 1, max: 32 }, 32),
  speechModel: oneOf(['default', 'command_and_search', 'phone_call'], 'default'),
  hints: phrases(),
  language,
  interimSpeechResultsCallback: url(),
  interimSpeechResultsCallbackMethod: method('POST'),
  log: bool(true),
  redirect: bool(true),
  profanityFilter: bool(false),
};

function getInput(el: XElement): GetInputVerb {
  return { kind: 'GetInput', ...readAttrs(el, getInputAttrs), prompts: readVerbs(el, PROMPTS) };
}

export const recordAttrs: Attrs<RecordVerb> = {
  action: url(),
  method: method('POST'),
  timeout: seconds(15),
  finishOnKey: finishKeys(true),
  // Absent, not 60: the documented 60 s caps a voicemail; a session recording runs until the call ends.
  maxLength: int({ min: 2 }, undefined),
  playBeep: bool(true),
  recordSession: bool(false),
  startOnDialAnswer: bool(false),
  redirect: bool(true),
  fileFormat,
  callbackUrl: url(),
  callbackMethod: method('POST'),
  transcriptionType: oneOf(['auto', 'hybrid'], undefined),
  transcriptionUrl: url(),
  transcriptionMethod: method('POST'),
  recordChannelType: oneOf(['mono', 'stereo'], 'stereo'),
};

function record(el: XElement): RecordVerb {
  mustBeEmpty(el);
  return { kind: 'Record', ...readAttrs(el, recordAttrs) };
}

// ---------------------------------------------------------------- Dial

export const dialAttrs: Attrs<DialVerb, 'targets'> = {
  action: url(),
  method: method('POST'),
  timeout: int({ min: 1 }, undefined),
  hangupOnStar: bool(false),
  timeLimit: seconds(14400),
  callerId,
  callerName,
  confirmSound: url(),
  confirmKey: text('one of 0-9, *, #', undefined, { pattern: /^[0-9*#]$/ }),
  confirmTimeout: seconds(120),
  dialMusic: attr('real or a fully qualified http(s) URL', (raw): DialVerb['dialMusic'] | typeof INVALID => {
    const t = raw.trim();
    if (t === '') return undefined;
    if (t.toLowerCase() === 'real') return { type: 'real' };
    return isHttpUrl(t) ? { type: 'url', url: t } : INVALID;
  }, undefined),
  redirect: bool(true),
  callbackUrl: url(),
  callbackMethod: method('POST'),
  digitsMatch: keyPatterns(),
  digitsMatchBLeg: keyPatterns(),
  sipHeaders: headers(),
};

export const numberAttrs: Attrs<DialNumber, 'number'> = {
  sendDigits: keysToSend(),
  sendOnPreanswer: bool(false),
  sendDigitsMode: text('a mode name', undefined, { pattern: /^[A-Za-z0-9_-]{1,32}$/ }),
  callerId,
  callerName,
};

export const userAttrs: Attrs<DialUser, 'uri'> = {
  sendDigits: keysToSend(),
  sendOnPreanswer: bool(false),
  sipHeaders: headers(),
  callerId,
  callerName,
};

function dialTarget(dial: XElement, el: XElement): DialNumber | DialUser {
  if (allowedChild(dial, el, ['Number', 'User']) === 'Number') {
    const number = textOnly(el, 'the phone number to dial');
    if (!/^\+?\d[\d ().-]{0,30}$/.test(number)) fail(`${tag(el)} must contain a phone number (found ${shown(number)})`);
    return { kind: 'Number', number, ...readAttrs(el, numberAttrs) };
  }
  const uri = textOnly(el, 'the SIP URI to dial');
  if (!/^sips?:[^\s@]+@\S+$/i.test(uri)) fail(`${tag(el)} must contain a SIP URI such as sip:alice@example.com (found ${shown(uri)})`);
  return { kind: 'User', uri, ...readAttrs(el, userAttrs) };
}

function dial(el: XElement): DialVerb {
  const attrs = readAttrs(el, dialAttrs);
  const targets = elementsOnly(el).map((c) => dialTarget(el, c));
  if (targets.length === 0) fail(`${tag(el)} must contain at least one <Number> or <User>`);
  return { kind: 'Dial', ...attrs, targets };
}

// ---------------------------------------------------------------- rooms

export const conferenceAttrs: Attrs<ConferenceVerb, 'name'> = {
  muted: bool(false),
  beep: bool(false),
  startConferenceOnEnter: bool(true),
  endConferenceOnExit: bool(false),
  stayAlone: bool(true),
  waitSound: url(),
  enterSound: sound({ type: 'none' }),
  exitSound: sound({ type: 'none' }),
  timeLimit: seconds(86400),
  hangupOnStar: bool(false),
  maxMembers: int({ min: 1, max: 20 }, 20),
  record: bool(false),
  recordWhenAlone: bool(false),
  recordFileFormat: fileFormat,
  action: url(),
  method: method('POST'),
  redirect: bool(true),
  digitsMatch: keyPatterns(),
  callbackUrl: url(),
  callbackMethod: method('POST'),
  floorEvent: bool(false),
  transcriptionType: oneOf(['auto', 'hybrid', 'manual'], undefined),
  transcriptionUrl: url(),
  transcriptionMethod: method('POST'),
  relayDTMF: bool(true),
};

function conference(el: XElement): ConferenceVerb {
  return { kind: 'Conference', name: textOnly(el, 'the conference name'), ...readAttrs(el, conferenceAttrs) };
}

const MPC_EVENTS: readonly MpcStatusEvent[] = [
  'mpc-state-changes', 'participant-state-changes', 'participant-speak-events',
  'participant-digit-input-events', 'add-participant-api-events',
];

export const mpcAttrs: Attrs<MultiPartyCallVerb, 'name'> = {
  role: oneOf(['agent', 'supervisor', 'customer'], required),
  maxDuration: int({ min: 300, max: 28800 }, 14400),
  maxParticipants: int({ min: 2, max: 10 }, 10),
  recordMinMemberCount: int({ min: 1, max: 2 }, 1),
  waitMusicUrl: url(),
  waitMusicMethod: method('GET'),
  agentHoldMusicUrl: url(),
  agentHoldMusicMethod: method('GET'),
  customerHoldMusicUrl: url(),
  customerHoldMusicMethod: method('GET'),
  record: bool(false),
  recordFileFormat: fileFormat,
  recordingCallbackUrl: url(),
  recordingCallbackMethod: method('GET'),
  statusCallbackEvents: listOf(MPC_EVENTS, ['mpc-state-changes', 'participant-state-changes']),
  statusCallbackUrl: url(),
  statusCallbackMethod: method('POST'),
  stayAlone: bool(false),
  coachMode: bool(true),
  mute: bool(false),
  hold: bool(false),
  startMpcOnEnter: bool(true),
  endMpcOnExit: bool(false),
  enterSound: sound({ type: 'beep', beeps: 1 }),
  enterSoundMethod: method('GET'),
  exitSound: sound({ type: 'beep', beeps: 2 }),
  exitSoundMethod: method('GET'),
  onExitActionUrl: url(),
  onExitActionMethod: method('POST'),
  relayDTMFInputs: bool(false),
  startRecordingAudio: url(),
  startRecordingAudioMethod: method('GET'),
  stopRecordingAudio: url(),
  stopRecordingAudioMethod: method('GET'),
  recordParticipantTrack: bool(false),
};

function multiPartyCall(el: XElement): MultiPartyCallVerb {
  return { kind: 'MultiPartyCall', name: textOnly(el, 'the multiparty call name'), ...readAttrs(el, mpcAttrs) };
}

// ---------------------------------------------------------------- the rest

const streamAttrs: Attrs<StreamVerb, 'url'> = {
  bidirectional: bool(false),
  audioTrack: oneOf(['inbound', 'outbound', 'both'], 'inbound'),
  streamTimeout: seconds(86400),
  statusCallbackUrl: url(),
  statusCallbackMethod: method('POST'),
  contentType: oneOf(['audio/x-l16;rate=8000', 'audio/x-l16;rate=16000', 'audio/x-mulaw;rate=8000'], 'audio/x-l16;rate=8000'),
  extraHeaders: headers(512),
  keepCallAlive: bool(false),
  // On the platform's Stream page, not in the SDK's builder.
  noiseCancellation: bool(false),
  noiseCancellationLevel: int({ min: 60, max: 100 }, 85),
};

function stream(el: XElement): StreamVerb {
  const address = textOnly(el, 'the ws:// or wss:// URL to stream to');
  if (!isWebSocketUrl(address)) fail(`${tag(el)} must contain a ws:// or wss:// URL (found ${shown(address)})`);
  const attrs = readAttrs(el, streamAttrs);
  if (attrs.bidirectional && attrs.audioTrack !== 'inbound') {
    fail(`${tag(el, 'audioTrack', attrs.audioTrack)}: audioTrack must be inbound when bidirectional is true`);
  }
  return { kind: 'Stream', url: address, ...attrs };
}

const messageAttrs: Attrs<MessageVerb, 'text'> = {
  src: text('a phone number', undefined, { pattern: /^\+?\d{2,20}$/ }),
  dst: attr('one or more phone numbers separated by <', (raw) => {
    const numbers = raw.split('<').map((n) => n.trim());
    return numbers.every((n) => /^\+?\d{2,20}$/.test(n)) ? numbers : INVALID;
  }, required),
  type: oneOf(['sms'], 'sms'),
  callbackUrl: url(),
  callbackMethod: method('POST'),
};

function message(el: XElement): MessageVerb {
  return { kind: 'Message', text: textOnly(el, 'the message text'), ...readAttrs(el, messageAttrs) };
}

function redirect(el: XElement): RedirectVerb {
  return { kind: 'Redirect', url: bodyUrl(el, 'the URL of the next document'), ...readAttrs(el, { method: method('POST') }) };
}

export const hangupAttrs: Attrs<HangupVerb> = {
  reason: oneOf(['rejected', 'busy'], undefined),
  schedule: int({ min: 1 }, undefined),
};

function hangup(el: XElement): HangupVerb {
  mustBeEmpty(el);
  return { kind: 'Hangup', ...readAttrs(el, hangupAttrs) };
}

function preAnswer(el: XElement): PreAnswerVerb {
  noAttributes(el);
  return { kind: 'PreAnswer', verbs: readVerbs(el, PRE_ANSWER_VERBS) };
}

function dtmf(el: XElement): DtmfVerb {
  // The SDK's builder also accepts the digits as an attribute; the text wins.
  const attrs = readAttrs(el, { async: bool(true), digits: keysToSend() });
  const body = bodyText(el);
  if (body !== '' && !KEYS_WITH_PAUSES.test(body)) fail(`${tag(el)} must contain ${KEYS_WITH_PAUSES_WORDS} (found ${shown(body)})`);
  const digits = body || attrs.digits || fail(`${tag(el)} must contain the digits to send`);
  return { kind: 'DTMF', digits, async: attrs.async };
}

function bodyUrl(el: XElement, describe: string): string {
  const u = textOnly(el, describe);
  return isHttpUrl(u) ? u : fail(`${tag(el)} must contain a fully qualified http(s) URL (found ${shown(u)})`);
}

const BUILDERS: { [N in VerbName]: (el: XElement) => VerbOf<N> } = {
  Speak: speak,
  Play: play,
  Wait: wait,
  GetDigits: getDigits,
  GetInput: getInput,
  Record: record,
  Dial: dial,
  Conference: conference,
  MultiPartyCall: multiPartyCall,
  Stream: stream,
  Message: message,
  Redirect: redirect,
  Hangup: hangup,
  PreAnswer: preAnswer,
  DTMF: dtmf,
};
