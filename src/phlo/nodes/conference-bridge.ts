// Conference bridge: puts the current call into a named conference. Runs on
// the conference service (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';

export const conferenceBridge: NodeComponent = {
  type: 'conference_bridge',
  label: 'Conference Bridge',
  needsCall: false,
  failureStates: ['failed'],
  states: () => ['completed', 'failed'],
  check(c) {
    c.string('conference_name', { required: true, pattern: /^[A-Za-z0-9_\-. ]{1,128}$/, hint: 'letters, digits, spaces and _ - . (at most 128)' });
    c.prompt('announcement');
    c.string('wait_music_url', { url: true });
    c.boolean('beep');
    c.boolean('mute_on_join');
    c.boolean('record');
  },
};
