// Verb runners by element name. The interpreter asks the registry, so a
// feature that implements a verb (Dial, Conference, Record …) registers its
// runner and nothing else changes. A verb nobody registered is skipped with
// an entry in the call's log.
import type { Verb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from './verb.ts';
import { speakRunner } from '../verbs/speak.ts';
import { playRunner } from '../verbs/play.ts';
import { waitRunner } from '../verbs/wait.ts';
import { getDigitsRunner } from '../verbs/get-digits.ts';
import { redirectRunner } from '../verbs/redirect.ts';
import { hangupRunner } from '../verbs/hangup.ts';
import { preAnswerRunner } from '../verbs/pre-answer.ts';
import { dtmfRunner } from '../verbs/dtmf.ts';
import { dialRunner } from '../verbs/dial.ts';

type Kind = Verb['kind'];
type RunnerOf<K extends Kind> = VerbRunner<Extract<Verb, { kind: K }>>;

const unsupported: VerbRunner = {
  needsAnswer: false,
  async run(verb, ctx) {
    ctx.log({ kind: 'xml', message: `<${verb.kind}> is not supported yet; skipped`, data: { verb: verb.kind } });
    return CONTINUE;
  },
};

export class VerbRegistry {
  private readonly runners = new Map<Kind, VerbRunner>();

  register<K extends Kind>(kind: K, runner: RunnerOf<K>): void {
    this.runners.set(kind, runner as VerbRunner);
  }

  runnerFor(verb: Verb): VerbRunner {
    return this.runners.get(verb.kind) ?? unsupported;
  }
}

/** The verbs this engine runs today. */
export function defaultVerbs(): VerbRegistry {
  const r = new VerbRegistry();
  r.register('Speak', speakRunner);
  r.register('Play', playRunner);
  r.register('Wait', waitRunner);
  r.register('GetDigits', getDigitsRunner);
  r.register('Redirect', redirectRunner);
  r.register('Hangup', hangupRunner);
  r.register('PreAnswer', preAnswerRunner);
  r.register('DTMF', dtmfRunner);
  r.register('Dial', dialRunner);
  return r;
}
