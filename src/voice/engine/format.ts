// Time formats of call webhooks and live-call objects (UTC). CDRs use
// platform/time.ts's formatTimestamp ("… +00:00").
import { formatTimestamp } from '../../platform/time.ts';

/** "2022-10-12 21:57:47": StartTime, AnswerTime, EndTime of webhooks. */
export const plainTime = (ms: number): string => formatTimestamp(ms).slice(0, 19);

/** "2021-03-23 14:49:39.722000": SessionStart and session_start (microseconds). */
export const sessionTime = (ms: number): string => `${plainTime(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}000`;

/** The MPC API's timestamps: "YYYY-MM-DD HH:mm:ss+00:00" (UTC). */
export const isoish = (ms: number): string => `${plainTime(ms)}+00:00`;
