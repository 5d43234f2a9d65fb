// A leg the platform placed may have to be accepted by the called party
// before it is connected (Dial's confirmSound/confirmKey, Add Participant's
// confirm_key): it hears a prompt and, with a key, must press it in time.
import type { CallControl } from '../engine/call-control.ts';
import { playPrompts } from '../prompts/documents.ts';
import type { Interrupt, VerbContext } from '../interpreter/verb.ts';
import type { PromptVerb } from '../../plivo-xml/ast.ts';

export interface Confirmation {
  /** What the called party hears once it answers (fetched then, for it). */
  prompts(b: VerbContext): Promise<readonly PromptVerb[]>;
  key: string | undefined;
  /** Seconds from answering to press the key. */
  timeoutS: number;
}

/** True when `b` accepted: heard the prompts and (with a key) pressed it in time, before `cancel` fired or it hung up. */
export async function confirmLeg<C extends CallControl>(contextFor: (b: C, stop: Interrupt) => VerbContext<C>, b: C, cancel: Interrupt, c: Confirmation): Promise<boolean> {
  const stop = cancel.child();
  const offEnd = b.onEnd(() => stop.fire());
  const bctx = contextFor(b, stop);
  let pressed = false;
  if (c.key) {
    b.listenDigits((d) => {
      if (d !== c.key) return;
      pressed = true;
      stop.fire();
    });
  }
  const deadline = c.key ? bctx.timers.after(c.timeoutS * 1000, () => stop.fire()) : undefined;
  try {
    await playPrompts(await c.prompts(bctx), bctx, false);
    if (c.key && !stop.interrupted) await new Promise<void>((resolve) => stop.onFire(resolve));
  } finally {
    deadline?.cancel();
    offEnd();
    b.listenDigits(undefined);
  }
  return b.live && !cancel.interrupted && (c.key ? pressed : true);
}
