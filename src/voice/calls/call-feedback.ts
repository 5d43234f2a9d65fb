// Call quality feedback: POST /v1/Call/{call_uuid}/Feedback/ on the
// platform's stats host. A rating from 1 to 5, the issues heard (required
// below 5) and notes, kept on the call's record. Validation answers 422
// with the messages the platform documents.
import { ApiError } from '../../errors.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { formatTimestamp } from '../../platform/time.ts';
import { callsRepo } from '../../store/repos/calls.ts';

export const FEEDBACK_ISSUES = [
  'AUDIO_LAG',
  'BROKEN_AUDIO',
  'CALL_DROPPED',
  'CALLERID_ISSUE',
  'DIGITS_NOT_CAPTURED',
  'ECHO',
  'HIGH_CONNECT_TIME',
  'LOW_AUDIO_LEVEL',
  'ONE_WAY_AUDIO',
  'OTHERS',
  'ROBOTIC_AUDIO',
] as const;
export type FeedbackIssue = (typeof FEEDBACK_ISSUES)[number];

export interface FeedbackInput {
  rating?: unknown;
  issues?: unknown;
  notes?: unknown;
}

/** What the call's record keeps. */
export interface Feedback {
  rating: number;
  issues: FeedbackIssue[];
  notes: string;
  posted_at: string;
}

const RATING = /^\d+(\.\d+)?$/;

function ratingOf(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && RATING.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 5)) throw new ApiError(422, 'Rating has to be a float between 1 -5');
  return n;
}

function issuesOf(value: unknown, rating: number): FeedbackIssue[] {
  const list = value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];
  const known = list.every((i): i is FeedbackIssue => typeof i === 'string' && (FEEDBACK_ISSUES as readonly string[]).includes(i));
  if (!known || (rating < 5 && list.length === 0)) {
    throw new ApiError(422, `Issues have to be an array of one or more than one of the following: ${FEEDBACK_ISSUES.join(', ')}`);
  }
  return [...new Set(list)];
}

export class CallFeedback {
  constructor(private readonly ctx: PlatformContext) {}

  /** Feedback for an ended call of the caller's scope; posting again replaces it. */
  async post(scope: Scope, callUuid: string, input: FeedbackInput): Promise<Feedback> {
    const rating = ratingOf(input.rating);
    const feedback: Feedback = {
      rating,
      issues: issuesOf(input.issues, rating),
      notes: typeof input.notes === 'string' ? input.notes : '',
      posted_at: formatTimestamp(this.ctx.clock.now()),
    };
    const row = await callsRepo.find(this.ctx.db, ownerFilter(scope), callUuid);
    if (!row) throw new ApiError(404, `Please check the Call UUID: ${callUuid} is not an ended call of this account`);
    await callsRepo.setFeedback(this.ctx.db, callUuid, JSON.stringify(feedback));
    return feedback;
  }
}
