// <Speak>: synthesized text (SSML children included), `loop` times; loop 0
// repeats until something else ends it.
import type { SpeakVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';
import { repeat } from '../prompts/repeat.ts';

export async function speak(verb: SpeakVerb, ctx: VerbContext): Promise<void> {
  const samples = await ctx.speech(verb);
  await repeat(ctx, { samples, annotation: { type: 'speak', text: verb.text, voice: verb.voice, language: verb.language } }, verb.loop);
}

export const speakRunner: VerbRunner<SpeakVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await speak(verb, ctx);
    return CONTINUE;
  },
};
