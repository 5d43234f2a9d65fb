// The sandbox's speech recognizer. It recognizes nothing: speech from a
// virtual phone (and prompts bridged from another leg) carries its text as
// a label, and this reads the words off the label. That is the one thing
// the sandbox lets a label decide — what was said. When and whether
// anything was said comes from the audio like everywhere else: labelled
// runs without sound are not speech, and the words are spread over the
// stretch of the run that has sound, the whole text final where the sound
// ends. Its confidence is 1 because the words are certain, not measured.
import { soundExtent } from '../media/voice-activity.ts';
import type { SpeechRecognizer } from '../voice/speech.ts';

export const labelRecognizer: SpeechRecognizer = {
  open(_opts, emit) {
    return {
      write(run, at) {
        const a = run.annotation;
        if (a?.type !== 'said' && a?.type !== 'speak') return;
        const words = a.text.trim().split(/\s+/).filter((w) => w !== '');
        const sound = soundExtent(run.samples);
        if (words.length === 0 || !sound) return;
        const [from, to] = sound;
        words.forEach((_, i) => {
          const last = i === words.length - 1;
          emit({ text: last ? words.join(' ') : words.slice(0, i + 1).join(' '), final: last, confidence: 1, at: at + from + Math.round(((to - from) * (i + 1)) / words.length) });
        });
      },
      close() {},
    };
  },
};
