// IVR menu: plays a prompt and routes on one key from allowed_inputs (each
// key is an exit state), retrying on no or a wrong input. Runs on the call
// engine (part 2 of issue 14); its config is checked now.
import type { NodeComponent } from '../phlo-node.ts';

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
};
