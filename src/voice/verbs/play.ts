// <Play>: an audio file (WAV or MP3), `loop` times. A file that cannot be
// fetched or decoded is skipped; the call's log says why.
import type { PlayVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';
import { repeat } from '../prompts/repeat.ts';

export async function play(verb: PlayVerb, ctx: VerbContext): Promise<void> {
  const samples = await ctx.audioFile(verb.url);
  if (samples) await repeat(ctx, { samples, annotation: { type: 'play', url: verb.url } }, verb.loop);
}

export const playRunner: VerbRunner<PlayVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await play(verb, ctx);
    return CONTINUE;
  },
};
