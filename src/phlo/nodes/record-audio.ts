// Record audio: records the caller (a voicemail). Runs on the call engine
// (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';
import { FINISH_KEY } from './get-input.ts';

export const recordAudio: NodeComponent = {
  type: 'record_audio',
  label: 'Record Audio',
  needsCall: true,
  states: () => ['recorded', 'no_input', 'failed'],
  check(c) {
    c.prompt('prompt');
    c.integer('max_length', { min: 1, max: 3600 });
    c.integer('silence_timeout', { min: 1, max: 60 });
    c.string('finish_on_key', { pattern: FINISH_KEY, hint: 'one key (0-9, * or #)' });
    c.boolean('play_beep');
    c.string('file_format', { enum: ['mp3', 'wav'] });
  },
};
