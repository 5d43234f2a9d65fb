// The validated form of a Plivo XML document. parsePlivoXml produces it with
// every documented default applied, so the interpreter reads values, never
// strings: seconds and milliseconds are numbers (units as each field says),
// switches are booleans, absent URLs are undefined.

export type HttpMethod = 'GET' | 'POST';

/** Enter/exit sounds of Conference and MultiPartyCall. */
export type Sound = { type: 'none' } | { type: 'beep'; beeps: 1 | 2 } | { type: 'url'; url: string };

/**
 * DTMF keys that end input, as a set: '' means none (input ends on timeout
 * or digit count only). GetDigits and GetInput allow one key, Record several.
 */
export type FinishKeys = string;

// ---------------------------------------------------------------- SSML

export type SsmlNode =
  | SsmlText
  | SsmlBreak
  | SsmlEmphasis
  | SsmlLang
  | SsmlParagraph
  | SsmlPhoneme
  | SsmlProsody
  | SsmlSentence
  | SsmlSayAs
  | SsmlSub
  | SsmlWord;

export interface SsmlText { kind: 'text'; text: string }
export interface SsmlBreak {
  kind: 'break';
  strength: 'none' | 'x-weak' | 'weak' | 'medium' | 'strong' | 'x-strong';
  /** The `time` attribute in milliseconds; when set it wins over strength. */
  timeMs: number | undefined;
}
export interface SsmlEmphasis { kind: 'emphasis'; level: 'strong' | 'moderate' | 'reduced'; children: SsmlNode[] }
export interface SsmlLang { kind: 'lang'; lang: string; children: SsmlNode[] }
export interface SsmlParagraph { kind: 'p'; children: SsmlNode[] }
export interface SsmlPhoneme { kind: 'phoneme'; alphabet: 'ipa' | 'x-sampa'; ph: string; text: string }
/** Values as written (named levels, percentages, dB), already checked. */
export interface SsmlProsody {
  kind: 'prosody';
  pitch: string | undefined;
  rate: string | undefined;
  volume: string | undefined;
  children: SsmlNode[];
}
export interface SsmlSentence { kind: 's'; children: SsmlNode[] }
export interface SsmlSayAs {
  kind: 'say-as';
  interpretAs:
    | 'characters' | 'spell-out' | 'cardinal' | 'number' | 'ordinal' | 'digits' | 'fraction'
    | 'unit' | 'date' | 'time' | 'address' | 'expletive' | 'telephone';
  format: string | undefined;
  text: string;
}
export interface SsmlSub { kind: 'sub'; alias: string; text: string }
export interface SsmlWord { kind: 'w'; role: string; children: SsmlNode[] }

// ---------------------------------------------------------------- verbs

export interface SpeakVerb {
  kind: 'Speak';
  /** 'WOMAN', 'MAN' or an Amazon Polly voice as `Polly.<Name>`. */
  voice: string;
  language: string;
  /** Times to say it; 0 repeats until the call moves on. */
  loop: number;
  /** Text and SSML in document order. */
  content: SsmlNode[];
  /** The spoken words as plain text (ssmlToText of content). */
  text: string;
}

export interface PlayVerb {
  kind: 'Play';
  url: string;
  /** Times to play it; 0 repeats until the call moves on. */
  loop: number;
}

export interface WaitVerb {
  kind: 'Wait';
  /** Seconds. */
  length: number;
  silence: boolean;
  /** Milliseconds of silence that end the wait when `silence` is true. */
  minSilence: number;
  beep: boolean;
}

/** What GetDigits and GetInput play while they listen. */
export type PromptVerb = SpeakVerb | PlayVerb | WaitVerb;

export interface GetDigitsVerb {
  kind: 'GetDigits';
  action: string | undefined;
  method: HttpMethod;
  /** Seconds to wait for the first digit. */
  timeout: number;
  /** Seconds allowed between digits. */
  digitTimeout: number;
  finishOnKey: FinishKeys;
  numDigits: number;
  retries: number;
  invalidDigitsSound: string | undefined;
  /** Keys the caller may press, e.g. '1234567890*#'. */
  validDigits: string;
  playBeep: boolean;
  redirect: boolean;
  log: boolean;
  prompts: PromptVerb[];
}

