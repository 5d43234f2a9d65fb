// Verb runners by element name. verbs/index.ts registers every element's
// runner; the interpreter asks the registry. A verb nobody registered is
// skipped with an entry in the call's log.
import type { Verb } from '../../plivo-xml/ast.ts';
import type { Call } from '../engine/call.ts';
import { CONTINUE, type VerbLookup, type VerbRunner } from './verb.ts';

type Kind = Verb['kind'];
type RunnerOf<K extends Kind> = VerbRunner<Extract<Verb, { kind: K }>, Call>;
/** A runner for every element: leaving one out does not compile. */
export type VerbRunners = { [K in Kind]: RunnerOf<K> };

const unsupported: VerbRunner = {
  needsAnswer: false,
  async run(verb, ctx) {
    ctx.log({ kind: 'xml', message: `<${verb.kind}> is not supported yet; skipped`, data: { verb: verb.kind } });
    return CONTINUE;
  },
};

export class VerbRegistry implements VerbLookup {
  private readonly runners = new Map<Kind, VerbRunner<Verb, Call>>();

  register<K extends Kind>(kind: K, runner: RunnerOf<K>): void {
    this.runners.set(kind, runner as VerbRunner<Verb, Call>);
  }

  registerAll(runners: VerbRunners): void {
    for (const kind of Object.keys(runners) as Kind[]) this.register(kind, runners[kind]);
  }

  runnerFor(verb: Verb): VerbRunner<Verb, Call> {
    return this.runners.get(verb.kind) ?? unsupported;
  }
}
