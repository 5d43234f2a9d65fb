// Playing a prompt on a call: what <Speak>, <Play> and <Wait> do, and what
// GetDigits, GetInput, Dial and the documents of sounds play while they wait.
import type { PlayVerb, PromptVerb, SpeakVerb, WaitVerb } from '../../plivo-xml/ast.ts';
import type { VerbContext } from '../interpreter/verb.ts';
import { BEEP } from './beep.ts';
import { repeat } from './repeat.ts';

export async function prompt(p: PromptVerb, ctx: VerbContext): Promise<void> {
  switch (p.kind) {
    case 'Speak':
      return speak(p, ctx);
    case 'Play':
      return play(p, ctx);
    case 'Wait':
      return wait(p, ctx);
  }
}

/** Synthesized text (SSML children included), `loop` times; loop 0 repeats until something else ends it. */
export async function speak(verb: SpeakVerb, ctx: VerbContext): Promise<void> {
  const samples = await ctx.speech(verb);
  await repeat(ctx, { samples, annotation: { type: 'speak', text: verb.text, voice: verb.voice, language: verb.language } }, verb.loop);
}

/** An audio file (WAV or MP3), `loop` times; one that cannot be fetched or decoded is skipped (the call's log says why). */
export async function play(verb: PlayVerb, ctx: VerbContext): Promise<void> {
  const samples = await ctx.audioFile(verb.url);
  if (samples) await repeat(ctx, { samples, annotation: { type: 'play', url: verb.url } }, verb.loop);
}

async function untilQuiet(verb: WaitVerb, ctx: VerbContext): Promise<void> {
  const started = ctx.now();
  const deadline = started + verb.length * 1000;
  for (;;) {
    const quietSince = Math.max(started, ctx.callerSoundUntil());
    const doneAt = Math.min(quietSince + verb.minSilence, deadline);
    if (ctx.now() >= doneAt) return;
    // Sleep until the silence is long enough; sound from the caller restarts the count.
    const heard = ctx.stop.child();
    const off = ctx.onCallerSound(() => heard.fire());
    await ctx.child(heard).sleep(doneAt - ctx.now());
    off();
    if (ctx.stop.interrupted) return;
  }
}

/** Silence for `length` seconds; with `silence`, until the caller has been quiet for `minSilence` ms (at most `length` s); `beep` at the end. */
export async function wait(verb: WaitVerb, ctx: VerbContext): Promise<void> {
  if (verb.silence) await untilQuiet(verb, ctx);
  else await ctx.sleep(verb.length * 1000);
  if (verb.beep && !ctx.stop.interrupted) await ctx.play(BEEP);
}
