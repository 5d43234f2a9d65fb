import type { FrameRun } from '../../telephony/driver.ts';
import type { VerbContext } from '../interpreter/verb.ts';

/** Play `run` `loop` times (0: until interrupted). Empty audio plays once, so loop 0 cannot spin. */
export async function repeat(ctx: VerbContext, run: FrameRun, loop: number): Promise<void> {
  const times = loop === 0 && run.samples.length > 0 ? Infinity : Math.max(1, loop);
  for (let i = 0; i < times; i++) {
    if ((await ctx.play(run)) === 'stopped') return;
  }
}