export interface GetInputVerb {
  kind: 'GetInput';
  action: string;
  method: HttpMethod;
  inputType: 'dtmf' | 'speech' | 'dtmf speech';
  /** Seconds of listening after the prompts end. */
  executionTimeout: number;
  /** Seconds between digits, or 'auto'. */
  digitEndTimeout: number | 'auto';
  /** Seconds of silence that end speech, or 'auto'. */
  speechEndTimeout: number | 'auto';
  finishOnKey: FinishKeys;
  numDigits: number;
  speechModel: 'default' | 'command_and_search' | 'phone_call';
  hints: string[];
  language: string;
  interimSpeechResultsCallback: string | undefined;
  interimSpeechResultsCallbackMethod: HttpMethod;
  log: boolean;
  redirect: boolean;
  profanityFilter: boolean;
  prompts: PromptVerb[];
}

export interface RecordVerb {
  kind: 'Record';
  action: string | undefined;
  method: HttpMethod;
  /** Seconds of silence that end the recording. */
  timeout: number;
  finishOnKey: FinishKeys;
  /** Seconds; absent: 60 for a voicemail, none for a background recording (it runs until the call ends). */
  maxLength: number | undefined;
  playBeep: boolean;
  recordSession: boolean;
  startOnDialAnswer: boolean;
  redirect: boolean;
  fileFormat: 'mp3' | 'wav';
  callbackUrl: string | undefined;
  callbackMethod: HttpMethod;
  transcriptionType: 'auto' | 'hybrid' | undefined;
  transcriptionUrl: string | undefined;
  transcriptionMethod: HttpMethod;
  recordChannelType: 'mono' | 'stereo';
}

export interface DialNumber {
  kind: 'Number';
  number: string;
  /** DTMF to send on answer; 'w' waits 0.5 s, 'W' 1 s. */
  sendDigits: string | undefined;
  sendOnPreanswer: boolean;
  sendDigitsMode: string | undefined;
  callerId: string | undefined;
  callerName: string | undefined;
}

export interface DialUser {
  kind: 'User';
  /** A SIP URI, `sip:name@domain`. */
  uri: string;
  sendDigits: string | undefined;
  sendOnPreanswer: boolean;
  sipHeaders: Record<string, string>;
  callerId: string | undefined;
  callerName: string | undefined;
}

export interface DialVerb {
  kind: 'Dial';
  action: string | undefined;
  method: HttpMethod;
  /** Seconds the called party has to answer; undefined: until the carrier gives up. */
  timeout: number | undefined;
  hangupOnStar: boolean;
  /** Seconds the bridged call may last. */
  timeLimit: number;
  callerId: string | undefined;
  callerName: string | undefined;
  /** A URL whose document's Play, Speak and Wait the called party hears; or, in verbs built as data (a flow's screening), those prompts themselves. */
  confirmSound: string | PromptVerb[] | undefined;
  confirmKey: string | undefined;
  /** Seconds the called party has to press confirmKey. */
  confirmTimeout: number;
  /** Ringback for the caller: the real one from the far end, or a URL returning XML. */
  dialMusic: { type: 'real' } | { type: 'url'; url: string } | undefined;
  redirect: boolean;
  callbackUrl: string | undefined;
  callbackMethod: HttpMethod;
  digitsMatch: string[];
  digitsMatchBLeg: string[];
  sipHeaders: Record<string, string>;
  targets: (DialNumber | DialUser)[];
}

export interface ConferenceVerb {
  kind: 'Conference';
  name: string;
  muted: boolean;
  beep: boolean;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  stayAlone: boolean;
  waitSound: string | undefined;
  enterSound: Sound;
  exitSound: Sound;
  /** Seconds. */
  timeLimit: number;
  hangupOnStar: boolean;
  maxMembers: number;
  record: boolean;
  recordWhenAlone: boolean;
  recordFileFormat: 'mp3' | 'wav';
  action: string | undefined;
  method: HttpMethod;
  redirect: boolean;
  digitsMatch: string[];
  callbackUrl: string | undefined;
  callbackMethod: HttpMethod;
  floorEvent: boolean;
  transcriptionType: 'auto' | 'hybrid' | 'manual' | undefined;
  transcriptionUrl: string | undefined;
  transcriptionMethod: HttpMethod;
  relayDTMF: boolean;
}

