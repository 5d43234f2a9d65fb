// The voices the platform's Speak offers, as it publishes them: the standard
// WOMAN and MAN voices per language (the Speak API's "List of languages
// supported") and the Amazon Polly voices, each speaking one language. An
// application that asks for a pair outside these lists fails on the
// platform, so it is refused here too.

export type Gender = 'female' | 'male';

/** Standard voices: language → which of WOMAN and MAN it has. */
const STANDARD: Record<string, { WOMAN: boolean; MAN: boolean }> = Object.fromEntries(
  (
    [
      ['arb', 'W'], ['cmn-CN', 'W'], ['da-DK', 'WM'], ['nl-NL', 'WM'], ['en-AU', 'WM'], ['en-IN', 'W'],
      ['en-GB', 'WM'], ['en-US', 'WM'], ['en-GB-WLS', 'M'], ['fr-CA', 'W'], ['fr-FR', 'WM'], ['de-DE', 'WM'],
      ['hi-IN', 'W'], ['is-IS', 'WM'], ['it-IT', 'WM'], ['ja-JP', 'WM'], ['ko-KR', 'W'], ['nb-NO', 'W'],
      ['pl-PL', 'WM'], ['pt-BR', 'WM'], ['pt-PT', 'WM'], ['ro-RO', 'W'], ['ru-RU', 'WM'], ['es-MX', 'W'],
      ['es-ES', 'WM'], ['es-US', 'WM'], ['sv-SE', 'W'], ['tr-TR', 'W'], ['cy-GB', 'W'],
    ] as const
  ).map(([language, has]) => [language, { WOMAN: has.includes('W'), MAN: has.includes('M') }]),
);

/** Amazon Polly voices: their language and gender. */
export const POLLY_VOICES: Record<string, [language: string, gender: Gender]> = {
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

/** `Polly.<Name>` or `Polly.<Name>-Neural`: the name, or undefined for anything else. */
export function pollyName(voice: string): string | undefined {
  return /^Polly\.([^-\s]+)(?:-Neural)?$/.exec(voice.trim())?.[1];
}

/** The languages the standard voices speak, in the platform's order. */
export const STANDARD_LANGUAGES = Object.keys(STANDARD);

/**
 * Why the platform would refuse this voice and language together, or
 * undefined when it speaks them. `voice` is WOMAN, MAN (any case) or
 * `Polly.<Name>`; `language` is what the element or request gave, or its
 * default en-US (a Polly voice's language must be said when it is not en-US).
 */
export function speakVoiceProblem(voice: string, language: string): string | undefined {
  const v = voice.trim();
  if (/^(WOMAN|MAN)$/i.test(v)) {
    const has = STANDARD[language];
    if (!has) return `language ${language} is not one the platform speaks; use one of ${STANDARD_LANGUAGES.join(', ')}`;
    const gender = v.toUpperCase() as 'WOMAN' | 'MAN';
    return has[gender] ? undefined : `${language} has no ${gender} voice on the platform (only ${gender === 'MAN' ? 'WOMAN' : 'MAN'})`;
  }
  const name = pollyName(v);
  const polly = name === undefined ? undefined : POLLY_VOICES[name];
  if (!polly) return `voice ${v} is not one the platform offers: WOMAN, MAN or an Amazon Polly voice such as Polly.Joanna`;
  return polly[0] === language ? undefined : `Polly.${name} speaks ${polly[0]}, not ${language}; set language="${polly[0]}"`;
}
