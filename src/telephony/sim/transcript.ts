// A virtual phone's transcript (SANDBOX.md): what it heard, built from the
// annotated runs that reached its earpiece, merged with what it did itself
// (answered, pressed keys, spoke, hung up). Times are ms since the leg began.
import { wordsLastMs } from '../../media/frame.ts';
import type { EndedBy } from '../driver.ts';
import type { Earpiece, HeardRun } from './earpiece.ts';

export type TranscriptEvent =
  | { at_ms: number; type: 'answered' }
  | { at_ms: number; type: 'speak'; text: string; voice: string; language: string; duration_ms: number }
  | { at_ms: number; type: 'play'; url: string; duration_ms: number }
  | { at_ms: number; type: 'tone'; name: string; duration_ms: number }
  | { at_ms: number; type: 'beep'; duration_ms: number }
  | { at_ms: number; type: 'silence'; duration_ms: number }
  | { at_ms: number; type: 'dtmf_heard'; digits: string }
  | { at_ms: number; type: 'dtmf_sent'; digits: string }
  | { at_ms: number; type: 'said'; text: string; duration_ms: number }
  | { at_ms: number; type: 'conference_audio'; duration_ms: number }
  | { at_ms: number; type: 'hangup'; by: EndedBy };

/** Things the phone did, recorded as they happen (absolute platform times; `seq` orders events of one instant). */
export type OwnEvent = { at: number; seq: number } & (
  | { type: 'answered' }
  | { type: 'dtmf_sent'; digits: string }
  | { type: 'said'; text: string; duration_ms: number }
  | { type: 'hangup'; by: EndedBy }
);

type Sequenced = { e: TranscriptEvent; seq: number };

/** Nothing heard for this long between sounds is reported as silence. */
export const SILENCE_MIN_MS = 1000;
/** Keys heard this close together are one `dtmf_heard` event. */
const DTMF_JOIN_MS = 500;

type AudioEvent = Exclude<TranscriptEvent, { type: 'answered' | 'dtmf_sent' | 'said' | 'hangup' | 'silence' }>;

function eventOf(run: HeardRun, at: number): AudioEvent | undefined {
  const a = run.annotation;
  const duration_ms = run.durationMs;
  switch (a?.type) {
    case 'speak':
      return { at_ms: at, type: 'speak', text: a.text, voice: a.voice, language: a.language, duration_ms };
    case 'play':
      return { at_ms: at, type: 'play', url: a.url, duration_ms };
    case 'tone':
      return { at_ms: at, type: 'tone', name: a.name, duration_ms };
    case 'beep':
      return { at_ms: at, type: 'beep', duration_ms };
    case 'dtmf':
      return { at_ms: at, type: 'dtmf_heard', digits: a.digit };
    case 'conference_audio':
      return { at_ms: at, type: 'conference_audio', duration_ms };
    // The platform never sends the phone its own speech back; a said
    // annotation arriving here came through a bridge and is heard as speech.
    case 'said':
      return { at_ms: at, type: 'speak', text: a.text, voice: '', language: '', duration_ms };
    case undefined:
      return undefined;
  }
}

/**
 * Audio events in order: an annotated run starts an event, unannotated runs
 * right after it extend it, keys heard in quick succession join, and gaps of
 * SILENCE_MIN_MS or more between sounds (from `mediaFrom`, until `until`)
 * become silence. Sounds may overlap (a party heard over a live-call Play):
 * each is its own event.
 */
function audioEvents(ear: Earpiece | undefined, origin: number, mediaFrom: number | undefined, until: number | undefined): Sequenced[] {
  const out: Sequenced[] = [];
  let last: TranscriptEvent | undefined;
  let lastEnd = mediaFrom;
  let dtmfEnd = -Infinity;
  /** Sounds by when they end, so audio that continues one finds it even with another sound in between. */
  const endingAt = new Map<number, { duration_ms: number }>();
  const gap = (to: number, seq: number) => {
    if (lastEnd !== undefined && to - lastEnd >= SILENCE_MIN_MS) out.push({ e: { at_ms: lastEnd - origin, type: 'silence', duration_ms: to - lastEnd }, seq });
  };
  for (const run of ear?.heard() ?? []) {
    if (run.durationMs <= 0) continue;
    const end = run.start + run.durationMs;
    const ev = eventOf(run, run.start - origin);
    if (!ev) {
      // Unannotated audio continuing a sound belongs to it.
      const sound = endingAt.get(run.start);
      if (sound) {
        sound.duration_ms += run.durationMs;
        endingAt.delete(run.start);
        endingAt.set(end, sound);
      }
      lastEnd = Math.max(lastEnd ?? end, end);
      continue;
    }
    gap(run.start, run.seq);
    if (ev.type === 'dtmf_heard' && last?.type === 'dtmf_heard' && run.start - dtmfEnd <= DTMF_JOIN_MS) {
      last.digits += ev.digits;
    } else {
      out.push({ e: ev, seq: run.seq });
      last = ev;
      if ('duration_ms' in ev) endingAt.set(end, ev);
    }
    if (ev.type === 'dtmf_heard') dtmfEnd = end;
    lastEnd = Math.max(lastEnd ?? end, end);
  }
  if (until !== undefined) gap(until, Infinity);
  return out;
}

function ownEvent(e: OwnEvent, origin: number): TranscriptEvent {
  const at_ms = e.at - origin;
  switch (e.type) {
    case 'answered':
      return { at_ms, type: 'answered' };
    case 'dtmf_sent':
      return { at_ms, type: 'dtmf_sent', digits: e.digits };
    case 'said':
      return { at_ms, type: 'said', text: e.text, duration_ms: e.duration_ms };
    case 'hangup':
      return { at_ms, type: 'hangup', by: e.by };
  }
}

export function buildTranscript(ear: Earpiece | undefined, own: readonly OwnEvent[], origin: number, now: number): TranscriptEvent[] {
  const answered = own.find((e) => e.type === 'answered')?.at;
  const hungUp = own.find((e) => e.type === 'hangup')?.at;
  const heard = audioEvents(ear, origin, answered, hungUp).filter((x) => x.e.at_ms + origin <= now);
  const mine = own.map((e) => ({ e: ownEvent(e, origin), seq: e.seq }));
  // By time; events of one instant in the order they happened.
  return [...mine, ...heard].sort((a, b) => a.e.at_ms - b.e.at_ms || a.seq - b.seq).map((x) => x.e);
}

/** Lower-case words without punctuation, for "hears" matching. */
export const words = (text: string): string => text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim();

/**
 * True when speech containing `phrase` has been heard to its end by `now`
 * and was still playing at `since` or started later (a phone reacts to what
 * it heard whole, as a person does).
 */
export function heardSince(ear: Earpiece | undefined, phrase: string, since: number, now: number): boolean {
  const want = words(phrase);
  for (const runs of ear ? [ear.runs, ear.mixed] : []) {
    for (const run of runs) {
      const a = run.annotation;
      if (run.durationMs <= 0 || (a?.type !== 'speak' && a?.type !== 'said')) continue;
      const end = run.start + wordsLastMs(a, run.durationMs);
      if (end > now || end <= since) continue;
      if (words(a.text).includes(want)) return true;
    }
  }
  return false;
}