export type MpcStatusEvent =
  | 'mpc-state-changes'
  | 'participant-state-changes'
  | 'participant-speak-events'
  | 'participant-digit-input-events'
  | 'add-participant-api-events';

export interface MultiPartyCallVerb {
  kind: 'MultiPartyCall';
  name: string;
  role: 'agent' | 'supervisor' | 'customer';
  /** Seconds. */
  maxDuration: number;
  maxParticipants: number;
  recordMinMemberCount: number;
  waitMusicUrl: string | undefined;
  waitMusicMethod: HttpMethod;
  agentHoldMusicUrl: string | undefined;
  agentHoldMusicMethod: HttpMethod;
  customerHoldMusicUrl: string | undefined;
  customerHoldMusicMethod: HttpMethod;
  record: boolean;
  recordFileFormat: 'mp3' | 'wav';
  recordingCallbackUrl: string | undefined;
  recordingCallbackMethod: HttpMethod;
  statusCallbackEvents: MpcStatusEvent[];
  statusCallbackUrl: string | undefined;
  statusCallbackMethod: HttpMethod;
  stayAlone: boolean;
  coachMode: boolean;
  mute: boolean;
  hold: boolean;
  startMpcOnEnter: boolean;
  endMpcOnExit: boolean;
  enterSound: Sound;
  enterSoundMethod: HttpMethod;
  exitSound: Sound;
  exitSoundMethod: HttpMethod;
  onExitActionUrl: string | undefined;
  onExitActionMethod: HttpMethod;
  relayDTMFInputs: boolean;
  startRecordingAudio: string | undefined;
  startRecordingAudioMethod: HttpMethod;
  stopRecordingAudio: string | undefined;
  stopRecordingAudioMethod: HttpMethod;
  recordParticipantTrack: boolean;
}

export interface StreamVerb {
  kind: 'Stream';
  /** ws:// or wss:// URL of the customer's WebSocket service. */
  url: string;
  bidirectional: boolean;
  audioTrack: 'inbound' | 'outbound' | 'both';
  /** Seconds. */
  streamTimeout: number;
  statusCallbackUrl: string | undefined;
  statusCallbackMethod: HttpMethod;
  contentType: 'audio/x-l16;rate=8000' | 'audio/x-l16;rate=16000' | 'audio/x-mulaw;rate=8000';
  extraHeaders: Record<string, string>;
  keepCallAlive: boolean;
  /** The platform's noise cancellation of the streamed audio; the sandbox's lines carry no noise, so it changes nothing here. */
  noiseCancellation: boolean;
  /** 60–100, how hard noise is reduced when noiseCancellation is true. */
  noiseCancellationLevel: number;
}

export interface MessageVerb {
  kind: 'Message';
  text: string;
  src: string | undefined;
  /** One or more destinations (the attribute separates them with '<'). */
  dst: string[];
  type: 'sms';
  callbackUrl: string | undefined;
  callbackMethod: HttpMethod;
}

export interface RedirectVerb {
  kind: 'Redirect';
  url: string;
  method: HttpMethod;
}

export interface HangupVerb {
  kind: 'Hangup';
  /** Undefined: the platform picks (rejected before answer, normal after). */
  reason: 'rejected' | 'busy' | undefined;
  /** Seconds from now; undefined hangs up at once. */
  schedule: number | undefined;
}

export interface PreAnswerVerb {
  kind: 'PreAnswer';
  verbs: PreAnswerChild[];
}
export type PreAnswerChild = PlayVerb | SpeakVerb | GetDigitsVerb | WaitVerb | RedirectVerb | MessageVerb | DtmfVerb;

export interface DtmfVerb {
  kind: 'DTMF';
  /** Keys to send; 'w' waits 0.5 s, 'W' 1 s. */
  digits: string;
  /** true: go on to the next verb once the first digit is sent. */
  async: boolean;
}

export type Verb =
  | SpeakVerb
  | PlayVerb
  | WaitVerb
  | GetDigitsVerb
  | GetInputVerb
  | RecordVerb
  | DialVerb
  | ConferenceVerb
  | MultiPartyCallVerb
  | StreamVerb
  | MessageVerb
  | RedirectVerb
  | HangupVerb
  | PreAnswerVerb
  | DtmfVerb;

export interface ResponseDoc { verbs: Verb[] }
