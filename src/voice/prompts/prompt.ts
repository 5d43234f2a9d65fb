// What GetDigits, GetInput and Dial play while they wait: Speak, Play or Wait.
import type { PromptVerb } from '../../plivo-xml/ast.ts';
import type { VerbContext } from '../interpreter/verb.ts';
import { play } from '../verbs/play.ts';
import { speak } from '../verbs/speak.ts';
import { wait } from '../verbs/wait.ts';

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
