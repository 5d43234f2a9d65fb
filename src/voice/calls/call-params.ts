// The Call API's parameter rules, shared by the APIs that place calls (the
// Call API, Add Participant) and by flows: destinations, SIP headers,
// send_digits and machine detection, each refused with a message saying
// what to send instead.
import { ApiError } from '../../errors.ts';
import { normalizeNumber } from '../../platform/phone.ts';
import type { HttpMethod } from '../../plivo-xml/ast.ts';
import type { MachineDetection, SendDigits } from '../engine/call.ts';

/** send_digits tones last this long unless `@ms` says otherwise. */
const SEND_DIGITS_TONE_MS = 2000;

/** A number (country code and digits) or a SIP URI. */
export function address(input: string, field: string): string {
  const t = input.trim();
  if (/^sips?:[^\s@]+@\S+$/i.test(t)) return t;
  return normalizeNumber(t, field);
}

/** `head1=val1,head2=val2`: letters and digits only, as documented. */
export function sipHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const m = /^\s*([A-Za-z0-9]+)=([A-Za-z0-9]*)\s*$/.exec(pair);
    if (!m) throw new ApiError(400, `sip_headers must be key=value pairs separated by commas, keys and values made of letters and digits (got "${pair}")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** `1w2W3@1000` → digits and tone length. */
export function sendDigits(raw: string | undefined, onPreanswer: boolean | undefined): SendDigits | undefined {
  if (!raw) return undefined;
  const m = /^([0-9*#wWABCD]+)(?:@(\d{2,5}))?$/.exec(raw.trim());
  if (!m) throw new ApiError(400, `send_digits must be DTMF keys (0-9, *, #) with optional w or W pauses and an optional @duration in ms, e.g. 1w2W3@1000 (got "${raw}")`);
  return { digits: m[1]!, toneMs: m[2] ? Number(m[2]) : SEND_DIGITS_TONE_MS, onPreanswer: onPreanswer ?? false };
}

function inRange(name: string, v: number | undefined, min: number, max: number, absent: number): number {
  if (v === undefined) return absent;
  if (!Number.isInteger(v) || v < min || v > max) throw new ApiError(400, `${name} must be an integer from ${min} to ${max} (got ${v})`);
  return v;
}

/** The machine_detection parameters of a call request. */
export interface MachineDetectionInput {
  machine_detection?: string;
  machine_detection_time?: number;
  machine_detection_url?: string;
  machine_detection_method?: HttpMethod;
  machine_detection_maximum_speech_length?: number;
  machine_detection_initial_silence?: number;
  machine_detection_maximum_words?: number;
  machine_detection_initial_greeting?: number;
  machine_detection_silence?: number;
}

/** machine_detection (true or hangup) with its documented defaults; undefined when off. */
export function machineDetection(input: MachineDetectionInput): MachineDetection | undefined {
  const mode = input.machine_detection?.toLowerCase();
  if (!mode || mode === 'false') return undefined;
  if (mode !== 'true' && mode !== 'hangup') throw new ApiError(400, `machine_detection must be true or hangup (got "${input.machine_detection}")`);
  return {
    mode,
    timeMs: inRange('machine_detection_time', input.machine_detection_time, 2000, 10_000, 5000),
    url: input.machine_detection_url ? { url: input.machine_detection_url, method: input.machine_detection_method ?? 'POST' } : undefined,
    maxSpeechMs: inRange('machine_detection_maximum_speech_length', input.machine_detection_maximum_speech_length, 1000, 6000, 5000),
    initialSilenceMs: inRange('machine_detection_initial_silence', input.machine_detection_initial_silence, 2000, 10_000, 4500),
    maxWords: inRange('machine_detection_maximum_words', input.machine_detection_maximum_words, 2, 10, 3),
    initialGreetingMs: inRange('machine_detection_initial_greeting', input.machine_detection_initial_greeting, 1000, 5000, 1500),
    silenceMs: inRange('machine_detection_silence', input.machine_detection_silence, 500, 5000, 800),
  };
}
