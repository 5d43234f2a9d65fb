// Plivo's Speak `voice` (WOMAN, MAN, Polly.<Name>) and `language` (en-US…)
// mapped onto eSpeak NG voices: a language voice plus a variant that gives
// the gender and, for named Polly voices, a timbre of its own.

import { POLLY_VOICES, pollyName } from '../../platform/speak-voices.ts';

/** Plivo language codes whose eSpeak voice is not simply the primary subtag ("en" is British English). */
const REGIONAL: Record<string, string> = {
  'en-us': 'en-us', 'es-mx': 'es-419', 'es-us': 'es-419', 'es-419': 'es-419', 'pt-br': 'pt-br', 'zh-cn': 'cmn', arb: 'ar',
};

/** eSpeak NG voice names for primary languages (each accepts the +f/+m variants; see the TTS test). */
const ESPEAK_LANGUAGES = new Set(
  ('af am an ar as az ba be bg bn bs ca cmn cs cy da de el en eo es et eu fa fi fr ga gd gu he hi hr hu hy ' +
    'id is it ja ka kk kn ko ku ky la lb lt lv mi mk ml mr ms mt my nb ne nl om or pa pl pt ro ru si sk sl ' +
    'sq sr sv sw ta te th tr tt ug uk ur uz vi yue').split(' '),
);

const FEMALE_VARIANTS = ['f1', 'f2', 'f3', 'f4', 'f5'];
const MALE_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

function espeakLanguage(language: string): string {
  const code = language.trim().toLowerCase().replace(/_/g, '-');
  if (REGIONAL[code]) return REGIONAL[code];
  const primary = code.split('-')[0];
  return ESPEAK_LANGUAGES.has(primary) ? primary : 'en-us';
}

/** A stable pick from `list` for a name, so each Polly voice always sounds the same. */
function pick(list: readonly string[], name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return list[h % list.length];
}

/**
 * The eSpeak voice ("<language>+<variant>") for a Speak element. A Polly
 * voice speaks its own language whatever `language` says (as on Plivo, where
 * the two must agree); WOMAN and MAN use `language`. Unknown values fall back
 * to a woman's voice, Plivo's default.
 */
export function espeakVoice(voice: string, language: string): string {
  const name = pollyName(voice);
  const known = name === undefined ? undefined : POLLY_VOICES[name];
  if (known) {
    const [lang, gender] = known;
    return `${espeakLanguage(lang)}+${pick(gender === 'female' ? FEMALE_VARIANTS : MALE_VARIANTS, name!)}`;
  }
  const variant = voice.trim().toUpperCase() === 'MAN' ? 'm3' : 'f3';
  return `${espeakLanguage(language)}+${variant}`;
}
