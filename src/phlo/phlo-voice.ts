// What voice nodes share: prompts as verbs (built with plivo-xml/build.ts,
// never XML text), config numbers with their defaults,
// and a call's facts as the variables initiate_call and call_forward expose.
import { play, speak } from '../plivo-xml/build.ts';
import type { PromptVerb, SpeakVerb } from '../plivo-xml/ast.ts';
import { parseSpeakContent } from '../plivo-xml/parse.ts';
import { formatMoney } from '../money.ts';
import type { CallFacts } from '../voice/engine/held-call.ts';
import { formatMicroTimestamp } from '../platform/time.ts';

/** A prompt object ({type: speak, text, language, voice} or {type: play, url}, optional loop) as the verbs that play it. */
export function promptVerbs(value: unknown): PromptVerb[] {
  if (!value || typeof value !== 'object') return [];
  const p = value as Record<string, unknown>;
  const loop = p.loop === undefined || p.loop === '' ? 1 : Number(p.loop);
  if (p.type === 'play') return [play(String(p.url ?? ''), { loop })];
  return [spoken(String(p.text ?? ''), { loop, ...(p.language ? { language: String(p.language) } : {}), ...(p.voice ? { voice: String(p.voice) } : {}) })];
}

/**
 * Text with markup is SSML, read as <Speak> reads it (the validator checked
 * the template); when a variable's value broke the markup, the text is
 * spoken as it is rather than not at all.
 */
function spoken(text: string, opts: Pick<SpeakVerb, 'loop'> & Partial<Pick<SpeakVerb, 'language' | 'voice'>>): SpeakVerb {
  const read = text.includes('<') ? parseSpeakContent(text) : undefined;
  return read?.ok ? { ...read.verb, ...opts } : speak(text, opts);
}

/** An integer config value (already checked by the validator), or its default. */
export function intOf(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = config[key];
  return v === undefined || v === null || v === '' ? fallback : Number(v);
}

/** A key config value ('' when the config leaves it out is the default). */
export function keyOf(config: Record<string, unknown>, key: string, fallback: string): string {
  const v = config[key];
  return v === undefined || v === null || v === '' ? fallback : String(v);
}

const time = (ms: number | undefined): string => (ms === undefined ? '' : formatMicroTimestamp(ms));

/** A call's variables (initiate_call, call_forward, the start node's `call`). */
export function callVariables(f: CallFacts): Record<string, string> {
  const ended = f.endedAt !== undefined;
  return {
    uuid: f.uuid,
    from: f.from,
    to: f.to,
    direction: f.direction,
    answer_time: time(f.answeredAt),
    end_time: time(f.endedAt),
    hangup_cause: f.hangupCause,
    duration: ended ? String(f.durationS) : '',
    // A call that was never answered costs nothing; an answered one is billed when its record is written.
    bill_duration: ended && f.answeredAt === undefined ? '0' : '',
    bill_amount: ended && f.answeredAt === undefined ? formatMoney(0) : '',
    call_status: f.status,
    voicemail_detected: String(f.machine === true),
  };
}
