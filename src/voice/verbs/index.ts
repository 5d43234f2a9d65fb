// Every Plivo XML element's runner, registered in one place from one deps
// object: `ls src/voice/verbs/` shows every element, and an element without
// a runner here does not compile (VerbRunners is total).
import type { VerbRegistry } from '../interpreter/registry.ts';
import type { Conferences } from '../conference/conferences.ts';
import type { MultiPartyCalls } from '../mpc/mpcs.ts';
import type { Recordings } from '../recordings/recordings.ts';
import type { RecognizerFor } from '../speech.ts';
import type { Streams } from '../streams/streams.ts';
import { conferenceRunner } from './conference.ts';
import { dialRunner } from './dial.ts';
import { dtmfRunner } from './dtmf.ts';
import { getDigitsRunner } from './get-digits.ts';
import { getInputRunner } from './get-input.ts';
import { hangupRunner } from './hangup.ts';
import { messageRunner, type MessagePort } from './message.ts';
import { multiPartyCallRunner } from './multi-party-call.ts';
import { playRunner } from './play.ts';
import { preAnswerRunner } from './pre-answer.ts';
import { recordRunner } from './record.ts';
import { redirectRunner } from './redirect.ts';
import { speakRunner } from './speak.ts';
import { streamRunner } from './stream.ts';
import { waitRunner } from './wait.ts';

/** The services the verbs run on. */
export interface VerbDeps {
  recordings: Recordings;
  streams: Streams;
  conferences: Conferences;
  mpcs: MultiPartyCalls;
  /** <Message> sends through the messaging service. */
  messages: MessagePort;
  /** GetInput's speech recognition, per call; none: speech is not heard. */
  recognizer: RecognizerFor;
}

export function registerVerbs(registry: VerbRegistry, d: VerbDeps): void {
  registry.registerAll({
    Speak: speakRunner,
    Play: playRunner,
    Wait: waitRunner,
    GetDigits: getDigitsRunner,
    GetInput: getInputRunner(d.recognizer),
    Record: recordRunner(d.recordings),
    // A Record with startOnDialAnswer starts when the Dial connects.
    Dial: dialRunner({ connected: (caller) => void d.recordings.dialAnswered(caller) }),
    Conference: conferenceRunner(d.conferences),
    MultiPartyCall: multiPartyCallRunner(d.mpcs),
    Stream: streamRunner(d.streams),
    Message: messageRunner(d.messages),
    Redirect: redirectRunner,
    Hangup: hangupRunner,
    PreAnswer: preAnswerRunner,
    DTMF: dtmfRunner,
  });
}
