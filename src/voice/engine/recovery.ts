// Calls that were live on a server process that is gone (a crash, a
// kill -9): whoever takes over the node's work closes them as the platform
// would have had it seen them end — final state, 5010 Internal Error from
// source Error, billed up to the last moment the node was known to be
// alive, a CDR and the hangup callback (stored together), and an entry in
// the call's debug log saying why. Two nodes closing the same gone node's calls at once is
// safe: a call's record is written only by the transaction that removes its
// live row.
import type { Logger } from 'pino';
import { formatTimestamp } from '../../platform/time.ts';
import { liveCallsRepo } from '../../store/repos/calls.ts';
import type { LiveCallRow } from '../../store/tables/calls.ts';
import type { NumberType } from '../../store/tables/numbers.ts';
import type { Database } from '../../store/db.ts';
import { CAUSES, cdrState, finalStatus, type CallEnd } from './causes.ts';
import { durationOf, hangupFields } from './params.ts';
import type { WebhookRequest } from '../../webhooks/types.ts';
import type { CallLogPort, CdrPort, Charge, HttpMethod, PlatformPort } from './ports.ts';

export interface RecoveryDeps {
  db: Database;
  /** Writes the record and queues the hangup callback together. */
  cdrs: CdrPort;
  callLog: CallLogPort;
  platform: Pick<PlatformPort, 'signing'>;
  log: Logger;
}

/** How a call ends when the process running it is gone: a platform-side failure. */
export const CRASHED: CallEnd = { cause: CAUSES.internalError, source: 'Error' };

/** Close every call `gone` was running; resolves with how many were closed here. */
export async function closeCallsOf(deps: RecoveryDeps, gone: { nodeId: string; lastSeenAt: number }): Promise<number> {
  const rows = await liveCallsRepo.ofNode(deps.db, gone.nodeId);
  const closed = await Promise.all(rows.map((row) => close(deps, row, gone.lastSeenAt)));
  const n = closed.filter(Boolean).length;
  if (rows.length > 0) deps.log.warn({ gone_node: gone.nodeId, calls: n }, 'calls of a gone node closed');
  return n;
}

async function close(deps: RecoveryDeps, row: LiveCallRow, lastSeenAt: number): Promise<boolean> {
  const owner = { accountId: row.account_id, subaccountId: row.subaccount_id };
  const answeredAt = row.answered_at ?? undefined;
  // Billed for the time known: up to the node's last sign of life (never before the call began).
  const endedAt = Math.max(lastSeenAt, answeredAt ?? row.initiated_at);
  const durationS = durationOf({ answeredAt, endedAt });
  const signing = row.hangup_url ? await deps.platform.signing(owner) : undefined;
  const hangup = (charge: Charge): WebhookRequest => ({
    url: row.hangup_url!,
    method: (row.hangup_method ?? 'POST') as HttpMethod,
    params: Object.assign(
      JSON.parse(row.params) as Record<string, string>,
      { CallStatus: finalStatus(CRASHED, answeredAt !== undefined, row.call_direction as 'inbound' | 'outbound') },
      hangupFields({ end: CRASHED, durationS, charge, startedAt: row.initiated_at, answeredAt, endedAt }),
    ),
    authToken: signing!.authToken,
    mainAuthToken: signing!.mainAuthToken,
    accountId: owner.accountId,
    subaccountId: owner.subaccountId,
    callUuid: row.call_uuid,
    kind: 'hangup',
  });
  const charge = await deps.cdrs.record({
    live: true,
    holdsCredit: true,
    hangup: signing && hangup,
    uuid: row.call_uuid,
    requestUuid: row.request_uuid,
    owner,
    direction: row.call_direction as 'inbound' | 'outbound',
    from: row.from_number,
    to: row.to_number,
    callerName: row.caller_name,
    parentCallUuid: row.parent_call_uuid,
    numberType: (row.number_type ?? undefined) as NumberType | undefined,
    initiatedAt: row.initiated_at,
    answeredAt,
    endedAt,
    durationS,
    state: cdrState(CRASHED, answeredAt !== undefined),
    causeCode: CRASHED.cause.code,
    causeName: CRASHED.cause.name,
    cause: CRASHED.cause.cause,
    source: CRASHED.source,
  });
  // Another node closed it first.
  if (!charge) return false;
  await deps.callLog.append(row.call_uuid, owner, {
    kind: 'error',
    message: `the server process running this call stopped without ending it (a crash); closed when another process took over its work: ${CRASHED.cause.code} ${CRASHED.cause.name}, billed up to ${formatTimestamp(endedAt)}, the last moment that process was known to be running`,
    data: { hangup_cause_code: CRASHED.cause.code, ended_at: endedAt, billed_duration: charge.billedS },
  });
  return true;
}
