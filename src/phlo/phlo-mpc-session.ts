// One live multiparty call started by a run's multi_party_call node, named
// phlo_{run_id}_{node name}, on the MPC service the API uses: the run's
// current call moved in (handed back to the run when it leaves), numbers
// dialled in, and what the runner API does to it (PhloMpc finds the session
// by a member's address): hold, unhold, kick, warm and cold transfers, a
// voicemail drop.
import { ApiError } from '../errors.ts';
import { multiPartyCall } from '../plivo-xml/build.ts';
import { normalizeNumber } from '../platform/phone.ts';
import type { Scope } from '../platform/scope.ts';
import type { HeldCall } from '../voice/engine/held-call.ts';
import { memberAddress, TERMINATION, type MpcSettings, type MultiPartyCall, type Participant, type Role } from '../voice/mpc/mpc.ts';
import type { AddedParticipant, MultiPartyCalls } from '../voice/mpc/mpcs.ts';
import { toFlowBool } from './phlo-template.ts';
import { intOf, promptVerbs } from './phlo-voice.ts';

/** How a session reports calls it placed (the run's call_uuids). */
export type PlacedCalls = (uuids: string[]) => void;

const invalidValue = (param: string) => new ApiError(400, `Invalid value provided for ${param}.`);

/** A number or SIP address as members are compared: no '+', SIP case-insensitive. */
export const addressKey = (a: string): string => (/^sips?:/i.test(a.trim()) ? a.trim().toLowerCase() : a.trim().replace(/^\+/, ''));

/** A destination of a runner request or a dial entry: a number (normalized) or a SIP URI. */
function destination(to: string, param: string): string {
  const t = to.trim();
  if (/^sips?:[^\s@]+@\S+$/i.test(t)) return t;
  try {
    return normalizeNumber(t, param);
  } catch {
    throw invalidValue(param);
  }
}

interface Transfer {
  kind: 'warm' | 'cold';
  /** The agent who started it. */
  agent: Participant;
  /** Customers put on hold for a warm transfer (unheld when it resumes or aborts). */
  held: Participant[];
  target: AddedParticipant;
}

export class MpcSession {
  readonly name: string;
  private mpc: MultiPartyCall | undefined;
  /** The run's current call once it joined, and its participant. */
  private current: { call: HeldCall; member: Participant } | undefined;
  private transfer: Transfer | undefined;
  private last: Record<string, string> = {};

  constructor(
    private readonly mpcs: MultiPartyCalls,
    readonly owner: Scope,
    private readonly config: Record<string, unknown>,
    runId: string,
    nodeName: string,
    private readonly placed: PlacedCalls,
  ) {
    this.name = `phlo_${runId}_${nodeName}`;
  }

  /** Participants' settings: the element's defaults with the node's music and recording. */
  private settings(role: Role): MpcSettings {
    const c = this.config;
    const url = (key: string) => (c[key] ? String(c[key]) : undefined);
    const { kind: _kind, name: _name, ...settings } = multiPartyCall(this.name, {
      role,
      agentHoldMusicUrl: url('agent_hold_music_url'),
      customerHoldMusicUrl: url('customer_hold_music_url'),
      waitMusicUrl: url('wait_music_url'),
      record: toFlowBool(c.record),
    });
    return settings;
  }

  /** The MPC once someone is in it; its events give the node's variables. */
  private watch(p: Participant): void {
    this.event('ParticipantJoin', p);
    if (this.mpc) return;
    this.mpc = this.mpcs.find(this.owner, { name: this.name });
    this.mpc?.onEvent((name, member) => member && this.event(name, member));
  }

  private event(name: string, p: Participant): void {
    this.last = {
      event: name,
      member_id: p.id,
      member_address: memberAddress(p),
      role: p.role,
      call_uuid: p.call.uuid,
      mpc_uuid: this.mpc?.uuid ?? '',
      conference_name: this.name,
    };
  }

  /** The last member event, as the node's variables. */
  variables(): Record<string, string> {
    return { ...this.last, mpc_uuid: this.mpc?.uuid ?? '', conference_name: this.name };
  }

  /** The run's current call joins with `role`; when it leaves (the MPC ended) the run has it back. */
  async moveIn(call: HeldCall, role: Role): Promise<boolean> {
    if (!(await call.answer())) return false;
    const added = await this.mpcs.addParticipant(this.owner, this.name, this.settings(role), { move: call.call, handBack: true });
    const member = await added.joined;
    if (!member) return false;
    this.current = { call, member };
    this.watch(member);
    return true;
  }

