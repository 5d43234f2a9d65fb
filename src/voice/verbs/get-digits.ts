// <GetDigits>: plays its prompts while listening for keys (the first key cuts
// the prompts short), then waits `timeout` s for the first key and
// `digitTimeout` s between keys. Input ends on `finishOnKey` (not included),
// at `numDigits`, or on a timeout. A key outside `validDigits` plays
// `invalidDigitsSound` and counts as a failed attempt; no input either.
// After `retries` attempts without input the next verb runs. Input goes to
// `action` as `Digits`: with `redirect` the returned document replaces this
// one, without it the request is sent and the next verb runs.
import type { GetDigitsVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type DigitTap, type Outcome, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';
import { prompt } from '../prompts/prompt.ts';
import { BEEP } from '../prompts/beep.ts';

type Attempt = { digits: string } | { invalid: string } | { none: true };

async function attempt(verb: GetDigitsVerb, ctx: VerbContext, tap: DigitTap): Promise<Attempt> {
  // Prompts stop at the first key.
  const cut = ctx.stop.child();
  const pctx = ctx.child(cut);
  for (const p of verb.prompts) {
    if (tap.buffered !== '' || cut.interrupted) break;
    const off = tap.onKey(() => cut.fire());
    await prompt(p, pctx);
    off();
  }
  if (ctx.stop.interrupted) return { none: true };
  if (verb.playBeep && tap.buffered === '') await ctx.play(BEEP);

  let digits = '';
  let wait = verb.timeout * 1000;
  for (;;) {
    const key = await tap.next(wait, ctx.stop);
    if (key === undefined) break;
    if (verb.finishOnKey !== '' && verb.finishOnKey.includes(key)) break;
    if (!verb.validDigits.includes(key)) return { invalid: key };
    digits += key;
    if (digits.length >= verb.numDigits) break;
    wait = verb.digitTimeout * 1000;
  }
  return digits === '' ? { none: true } : { digits };
}

export const getDigitsRunner: VerbRunner<GetDigitsVerb> = {
  needsAnswer: true,
  async run(verb, ctx): Promise<Outcome> {
    for (let i = 0; i < verb.retries && !ctx.stop.interrupted; i++) {
      const tap = ctx.tapDigits();
      const result = await attempt(verb, ctx, tap).finally(() => tap.close());
      if (ctx.stop.interrupted) return CONTINUE;
      if ('invalid' in result) {
        ctx.log({ kind: 'event', message: `GetDigits: key ${verb.log ? result.invalid : '(hidden)'} is not one of validDigits "${verb.validDigits}"` });
        if (verb.invalidDigitsSound) {
          const samples = await ctx.audioFile(verb.invalidDigitsSound);
          if (samples) await ctx.play({ samples, annotation: { type: 'play', url: verb.invalidDigitsSound } });
        }
        continue;
      }
      if ('none' in result) continue;
      ctx.log({ kind: 'event', message: `GetDigits: caller entered ${verb.log ? `"${result.digits}"` : `${result.digits.length} digit(s)`}` });
      if (!verb.action) return CONTINUE;
      const params = ctx.params({ Digits: result.digits });
      if (!verb.redirect) {
        ctx.notify(verb.action, verb.method, params, 'action');
        return CONTINUE;
      }
      return { next: 'goto', goto: { url: verb.action, method: verb.method, params, kind: 'action' } };
    }
    return CONTINUE;
  },
};
