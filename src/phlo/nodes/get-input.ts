// Get input: collects digits (up to max_input_size, ended by finish_on_key or
// the timeout). Runs on the call engine (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';

export const FINISH_KEY = /^[0-9*#]?$/;

export const getInput: NodeComponent = {
  type: 'get_input',
  label: 'Get Input',
  needsCall: true,
  boundsLoops: true,
  states: () => ['successful_input', 'no_input'],
  check(c) {
    c.prompt('prompt');
    c.integer('max_input_size', { min: 1, max: 99 });
    c.integer('input_timeout', { min: 1, max: 60 });
    c.string('finish_on_key', { pattern: FINISH_KEY, hint: 'one key (0-9, * or #)' });
  },
};
