// Play audio: speaks or plays a prompt to the current call. `failed` when
// the call ended (or was taken elsewhere) before the prompt finished.
import { liveCall, type NodeComponent } from '../phlo-node.ts';
import { promptVerbs } from '../phlo-voice.ts';

export const playAudio: NodeComponent = {
  type: 'play_audio',
  label: 'Play Audio',
  needsCall: true,
  waitsOutside: true,
  states: () => ['prompt_completed', 'failed'],
  check(c) {
    c.prompt('prompt', { required: true });
  },
  async run(ctx) {
    const { end } = await liveCall(ctx).run(promptVerbs(ctx.config.prompt));
    return { state: end.kind === 'done' ? 'prompt_completed' : 'failed' };
  },
};
