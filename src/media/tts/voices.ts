// Plivo's Speak `voice` (WOMAN, MAN, Polly.<Name>) and `language` (en-US…)
// mapped onto eSpeak NG voices: a language voice plus a variant that gives
// the gender and, for named Polly voices, a timbre of its own.

type Gender = 'female' | 'male';

/** Amazon Polly voices Plivo offers: their language and gender. */
const POLLY: Record<string, [language: string, gender: Gender]> = {
  Joanna: ['en-US', 'female'], Salli: ['en-US', 'female'], Kimberly: ['en-US', 'female'],
  Kendra: ['en-US', 'female'], Ivy: ['en-US', 'female'], Ruth: ['en-US', 'female'],
  Danielle: ['en-US', 'female'], Matthew: ['en-US', 'male'], Joey: ['en-US', 'male'],
  Justin: ['en-US', 'male'], Kevin: ['en-US', 'male'], Gregory: ['en-US', 'male'], Stephen: ['en-US', 'male'],
  Amy: ['en-GB', 'female'], Emma: ['en-GB', 'female'], Brian: ['en-GB', 'male'], Arthur: ['en-GB', 'male'],
  Geraint: ['en-GB-WLS', 'male'], Nicole: ['en-AU', 'female'], Olivia: ['en-AU', 'female'],
  Russell: ['en-AU', 'male'], Aditi: ['en-IN', 'female'], Raveena: ['en-IN', 'female'], Kajal: ['en-IN', 'female'],
  Aria: ['en-NZ', 'female'], Ayanda: ['en-ZA', 'female'],
  Celine: ['fr-FR', 'female'], Céline: ['fr-FR', 'female'], Lea: ['fr-FR', 'female'], Léa: ['fr-FR', 'female'],
  Mathieu: ['fr-FR', 'male'], Remi: ['fr-FR', 'male'], Rémi: ['fr-FR', 'male'],
  Chantal: ['fr-CA', 'female'], Gabrielle: ['fr-CA', 'female'], Liam: ['fr-CA', 'male'],
  Conchita: ['es-ES', 'female'], Lucia: ['es-ES', 'female'], Enrique: ['es-ES', 'male'], Sergio: ['es-ES', 'male'],
  Mia: ['es-MX', 'female'], Andres: ['es-MX', 'male'], Lupe: ['es-US', 'female'], Penelope: ['es-US', 'female'],
  Miguel: ['es-US', 'male'], Pedro: ['es-US', 'male'],
  Marlene: ['de-DE', 'female'], Vicki: ['de-DE', 'female'], Hans: ['de-DE', 'male'], Daniel: ['de-DE', 'male'],
  Carla: ['it-IT', 'female'], Bianca: ['it-IT', 'female'], Giorgio: ['it-IT', 'male'], Adriano: ['it-IT', 'male'],
  Camila: ['pt-BR', 'female'], Vitoria: ['pt-BR', 'female'], Vitória: ['pt-BR', 'female'],
  Ricardo: ['pt-BR', 'male'], Thiago: ['pt-BR', 'male'], Ines: ['pt-PT', 'female'], Inês: ['pt-PT', 'female'],
  Cristiano: ['pt-PT', 'male'], Mizuki: ['ja-JP', 'female'], Kazuha: ['ja-JP', 'female'], Tomoko: ['ja-JP', 'female'],
  Takumi: ['ja-JP', 'male'], Seoyeon: ['ko-KR', 'female'], Zhiyu: ['cmn-CN', 'female'],
  Tatyana: ['ru-RU', 'female'], Maxim: ['ru-RU', 'male'], Lotte: ['nl-NL', 'female'], Ruben: ['nl-NL', 'male'],
  Naja: ['da-DK', 'female'], Mads: ['da-DK', 'male'], Liv: ['nb-NO', 'female'], Astrid: ['sv-SE', 'female'],
  Ewa: ['pl-PL', 'female'], Maja: ['pl-PL', 'female'], Jacek: ['pl-PL', 'male'], Jan: ['pl-PL', 'male'],
  Filiz: ['tr-TR', 'female'], Carmen: ['ro-RO', 'female'], Gwyneth: ['cy-GB', 'female'],
  Dora: ['is-IS', 'female'], Karl: ['is-IS', 'male'], Zeina: ['arb', 'female'], Hala: ['ar-AE', 'female'],
};

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
  const polly = /^Polly\.([^-]+)(?:-\w+)?$/.exec(voice.trim());
  const known = polly ? POLLY[polly[1]] : undefined;
  if (known) {
    const [lang, gender] = known;
    return `${espeakLanguage(lang)}+${pick(gender === 'female' ? FEMALE_VARIANTS : MALE_VARIANTS, polly![1])}`;
  }
  const variant = voice.trim().toUpperCase() === 'MAN' ? 'm3' : 'f3';
  return `${espeakLanguage(language)}+${variant}`;
}
