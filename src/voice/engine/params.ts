// The parameters every call webhook carries (answer, fallback, action,
// redirect, transfer, ring, hangup), as the platform documents them, and the
// extra ones of the hangup callback.
import { formatMoney } from '../../money.ts';
import type { Call } from './call.ts';
import type { CallEnd } from './causes.ts';
import { plainTime, sessionTime } from './format.ts';
import type { MachineVerdict } from './machine.ts';
import type { Charge } from './ports.ts';

const MACHINE_PARAM: Record<MachineVerdict, string> = { machine: 'true', person: 'false', unknown: 'Unknown' };

export function callParams(call: Call): Record<string, string> {
  const p: Record<string, string> = {
    CallUUID: call.uuid,
    From: call.from,
    To: call.to,
    Direction: call.direction,
    CallStatus: call.callStatus,
    CallerName: call.setup.callerName,
    STIRVerification: 'Not Applicable',
  };
  // The A-leg identifiers belong to calls the API placed; inbound calls have none.
  if (call.direction === 'outbound') {
    p.RequestUUID = call.requestUuid;
    p.ALegUUID = call.uuid;
    p.ALegRequestUUID = call.requestUuid;
  }
  if (call.sessionStart !== undefined) p.SessionStart = sessionTime(call.sessionStart);
  if (call.rate !== undefined) p.BillRate = formatMoney(call.rate);
  // The platform's words: true, false, or Unknown when it could not tell (initial silence, out of time).
  if (call.machine !== undefined) p.Machine = MACHINE_PARAM[call.machine];
  // Custom SIP headers reach every request as X-PH-<name>.
  for (const [k, v] of Object.entries(call.setup.sipHeaders)) p[`X-PH-${k}`] = v;
  return p;
}

export function hangupParams(call: Call, charge: Charge): Record<string, string> {
  // Added onto the call's parameters rather than spread into a new literal: under Node 20 an object literal that
  // starts with a spread and then adds keys gets a hidden class of its own (docs/decisions.md). BillRate keeps its place.
  return Object.assign(
    callParams(call),
    hangupFields({ end: call.end!, durationS: durationOf(call), charge, startedAt: call.initiatedAt ?? call.queuedAt, answeredAt: call.answeredAt, endedAt: call.endedAt! }),
  );
}

/** What the hangup callback adds to the call's parameters. */
export function hangupFields(f: { end: CallEnd; durationS: number; charge: Charge; startedAt: number; answeredAt: number | undefined; endedAt: number }): Record<string, string> {
  return {
    Event: 'Hangup',
    Duration: String(f.durationS),
    BillDuration: String(f.charge.billedS),
    BillRate: formatMoney(f.charge.rate),
    TotalCost: formatMoney(f.charge.amount),
    HangupCause: f.end.cause.cause,
    HangupCauseName: f.end.cause.name,
    HangupCauseCode: String(f.end.cause.code),
    HangupSource: f.end.source,
    StartTime: plainTime(f.startedAt),
    AnswerTime: f.answeredAt === undefined ? '' : plainTime(f.answeredAt),
    EndTime: plainTime(f.endedAt),
  };
}

/** Answered seconds, rounded up: an answered call lasts at least a second. */
export function durationOf(call: { answeredAt?: number; endedAt?: number }): number {
  if (call.answeredAt === undefined || call.endedAt === undefined) return 0;
  return Math.max(1, Math.ceil((call.endedAt - call.answeredAt) / 1000));
}
