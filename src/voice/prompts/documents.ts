// Sounds a customer's document describes (Dial's confirmSound and dialMusic,
// Conference's waitSound and enter/exit sounds, multiparty call music): the
// URL returns XML whose Play, Speak and Wait elements are played and whose
// other elements are ignored, as documented. And the ring-back a caller
// hears while a Dial rings.
import { FRAME_SAMPLES } from '../../media/frame.ts';
import { msToSamples } from '../../media/pcm.ts';
import { HOLD_MUSIC, holdMusic, ringbackFor, ToneSource } from '../../media/tones.ts';
import { countryOf } from '../../platform/phone.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { Segment } from '../rooms/source.ts';
import type { VerbContext } from '../interpreter/verb.ts';
import { prompt } from './prompt.ts';
import { BEEP } from './beep.ts';
import type { HttpMethod, PromptVerb, Sound } from '../../plivo-xml/ast.ts';
import { parsePlivoXml } from '../../plivo-xml/parse.ts';

/** What fetching and rendering sounds needs of the call they are for: a verb's context, or one the engine makes for a room. */
export type SoundSource = Pick<VerbContext, 'params' | 'fetch' | 'log' | 'speech' | 'audioFile'>;

/** The Play, Speak and Wait elements of the document at `url`, fetched for the call; empty (and logged) when it cannot be fetched or parsed. */
export async function soundDocument(call: SoundSource, url: string, method: HttpMethod, kind: string): Promise<PromptVerb[]> {
  const res = await call.fetch(url, method, call.params(), kind);
  if (!res.ok) {
    call.log({ kind: 'error', message: `${kind} URL ${url} failed: ${res.error ?? `HTTP ${res.status}`}; nothing is played`, data: { url } });
    return [];
  }
  const parsed = parsePlivoXml(res.body ?? '');
  if (!parsed.ok) {
    call.log({ kind: 'error', message: `invalid XML from ${kind} URL ${url}: ${parsed.error}; nothing is played`, data: { url } });
    return [];
  }
  return parsed.doc.verbs.filter((v): v is PromptVerb => v.kind === 'Play' || v.kind === 'Speak' || v.kind === 'Wait');
}

/**
 * The prompts as audio segments, for sounds a mixer plays (wait and hold
 * music): speech synthesized, files fetched (one that fails is left out and
 * logged), waits as silence. A `loop` repeats its element; 0 counts once,
 * as the mixer loops the whole.
 */
export async function renderPrompts(call: SoundSource, prompts: readonly PromptVerb[]): Promise<Segment[]> {
  const out: Segment[] = [];
  const times = (loop: number, seg: Segment) => {
    for (let i = 0; i < Math.max(1, loop); i++) out.push(seg);
  };
  for (const p of prompts) {
    switch (p.kind) {
      case 'Speak':
        times(p.loop, { samples: await call.speech(p), annotation: { type: 'speak', text: p.text, voice: p.voice, language: p.language } });
        break;
      case 'Play': {
        const samples = await call.audioFile(p.url);
        if (samples) times(p.loop, { samples, annotation: { type: 'play', url: p.url } });
        break;
      }
      case 'Wait':
        out.push({ samples: new Int16Array(msToSamples(p.length * 1000)) });
        break;
    }
  }
  return out;
}

/** Play `prompts` once, or over and over until the context is interrupted (a document that plays nothing is not repeated). */
export async function playPrompts(prompts: readonly PromptVerb[], ctx: VerbContext, loop: boolean): Promise<void> {
  do {
    const started = ctx.now();
    for (const p of prompts) {
      if (ctx.stop.interrupted) return;
      await prompt(p, ctx);
    }
    if (ctx.now() === started) return;
  } while (loop && !ctx.stop.interrupted);
}

const BEEP_GAP: Segment = { samples: new Int16Array(msToSamples(200)) };

/** An enter or exit sound (Conference, MultiPartyCall): nothing, one or two beeps, or the document at a URL. */
export async function roomSound(call: SoundSource, sound: Sound, method: HttpMethod): Promise<Segment[]> {
  switch (sound.type) {
    case 'none':
      return [];
    case 'beep':
      return sound.beeps === 1 ? [BEEP] : [BEEP, BEEP_GAP, BEEP];
    case 'url':
      return renderPrompts(call, await soundDocument(call, sound.url, method, 'room_sound'));
  }
}

/** Wait and hold music when none is configured: the built-in tune. */
export function defaultMusic(): Segment[] {
  return [{ samples: holdMusic(), annotation: { type: 'tone', name: HOLD_MUSIC.name, frequencies: HOLD_MUSIC.notes.filter((f) => f > 0) } }];
}

const ringbacks = new Map<string, FrameRun>();

/** One cadence cycle of the ring-back tone of the country `number` belongs to (the European tone when unknown). */
export function ringback(number: string): FrameRun {
  const spec = ringbackFor(countryOf(number.replace(/^\+/, '')) ?? '');
  const key = `${spec.frequencies.join('+')}:${spec.cadence.join('/')}`;
  let run = ringbacks.get(key);
  if (run) return run;
  const cycleMs = spec.cadence.reduce((a, b) => a + b, 0) || 1000;
  const samples = new ToneSource(spec).next(new Int16Array(Math.ceil(msToSamples(cycleMs) / FRAME_SAMPLES) * FRAME_SAMPLES));
  run = { samples, annotation: { type: 'tone', name: spec.name, frequencies: [...spec.frequencies] } };
  ringbacks.set(key, run);
  return run;
}
