// <Wait>: silence for `length` seconds; with `silence`, until the caller has
// been quiet for `minSilence` ms (at most `length` s); `beep` at the end.
import type { WaitVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';
import { BEEP } from '../prompts/beep.ts';

async function untilQuiet(verb: WaitVerb, ctx: VerbContext): Promise<void> {
  const started = ctx.now();
  const deadline = started + verb.length * 1000;
  for (;;) {
    const quietSince = Math.max(started, ctx.callerAudioUntil());
    const doneAt = Math.min(quietSince + verb.minSilence, deadline);
    if (ctx.now() >= doneAt) return;
    // Sleep until the silence is long enough; caller audio restarts the count.
    const heard = ctx.stop.child();
    const off = ctx.onCallerAudio(() => heard.fire());
    await ctx.child(heard).sleep(doneAt - ctx.now());
    off();
    if (ctx.stop.interrupted) return;
  }
}

export async function wait(verb: WaitVerb, ctx: VerbContext): Promise<void> {
  if (verb.silence) await untilQuiet(verb, ctx);
  else await ctx.sleep(verb.length * 1000);
  if (verb.beep && !ctx.stop.interrupted) await ctx.play(BEEP);
}

export const waitRunner: VerbRunner<WaitVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await wait(verb, ctx);
    return CONTINUE;
  },
};
