// Multiparty calls and participants as the API shows them.
import type { MpcRow } from '../../store/tables/conferences.ts';
import { isoish } from '../engine/format.ts';
import type { MultiPartyCall, Participant } from './mpc.ts';


const orNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : isoish(ms));

/** A live MPC's id in URIs: its friendly name, percent-encoded (names may hold spaces). */
const byName = (name: string): string => `name_${encodeURIComponent(name)}`;

/** How to name an MPC in its URIs: by name while live, by uuid once ended (names are reused). */
const mpcPath = (accountId: string, row: MpcRow): string =>
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

export function participantView(mpc: MultiPartyCall, p: Participant) {
  const c = p.call;
  return {
    billed_amount: null,
    billed_duration: null,
    call_uuid: c.uuid,
    coach_mode: p.coachMode,
    duration: null,
    end_mpc_on_exit: p.settings.endMpcOnExit,
    exit_cause: null,
    exit_time: null,
    hold: p.hold,
    join_time: isoish(p.joinedAt),
    member_address: c.direction === 'outbound' ? c.to : c.from,
    member_id: p.id,
    mpc_uuid: mpc.uuid,
    mute: p.mute,
    resource_uri: `/v1/Account/${mpc.owner.accountId}/MultiPartyCall/${byName(mpc.name)}/Participant/${p.id}/`,
    role: p.role,
    start_mpc_on_enter: p.settings.startMpcOnEnter,
  };
}
