// Record audio: the prompt, a beep, then the caller (a voicemail) until
// finish_on_key, silence_timeout seconds of silence, max_length seconds or
// the caller hanging up, which keeps what was said (a <Record> built as
// data). `no_input` when nothing was recorded.
import { record } from '../../plivo-xml/build.ts';
import { HELD_RESULT } from '../../voice/engine/held-call.ts';
import { liveCall, type NodeComponent } from '../phlo-node.ts';
import { toFlowBool } from '../phlo-template.ts';
import { intOf, keyOf, promptVerbs } from '../phlo-voice.ts';
import { FINISH_KEY } from './get-input.ts';

export const recordAudio: NodeComponent = {
  type: 'record_audio',
  label: 'Record Audio',
  needsCall: true,
  waitsOutside: true,
  states: () => ['recorded', 'no_input', 'failed'],
  check(c) {
    c.prompt('prompt');
    c.integer('max_length', { min: 1, max: 3600 });
    c.integer('silence_timeout', { min: 1, max: 60 });
    c.string('finish_on_key', { pattern: FINISH_KEY, hint: 'one key (0-9, * or #)' });
    c.boolean('play_beep');
    c.string('file_format', { enum: ['mp3', 'wav'] });
  },
  async run(ctx) {
    const { config } = ctx;
    const verb = record({
      action: HELD_RESULT,
      maxLength: intOf(config, 'max_length', 60),
      timeout: intOf(config, 'silence_timeout', 15),
      finishOnKey: keyOf(config, 'finish_on_key', '#'),
      playBeep: config.play_beep === undefined ? true : toFlowBool(config.play_beep),
      fileFormat: config.file_format === 'wav' ? 'wav' : 'mp3',
    });
    const { end } = await liveCall(ctx).run([...promptVerbs(config.prompt), verb]);
    if (end.kind !== 'action') return { state: 'failed', variables: { record_url: '', recording_id: '', record_duration: '', digits: '' } };
    const p = end.params;
    ctx.madeRecordings([p.RecordingID!]);
    const variables = { record_url: p.RecordUrl, recording_id: p.RecordingID, record_duration: p.RecordingDuration, digits: p.Digits ?? '' };
    return { state: Number(p.RecordingDurationMs) > 0 ? 'recorded' : 'no_input', variables };
  },
};