  /** Dial `to` in with `role`; `joined` resolves with its participant, or undefined when nobody answered. */
  async dial(to: string, role: Role): Promise<AddedParticipant> {
    const from = String(this.config.from ?? '').trim().replace(/^\+/, '');
    const dialled = destination(to, 'to');
    const added = await this.mpcs.addParticipant(this.owner, this.name, this.settings(role), {
      dial: { from, to: [dialled], callerName: from, sipHeaders: {}, ringTimeoutS: intOf(this.config, 'ring_timeout', 30), delaysS: [0] },
    });
    this.placed(added.calls.map((c) => c.uuid));
    void added.joined.then((p) => p && this.watch(p));
    return added;
  }

  /** Resolves when the MPC has ended; at once when nobody ever joined. */
  async ended(): Promise<void> {
    await this.mpc?.finished;
  }

  /** Nobody answered a dial entry: an MPC of fewer than two ends (the run's call is handed back); true when it did. */
  endIfAlone(): boolean {
    if (!this.mpc || this.mpc.participants.size >= 2) return false;
    this.mpc.end(TERMINATION.api);
    return true;
  }

  get started(): boolean {
    return this.mpc !== undefined;
  }

  /** The participant that joined with `address`, if this session's MPC holds one. */
  holding(address: string): Participant | undefined {
    if (!this.mpc || this.mpc.ended) return undefined;
    const key = addressKey(address);
    return [...this.mpc.participants.values()].find((p) => addressKey(memberAddress(p)) === key);
  }

  // ---- the runner's actions ---------------------------------------------------------------

  async hold(p: Participant, hold: boolean): Promise<void> {
    await this.mpcs.update(this.mpc!, [p], { hold });
  }

  /** Kick `p`: its call is hung up, the run's own call too. */
  hangup(p: Participant): void {
    this.mpcs.kick(this.mpc!, [p]);
    if (this.current?.member === p) this.current.call.hangup();
  }

  /** Play the node's voicemail_drop prompt to `p` alone, then hang it up. */
  async voicemailDrop(p: Participant): Promise<void> {
    try {
      if (p.hold) await this.hold(p, false);
      await this.mpcs.playTo(this.mpc!, p, promptVerbs(this.config.voicemail_drop));
    } finally {
      if (!p.left) this.hangup(p);
    }
  }

  /** Only an agent in the call may transfer it. */
  private agent(p: Participant): Participant {
    if (p.role !== 'agent') throw invalidValue('trigger_source');
    return p;
  }

  /** Hold every customer and dial `to` into a private talk with `agentMember`. */
  async warmTransfer(agentMember: Participant, to: string, role: Role): Promise<void> {
    const agent = this.agent(agentMember);
    const held = [...this.mpc!.participants.values()].filter((p) => p.role === 'customer' && !p.hold);
    const target = await this.dial(to, role);
    await this.mpcs.update(this.mpc!, held, { hold: true });
    this.transfer = { kind: 'warm', agent, held, target };
  }

  /** Dial `to`; once it joined, `agentMember` leaves. */
  async coldTransfer(agentMember: Participant, to: string, role: Role): Promise<void> {
    const agent = this.agent(agentMember);
    const target = await this.dial(to, role);
    const transfer: Transfer = { kind: 'cold', agent, held: [], target };
    this.transfer = transfer;
    void target.joined.then((p) => {
      if (this.transfer === transfer) this.transfer = undefined;
      if (p && !agent.left) this.hangup(agent);
    });
  }

  /** End the private talk: everyone on hold is unheld (a three-way call). */
  async resume(): Promise<void> {
    this.transfer = undefined;
    await this.mpcs.update(this.mpc!, [...this.mpc!.participants.values()].filter((p) => p.hold), { hold: false });
  }

  /** Hang up the transfer's target (ringing or joined) and unhold whom it held. */
  async abortTransfer(): Promise<void> {
    const t = this.transfer;
    this.transfer = undefined;
    if (t) {
      t.target.cancel();
      const joined = [...this.mpc!.participants.values()].filter((p) => t.target.calls.includes(p.call));
      if (joined.length > 0) this.mpcs.kick(this.mpc!, joined);
    }
    await this.resume();
  }
}
