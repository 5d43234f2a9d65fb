// The Add Participant API takes the same settings as the <MultiPartyCall>
// element, in snake_case. They are checked and defaulted by the element's own
// rules (the element given as data: one set of rules for both), and its
// messages are given back with the API's parameter names.
import { ApiError } from '../../errors.ts';
import { parseElement } from '../../plivo-xml/parse.ts';
import type { MpcSettings } from './mpc.ts';

/** API parameters that are element attributes; the rest of the request (to, from, call_uuid …) is the API's own. */
export const MPC_ATTRIBUTES = [
  'role', 'max_duration', 'max_participants', 'record_min_member_count', 'wait_music_url', 'wait_music_method',
  'agent_hold_music_url', 'agent_hold_music_method', 'customer_hold_music_url', 'customer_hold_music_method',
  'record', 'record_file_format', 'recording_callback_url', 'recording_callback_method', 'status_callback_events',
  'status_callback_url', 'status_callback_method', 'stay_alone', 'coach_mode', 'mute', 'hold', 'start_mpc_on_enter',
  'end_mpc_on_exit', 'enter_sound', 'enter_sound_method', 'exit_sound', 'exit_sound_method', 'on_exit_action_url',
  'on_exit_action_method', 'relay_dtmf_inputs', 'start_recording_audio', 'start_recording_audio_method',
  'stop_recording_audio', 'stop_recording_audio_method', 'record_participant_track',
] as const;

const camel = (snake: string): string => (snake === 'relay_dtmf_inputs' ? 'relayDTMFInputs' : snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));

export function settingsFromApi(input: Readonly<Record<string, unknown>>): MpcSettings {
  const attrs = new Map<string, string>();
  for (const name of MPC_ATTRIBUTES) {
    const v = input[name];
    if (v === undefined || v === null) continue;
    attrs.set(camel(name), String(v));
  }
  const parsed = parseElement({ name: 'MultiPartyCall', attrs, children: ['api'] });
  if (!parsed.ok) {
    let message = parsed.error.replace(/^<MultiPartyCall[^>]*>:\s*/, '');
    for (const name of MPC_ATTRIBUTES) message = message.replace(new RegExp(`\\b${camel(name)}\\b`, 'g'), name);
    throw new ApiError(400, message);
  }
  const verb = parsed.verb;
  if (verb.kind !== 'MultiPartyCall') throw new Error('the settings document did not parse to a MultiPartyCall');
  const { kind: _kind, name: _name, ...settings } = verb;
  return settings;
}
