// Multiparty calls: one row per MPC, written when it is created and updated
// as it starts and ends, so ended MPCs can still be listed and read by uuid.
// (Conferences themselves live only while they have members.) Times are
// epoch ms, flags 0/1.
import type { Insertable, Selectable } from 'kysely';
import type { Flag } from './flag.ts';

export interface MultiPartyCallsTable {
  mpc_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  friendly_name: string;
  /** 'Initialized' | 'Active' | 'Ended' */
  status: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  max_participants: number;
  /** Seconds. */
  max_duration: number;
  stay_alone: Flag;
  termination_cause: string | null;
  termination_cause_code: number | null;
}

/** A participant who left its MPC, with its last state; live ones are in memory. */
export interface MpcParticipantsTable {
  mpc_uuid: string;
  member_id: string;
  account_id: string;
  subaccount_id: string | null;
  call_uuid: string;
  role: string;
  member_address: string;
  coach_mode: Flag;
  hold: Flag;
  mute: Flag;
  end_mpc_on_exit: Flag;
  start_mpc_on_enter: Flag;
  joined_at: number;
  exited_at: number;
  exit_cause: string;
}

export interface ConferencesTables {
  multi_party_calls: MultiPartyCallsTable;
  mpc_participants: MpcParticipantsTable;
}

export type MpcRow = Selectable<MultiPartyCallsTable>;
export type NewMpcRow = Insertable<MultiPartyCallsTable>;
/** What an MPC's life changes (id, owner, name and creation never). */
export const MPC_STATE_COLUMNS = ['status', 'started_at', 'ended_at', 'max_participants', 'max_duration', 'stay_alone', 'termination_cause', 'termination_cause_code'] as const;
export type MpcUpdate = Partial<Pick<MultiPartyCallsTable, (typeof MPC_STATE_COLUMNS)[number]>>;
export type MpcParticipantRow = Selectable<MpcParticipantsTable>;
