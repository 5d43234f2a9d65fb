// SIP final responses ⇄ the driver's network causes (Q.850 names), the way
// gateways and FreeSWITCH translate them (its sip_to_cause/hangup_cause_to_sip
// tables): what a far end's failure response means for the CDR and hangup
// callback, and which status we answer an inbound INVITE with when the
// platform refuses it before answering.
import type { NetworkCause } from '../driver.ts';

/**
 * The cause of a failure response to our INVITE. `res` is false when no
 * response came at all (the stack's 408/503 stand-ins for a timeout or a
 * transport failure): the destination could not be reached.
 */
export function causeOfStatus(status: number, res: boolean): NetworkCause {
  if (!res) return 'DESTINATION_OUT_OF_ORDER';
  switch (status) {
    case 486:
    case 600:
      return 'USER_BUSY';
    case 408:
    case 480:
    case 487:
      return 'NO_ANSWER';
    case 403:
    case 603:
      return 'CALL_REJECTED';
    case 404:
    case 484:
    case 604:
      return 'UNALLOCATED_NUMBER';
    case 410:
    case 502:
      return 'DESTINATION_OUT_OF_ORDER';
    default:
      return status >= 500 ? 'NORMAL_TEMPORARY_FAILURE' : 'CALL_REJECTED';
  }
}

/** The status we refuse an unanswered inbound INVITE with when the platform ends it for `cause`. */
export function statusOfCause(cause: NetworkCause): { status: number; reason: string } {
  switch (cause) {
    case 'USER_BUSY':
      return { status: 486, reason: 'Busy Here' };
    case 'CALL_REJECTED':
      return { status: 603, reason: 'Decline' };
    case 'UNALLOCATED_NUMBER':
      return { status: 404, reason: 'Not Found' };
    case 'DESTINATION_OUT_OF_ORDER':
      return { status: 502, reason: 'Bad Gateway' };
    case 'NORMAL_TEMPORARY_FAILURE':
      return { status: 503, reason: 'Service Unavailable' };
    case 'ORIGINATOR_CANCEL':
      return { status: 487, reason: 'Request Terminated' };
    case 'NO_ANSWER':
    case 'NORMAL_CLEARING':
      return { status: 480, reason: 'Temporarily Unavailable' };
  }
}

/** Statuses after which an outbound call is tried on the next gateway (the gateway, not the callee, failed). */
export const failsOver = (status: number, res: boolean): boolean => !res || status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
