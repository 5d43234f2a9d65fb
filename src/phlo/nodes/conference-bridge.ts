// Conference bridge: the current call hears the announcement and joins the
// named conference of the account (a <Conference> built as data, on the
// conference service the API uses) until it leaves: it hangs up, is
// kicked, or the conference ends. `failed` when there is no live call or
// the conference is full.
import { conference } from '../../plivo-xml/build.ts';
import { HELD_RESULT } from '../../voice/engine/held-call.ts';
import type { NodeComponent } from '../phlo-node.ts';
import { toFlowBool } from '../phlo-template.ts';
import { promptVerbs } from '../phlo-voice.ts';

export const conferenceBridge: NodeComponent = {
  type: 'conference_bridge',
  label: 'Conference Bridge',
  needsCall: false,
  waitsOutside: true,
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
  async run(ctx) {
    const { config, call } = ctx;
    const name = String(config.conference_name ?? '');
    if (!call) return { state: 'failed', variables: { conference_name: name, error: 'no live call to put into the conference' } };
    const verb = conference(name, {
      action: HELD_RESULT,
      beep: toFlowBool(config.beep),
      muted: toFlowBool(config.mute_on_join),
      record: toFlowBool(config.record),
      waitSound: config.wait_music_url ? String(config.wait_music_url) : undefined,
    });
    const { end } = await call.run([...promptVerbs(config.announcement), verb]);
    if (end.kind !== 'action') return { state: 'failed', variables: { conference_name: name, call_uuid: call.uuid, error: 'the call ended or the conference was full before it joined' } };
    const p = end.params;
    if (p.RecordingID) ctx.madeRecordings([p.RecordingID]);
    return {
      state: 'completed',
      variables: { event: 'exit', member_id: p.ConferenceMemberID, call_uuid: call.uuid, conference_uuid: p.ConferenceUUID, conference_name: p.ConferenceName, record_url: p.RecordUrl ?? '', recording_id: p.RecordingID ?? '' },
    };
  },
};
