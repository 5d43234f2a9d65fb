// What a virtual phone of the sandbox carrier does (SANDBOX.md): how it
// answers a call and the script it then follows. The driver only runs these;
// where they come from (the sandbox API, stored per account) is the
// sandbox control plane's business (src/sandbox/), behind `PhoneDirectory`.
import type { Tenant } from '../driver.ts';

export const BEHAVIOURS = ['answer', 'busy', 'no_answer', 'reject', 'machine', 'unreachable'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export type ScriptAction =
  | { action: 'dtmf'; digits: string }
  | { action: 'say'; text: string }
  | { action: 'play'; url: string }
  | { action: 'hangup' };

/**
 * One step: it waits for its trigger — `on_hear` (spoken text containing
 * these words reaches the phone), then `after_ms` (counted from the previous
 * step, or from answer for the first) — then acts.
 */
export type ScriptStep = ScriptAction & { after_ms?: number; on_hear?: string };

/**
 * How a phone's keys reach the platform: as signalled events (RFC 4733, the
 * default, as most phones and trunks send them), as tones in its audio only
 * (a phone behind a gateway that passes keys in-band), or both ways at once
 * (some gateways do; the platform counts each key once).
 */
export const DTMF_MODES = ['rfc4733', 'inband', 'both'] as const;
export type DtmfMode = (typeof DTMF_MODES)[number];

export interface PhoneBehaviour {
  behaviour: Behaviour;
  /** How its keys are sent (default rfc4733). */
  dtmf_mode?: DtmfMode;
  /** How long it rings before answering, rejecting or (no_answer) the network giving up. */
  ring_seconds: number;
  script: ScriptStep[];
}

/** A phone nobody configured: rings for 1 s, answers, stays silent until hung up. */
export const DEFAULT_PHONE: PhoneBehaviour = { behaviour: 'answer', ring_seconds: 1, script: [] };

export interface PhoneDirectory {
  /** The behaviour of `number` as seen by `tenant`'s traffic. */
  behaviourOf(tenant: Tenant, number: string): Promise<PhoneBehaviour>;
}

/** Audio the phones make: their speech and the files they play. */
export interface PhoneMedia {
  speech(text: string): Promise<Int16Array>;
  audioFile(url: string): Promise<Int16Array>;
}

/** What an answering machine says before its beep. */
export const machineGreeting = (number: string): string =>
  `Hello, you have reached ${number.split('').join(' ')}. Nobody is available to take your call. Please leave a message after the tone.`;

/** Sandbox numbers are compared without `+`, spaces or punctuation; SIP addresses as given (case-insensitive). */
export function addressKey(number: string): string {
  const t = number.trim();
  if (/^sips?:/i.test(t)) return t.toLowerCase();
  return t.replace(/[\s()+.-]/g, '');
}
