// Play audio: speaks or plays a prompt to the current call. Runs on the call
// engine (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';

export const playAudio: NodeComponent = {
  type: 'play_audio',
  label: 'Play Audio',
  needsCall: true,
  states: () => ['prompt_completed', 'failed'],
  check(c) {
    c.prompt('prompt', { required: true });
  },
};
