// Multiparty calls and participants as the API shows them.
import type { MpcParticipantRow, MpcRow } from '../../store/tables/conferences.ts';
import { isoish } from '../engine/format.ts';
import type { MultiPartyCall, Participant } from './mpc.ts';


const orNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : isoish(ms));

/** A live MPC's id in URIs: its friendly name, percent-encoded (names may hold spaces). */
const byName = (name: string): string => `name_${encodeURIComponent(name)}`;

/** How to name an MPC in its URIs: by name while live, by uuid once ended (names are reused). */
export const mpcPath = (accountId: string, row: Pick<MpcRow, 'status' | 'mpc_uuid' | 'friendly_name'>): string =>
  `/v1/Account/${accountId}/MultiPartyCall/${row.status === 'Ended' ? `uuid_${row.mpc_uuid}` : byName(row.friendly_name)}/`;

export function mpcView(row: MpcRow, recording: string | null) {
  const path = mpcPath(row.account_id, row);
  const ended = row.ended_at !== null;
  return {
    // An MPC has no charge of its own here (each participant's call leg is
    // billed): an ended one shows zero, as decimal string and integer.
    billed_amount: ended ? '0.00000' : null,
    billed_duration: ended ? 0 : null,
    creation_time: isoish(row.created_at),
    duration: ended && row.started_at !== null ? Math.round((row.ended_at! - row.started_at) / 1000) : null,
    end_time: orNull(row.ended_at),
    friendly_name: row.friendly_name,
    mpc_uuid: row.mpc_uuid,
    participants: `${path}Participant/`,
    recording,
    resource_uri: path,
    start_time: orNull(row.started_at),
    status: row.status,
    stay_alone: row.stay_alone === 1,
    sub_account: row.subaccount_id,
    termination_cause: row.termination_cause,
    termination_cause_code: row.termination_cause_code,
  };
}

/** A live MPC as its row would read. */
export function mpcRowOf(mpc: MultiPartyCall): MpcRow {
  return {
    mpc_uuid: mpc.uuid,
    account_id: mpc.owner.accountId,
    subaccount_id: mpc.owner.subaccountId,
    friendly_name: mpc.name,
    status: mpc.status,
    created_at: mpc.createdAt,
    started_at: mpc.startedAt ?? null,
    ended_at: mpc.endedAt ?? null,
    max_participants: mpc.settings.maxParticipants,
    max_duration: mpc.settings.maxDuration,
    stay_alone: mpc.settings.stayAlone ? 1 : 0,
    termination_cause: mpc.termination?.cause ?? null,
    termination_cause_code: mpc.termination?.code ?? null,
  };
}

/** A participant as its record reads: one still in its MPC has no exit yet. */
export type ParticipantRecord = Omit<MpcParticipantRow, 'exited_at' | 'exit_cause'> & { exited_at: number | null; exit_cause: string | null };

/** A live participant's record; with `exit`, the one kept when it leaves. */
export function participantRecordOf(mpc: MultiPartyCall, p: Participant, exit?: { at: number; cause: string }): ParticipantRecord {
  const c = p.call;
  const flag = (b: boolean): 0 | 1 => (b ? 1 : 0);
  return {
    mpc_uuid: mpc.uuid,
    member_id: p.id,
    account_id: mpc.owner.accountId,
    subaccount_id: mpc.owner.subaccountId,
    call_uuid: c.uuid,
    role: p.role,
    member_address: c.direction === 'outbound' ? c.to : c.from,
    coach_mode: flag(p.coachMode),
    hold: flag(p.hold),
    mute: flag(p.mute),
    end_mpc_on_exit: flag(p.settings.endMpcOnExit),
    start_mpc_on_enter: flag(p.settings.startMpcOnEnter),
    joined_at: p.joinedAt,
    exited_at: exit?.at ?? null,
    exit_cause: exit?.cause ?? null,
  };
}

/** `mpcUri` is the participant's MPC's own URI (mpcPath). */
export function participantView(mpcUri: string, r: ParticipantRecord) {
  const left = r.exited_at !== null;
  return {
    billed_amount: null,
    billed_duration: null,
    call_uuid: r.call_uuid,
    coach_mode: r.coach_mode === 1,
    duration: left ? Math.round((r.exited_at! - r.joined_at) / 1000) : null,
    end_mpc_on_exit: r.end_mpc_on_exit === 1,
    exit_cause: r.exit_cause,
    exit_time: orNull(r.exited_at),
    hold: r.hold === 1,
    join_time: isoish(r.joined_at),
    member_address: r.member_address,
    member_id: r.member_id,
    mpc_uuid: r.mpc_uuid,
    mute: r.mute === 1,
    resource_uri: `${mpcUri}Participant/${r.member_id}/`,
    role: r.role,
    start_mpc_on_enter: r.start_mpc_on_enter === 1,
  };
}
