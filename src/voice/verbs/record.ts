// <Record>: a beep (playBeep), then the caller's audio until a finishOnKey
// key, `timeout` seconds of silence, `maxLength` seconds, or the call's end
// (the recording is kept and its action still told). The file's URL and
// timings go to `action` (redirect: the returned document replaces this
// one), and to callbackUrl once written. recordSession records both sides
// in the background until the call ends (or an explicit maxLength: the
// documented 60 s default is a voicemail's); startOnDialAnswer does so from
// the moment a Dial connects. Either way the document goes on
// at once and `action` learns the URL up front (durations -1: not known yet).
// A background recording is stereo (the far end on the left, what the
// platform sent it on the right) unless recordChannelType is mono (both
// sides mixed).
import { actionParams, type ActiveRecording, type Finished, type RecordingSpec } from '../recordings/recordings.ts';
import type { RecordVerb } from '../../plivo-xml/ast.ts';
import type { CallControl } from '../engine/call-control.ts';
import { CONTINUE, type Outcome, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';
import { BEEP } from '../prompts/beep.ts';

/** What the Record element asks of the recordings service (recordings/recordings.ts). */
export interface RecordingPort<C> {
  /** A recording of what the caller says from now on; `finish` ends it. */
  start(call: C, spec: RecordingSpec): ActiveRecording;
  finish(rec: ActiveRecording, end: number): Promise<Finished>;
  /** A recording beside the call (recordSession). */
  startBackground(call: C, spec: RecordingSpec): { readonly id: string; readonly url: string };
  /** startOnDialAnswer: a background recording once the call's next Dial connects. */
  recordOnDialAnswer(call: C, spec: RecordingSpec): void;
}

type Ending = 'key' | 'silence' | 'maxLength' | 'stopped';

/** A voicemail's maxLength when the element gives none (seconds). */
const VOICEMAIL_MAX_LENGTH_S = 60;

/** Wait until the recording should end, listening to keys and to the caller's sound. */
async function listen(verb: RecordVerb, ctx: VerbContext, startedAt: number): Promise<Ending> {
  const deadline = startedAt + (verb.maxLength ?? VOICEMAIL_MAX_LENGTH_S) * 1000;
  let soundUntil = startedAt;
  let wake: (() => void) | undefined;
  const offSound = ctx.onCallerSound((_start, end) => {
    if (end <= soundUntil) return;
    soundUntil = end;
    wake?.();
  });
  const tap = ctx.tapDigits();
  try {
    for (;;) {
      const doneAt = Math.min(deadline, soundUntil + verb.timeout * 1000);
      if (ctx.now() >= doneAt) return doneAt === deadline ? 'maxLength' : 'silence';
      // Sound from the caller moves the silence deadline: wait again from there.
      const heard = ctx.stop.child();
      wake = () => heard.fire();
      const key = await tap.next(doneAt - ctx.now(), heard);
      wake = undefined;
      if (ctx.stop.interrupted) return 'stopped';
      if (key !== undefined && verb.finishOnKey.includes(key)) return 'key';
    }
  } finally {
    tap.close();
    offSound();
  }
}

function specOf(verb: RecordVerb, background: boolean): RecordingSpec {
  return {
    format: verb.fileFormat,
    // A voicemail has one party, so one channel whatever recordChannelType says.
    layout: !background ? 'caller' : verb.recordChannelType === 'stereo' ? 'stereo' : 'mixed',
    limitMs: verb.maxLength !== undefined ? verb.maxLength * 1000 : background ? undefined : VOICEMAIL_MAX_LENGTH_S * 1000,
    callback: verb.callbackUrl ? { url: verb.callbackUrl, method: verb.callbackMethod } : undefined,
    style: 'xml',
    transcriptionUrl: verb.transcriptionUrl,
  };
}

function runInBackground<C extends CallControl>(verb: RecordVerb, ctx: VerbContext<C>, recordings: RecordingPort<C>): Outcome {
  const spec = specOf(verb, true);
  if (!verb.recordSession) {
    recordings.recordOnDialAnswer(ctx.call, spec);
    ctx.log({ kind: 'event', message: 'the call will be recorded once a Dial connects (startOnDialAnswer)' });
    return CONTINUE;
  }
  const { id, url } = recordings.startBackground(ctx.call, spec);
  ctx.log({ kind: 'event', message: `recording the session in the background (${id})`, data: { recording_id: id } });
  if (verb.action) {
    const unknown = '-1';
    const params = { RecordUrl: url, RecordingID: id, RecordingDuration: unknown, RecordingDurationMs: unknown, RecordingStartMs: String(ctx.now()), RecordingEndMs: unknown };
    ctx.notify(verb.action, verb.method, ctx.params(params), 'action');
  }
  return CONTINUE;
}

export function recordRunner<C extends CallControl>(recordings: RecordingPort<C>): VerbRunner<RecordVerb, C> {
  return {
    needsAnswer: true,
    async run(verb, ctx): Promise<Outcome> {
      if (verb.recordSession || verb.startOnDialAnswer) return runInBackground(verb, ctx, recordings);
      if (verb.playBeep && (await ctx.play(BEEP)) === 'stopped') return CONTINUE;
      const rec = recordings.start(ctx.call, specOf(verb, false));
      const ending = await listen(verb, ctx, rec.recorder.startedAt);
      const done = await recordings.finish(rec, ctx.now());
      ctx.log({ kind: 'event', message: `Record: ${done.durationMs} ms recorded, ended by ${ending}`, data: { recording_id: done.id, ending } });
      if (!verb.action) return CONTINUE;
      const params = ctx.params(actionParams(done));
      // After the call ended (or a transfer) the action is still told, but nothing is run.
      if (!verb.redirect || ending === 'stopped') {
        ctx.notify(verb.action, verb.method, params, 'action');
        return CONTINUE;
      }
      return { next: 'goto', goto: { url: verb.action, method: verb.method, params, kind: 'action' } };
    },
  };
}
