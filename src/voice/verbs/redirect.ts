// <Redirect>: the rest of the document is replaced by the one at the URL.
import type { RedirectVerb } from '../../plivo-xml/ast.ts';
import type { VerbRunner } from '../interpreter/verb.ts';

export const redirectRunner: VerbRunner<RedirectVerb> = {
  needsAnswer: false,
  async run(verb, ctx) {
    return { next: 'goto', goto: { url: verb.url, method: verb.method, params: ctx.params({ Event: 'Redirect' }), kind: 'redirect' } };
  },
};
