// Get input: plays the prompt while collecting keys: up to max_input_size,
// ended by finish_on_key or input_timeout seconds without a first key (a
// <GetDigits> built as data). `no_input` when nothing came, or the call
// ended first.
import { getDigits } from '../../plivo-xml/build.ts';
import { HELD_RESULT } from '../../voice/engine/held-call.ts';
import { liveCall, type NodeComponent } from '../phlo-node.ts';
import { intOf, keyOf, promptVerbs } from '../phlo-voice.ts';

export const FINISH_KEY = /^[0-9*#]?$/;
/** Every key a caller can press: the flow decides what a key means. */
export const ANY_KEY = '1234567890*#';

export const getInput: NodeComponent = {
  type: 'get_input',
  label: 'Get Input',
  needsCall: true,
  boundsLoops: true,
  waitsOutside: true,
  states: () => ['successful_input', 'no_input'],
  check(c) {
    c.prompt('prompt');
    c.integer('max_input_size', { min: 1, max: 99 });
    c.integer('input_timeout', { min: 1, max: 60 });
    c.string('finish_on_key', { pattern: FINISH_KEY, hint: 'one key (0-9, * or #)' });
  },
  async run(ctx) {
    const { config } = ctx;
    const verb = getDigits({
      action: HELD_RESULT,
      prompts: promptVerbs(config.prompt),
      numDigits: intOf(config, 'max_input_size', 99),
      timeout: intOf(config, 'input_timeout', 5),
      finishOnKey: keyOf(config, 'finish_on_key', '#'),
      validDigits: ANY_KEY,
      retries: 1,
    });
    const { end } = await liveCall(ctx).run([verb]);
    const input = end.kind === 'action' ? (end.params.Digits ?? '') : '';
    return { state: input ? 'successful_input' : 'no_input', variables: { input, input_type: 'dtmf' } };
  },
};
