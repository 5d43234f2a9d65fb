// IVR menu: plays a prompt and routes on one key from allowed_inputs (each
// key is an exit state). No key within input_timeout, or a key not allowed,
// plays the prompt again, max_retries times; then the run leaves by
// `no_input` or `wrong_input`, whichever the last attempt gave.
import { getDigits } from '../../plivo-xml/build.ts';
import { HELD_RESULT } from '../../voice/engine/held-call.ts';
import { liveCall, type NodeComponent } from '../phlo-node.ts';
import { intOf, promptVerbs } from '../phlo-voice.ts';
import { ANY_KEY } from './get-input.ts';

const KEY = /^[0-9*#]$/;

/** allowed_inputs as a list of keys: ["1","2","#"] or the string "12#". */
export function allowedInputs(config: Record<string, unknown>): string[] {
  const v = config.allowed_inputs;
  if (typeof v === 'string') return [...v.replace(/[\s,]/g, '')];
  return Array.isArray(v) ? v.map(String) : [];
}

export const ivrMenu: NodeComponent = {
  type: 'ivr_menu',
  label: 'IVR Menu',
  needsCall: true,
  boundsLoops: true,
  waitsOutside: true,
  states: (config) => [...allowedInputs(config), 'no_input', 'wrong_input'],
  check(c) {
    c.prompt('prompt', { required: true });
    const raw = c.value('allowed_inputs');
    const keys = allowedInputs({ allowed_inputs: raw });
    if (typeof raw !== 'string' && !Array.isArray(raw)) c.error('allowed_inputs', 'is required: a list of the keys the caller may press (digits, * and #)');
    else if (keys.length === 0) c.error('allowed_inputs', 'must name at least one key');
    for (const key of keys) if (!KEY.test(key)) c.error('allowed_inputs', `"${key}" is not a key (0-9, * or #)`);
    if (new Set(keys).size !== keys.length) c.error('allowed_inputs', 'lists a key twice');
    c.integer('input_timeout', { min: 1, max: 60 });
    c.integer('max_retries', { min: 0, max: 10 });
  },
  async run(ctx) {
    const { config } = ctx;
    const allowed = allowedInputs(config);
    // One key, any key: whether it is allowed is the menu's to say.
    const verb = getDigits({ action: HELD_RESULT, prompts: promptVerbs(config.prompt), numDigits: 1, timeout: intOf(config, 'input_timeout', 5), finishOnKey: '', validDigits: ANY_KEY, retries: 1 });
    const call = liveCall(ctx);
    let last = { state: 'no_input', digits: '' };
    for (let attempt = 0; attempt <= intOf(config, 'max_retries', 0) && call.live; attempt++) {
      const { end } = await call.run([verb]);
      const digits = end.kind === 'action' ? (end.params.Digits ?? '') : '';
      last = { state: digits === '' ? 'no_input' : allowed.includes(digits) ? digits : 'wrong_input', digits };
      if (allowed.includes(digits)) break;
    }
    return { state: last.state, variables: { digits: last.digits, input: last.digits } };
  },
};
