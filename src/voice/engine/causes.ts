// Why calls end, in the platform's terms: the hangup cause table (code and
// name as the platform's "hangup causes and sources" page lists them), the
// telephony cause sent as HangupCause, and who ended the call.
import type { NetworkCause } from '../../telephony/driver.ts';

export interface HangupCause {
  code: number;
  /** HangupCauseName / hangup_cause_name. */
  name: string;
  /** HangupCause: the telephony (Q.850-style) cause. */
  cause: string;
}

const c = (code: number, name: string, cause: string): HangupCause => ({ code, name, cause });

export const CAUSES = {
  unknown: c(0, 'Unknown', 'UNKNOWN'),
  canceled: c(1000, 'Canceled', 'ORIGINATOR_CANCEL'),
  outOfCredits: c(1010, 'Canceled (Out Of Credits)', 'ORIGINATOR_CANCEL'),
  invalidDestination: c(2000, 'Invalid Destination Address', 'INVALID_NUMBER_FORMAT'),
  destinationOutOfService: c(2010, 'Destination Out Of Service', 'DESTINATION_OUT_OF_ORDER'),
  noAnswer: c(3000, 'No Answer', 'NO_ANSWER'),
  busy: c(3010, 'Busy Line', 'USER_BUSY'),
  rejected: c(3020, 'Rejected', 'CALL_REJECTED'),
  unallocated: c(3050, 'Unallocated number', 'UNALLOCATED_NUMBER'),
  normal: c(4000, 'Normal Hangup', 'NORMAL_CLEARING'),
  endOfXml: c(4010, 'End Of XML Instructions', 'NORMAL_CLEARING'),
  internalError: c(5010, 'Internal Error', 'NORMAL_TEMPORARY_FAILURE'),
  scheduledHangup: c(6000, 'Scheduled Hangup', 'ALLOTTED_TIMEOUT'),
  ringTimeout: c(6010, 'Ring Timeout Reached', 'NO_ANSWER'),
  answerUrlError: c(7011, 'Error Reaching Answer URL', 'NORMAL_TEMPORARY_FAILURE'),
  actionUrlError: c(7012, 'Error Reaching Action URL', 'NORMAL_TEMPORARY_FAILURE'),
  transferUrlError: c(7013, 'Error Reaching Transfer URL', 'NORMAL_TEMPORARY_FAILURE'),
  redirectUrlError: c(7014, 'Error Reaching Redirect URL', 'NORMAL_TEMPORARY_FAILURE'),
  invalidAnswerXml: c(8011, 'Invalid Answer XML', 'NORMAL_TEMPORARY_FAILURE'),
  invalidActionXml: c(8012, 'Invalid Action XML', 'NORMAL_TEMPORARY_FAILURE'),
  invalidTransferXml: c(8013, 'Invalid Transfer XML', 'NORMAL_TEMPORARY_FAILURE'),
  invalidRedirectXml: c(8014, 'Invalid Redirect XML', 'NORMAL_TEMPORARY_FAILURE'),
  machineDetected: c(9100, 'Machine Detected', 'NORMAL_CLEARING'),
} as const satisfies Record<string, HangupCause>;

export type CauseKey = keyof typeof CAUSES;

/** hangup_source values, as the platform documents them. */
export type HangupSource = 'Caller' | 'Callee' | 'Plivo' | 'API Request' | 'Answer XML' | 'Error' | 'Unknown';

export interface CallEnd {
  cause: HangupCause;
  source: HangupSource;
}

/** A network cause reported by the far end of a leg. */
export function fromNetwork(cause: NetworkCause, direction: 'inbound' | 'outbound', answered: boolean): CallEnd {
  const farEnd: HangupSource = direction === 'inbound' ? 'Caller' : 'Callee';
  switch (cause) {
    case 'NORMAL_CLEARING':
      return { cause: answered ? CAUSES.normal : CAUSES.canceled, source: farEnd };
    case 'USER_BUSY':
      return { cause: CAUSES.busy, source: farEnd };
    case 'NO_ANSWER':
      return { cause: CAUSES.noAnswer, source: farEnd };
    case 'CALL_REJECTED':
      return { cause: CAUSES.rejected, source: farEnd };
    case 'UNALLOCATED_NUMBER':
      return { cause: CAUSES.unallocated, source: farEnd };
    case 'DESTINATION_OUT_OF_ORDER':
      return { cause: CAUSES.destinationOutOfService, source: farEnd };
    case 'ORIGINATOR_CANCEL':
      return { cause: CAUSES.canceled, source: farEnd };
    case 'NORMAL_TEMPORARY_FAILURE':
      return { cause: CAUSES.internalError, source: 'Error' };
  }
}

/** The network cause to signal when the platform ends a leg for `cause`. */
export function toNetwork(cause: HangupCause, answered: boolean): NetworkCause {
  if (cause === CAUSES.busy) return 'USER_BUSY';
  if (cause === CAUSES.rejected) return 'CALL_REJECTED';
  if (cause === CAUSES.ringTimeout || cause === CAUSES.noAnswer) return 'NO_ANSWER';
  return answered ? 'NORMAL_CLEARING' : 'ORIGINATOR_CANCEL';
}

/** How an unanswered call ended, as its CDR's call_state says it. */
function unanswered(end: CallEnd): 'busy' | 'no-answer' | 'cancel' | 'failed' {
  switch (end.cause) {
    case CAUSES.busy:
    case CAUSES.rejected:
      return 'busy';
    case CAUSES.noAnswer:
    case CAUSES.ringTimeout:
      return 'no-answer';
    case CAUSES.canceled:
    case CAUSES.outOfCredits:
      return 'cancel';
    default:
      return end.source === 'Answer XML' || end.source === 'API Request' ? 'cancel' : 'failed';
  }
}

export type FinalStatus = 'completed' | 'busy' | 'failed' | 'timeout' | 'no-answer';

/**
 * CallStatus of an ended call in its hangup callback (and anything sent
 * after the end), as the platform sends it: `completed` for every inbound
 * call; for an outbound one `completed` when it was answered or ended by the
 * Hangup API, `busy` (busy or rejected), `no-answer` (the far end never
 * answered), `timeout` (ring_timeout reached) or `failed` — never `cancel`.
 */
export function finalStatus(end: CallEnd, answered: boolean, direction: 'inbound' | 'outbound'): FinalStatus {
  if (answered || direction === 'inbound') return 'completed';
  switch (end.cause) {
    case CAUSES.busy:
    case CAUSES.rejected:
      return 'busy';
    case CAUSES.noAnswer:
      return 'no-answer';
    case CAUSES.ringTimeout:
      return 'timeout';
    default:
      return end.source === 'API Request' ? 'completed' : 'failed';
  }
}

/** call_state of a CDR. */
export function cdrState(end: CallEnd, answered: boolean): string {
  if (answered) return 'ANSWER';
  const status = unanswered(end);
  if (end.cause === CAUSES.rejected) return 'REJECTED';
  return status === 'no-answer' ? 'NO_ANSWER' : status.toUpperCase();
}
