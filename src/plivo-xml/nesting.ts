// The vocabulary (every element name the SDK's builder can emit) and the
// errors for children that are unknown, misplaced or stray text.
import { fail, shown } from './failure.ts';
import type { XElement } from './tree.ts';

export const VERB_NAMES = [
  'Speak', 'Play', 'GetDigits', 'GetInput', 'Record', 'Dial', 'Message', 'Redirect',
  'Wait', 'Hangup', 'PreAnswer', 'Conference', 'DTMF', 'MultiPartyCall', 'Stream',
] as const;
export type VerbName = (typeof VERB_NAMES)[number];

export const SSML_NAMES = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'] as const;
export type SsmlName = (typeof SSML_NAMES)[number];

const ALL_NAMES: readonly string[] = ['Response', ...VERB_NAMES, 'Number', 'User', ...SSML_NAMES];

/** Fails unless `child` is one of `allowed` inside `parent`; returns its name narrowed. */
export function allowedChild<N extends string>(parent: XElement, child: XElement, allowed: readonly N[]): N {
  if ((allowed as readonly string[]).includes(child.name)) return child.name as N;
  const inside = allowed.length === 0 ? `<${parent.name}> may contain only text` : `<${parent.name}> may contain ${allowed.join(', ')}`;
  if (ALL_NAMES.includes(child.name)) fail(`<${child.name}> is not allowed inside <${parent.name}>; ${inside}`);
  const twin = ALL_NAMES.find((n) => n.toLowerCase() === child.name.toLowerCase());
  fail(
    `<${child.name}> is not a Plivo XML element` +
      (twin ? ` (element names are case-sensitive: did you mean <${twin}>?)` : `; ${inside}`),
  );
}

/** Elements whose content is only child elements: text other than whitespace is an error. */
export function elementsOnly(parent: XElement): XElement[] {
  return parent.children.filter((c): c is XElement => {
    if (typeof c !== 'string') return true;
    if (c.trim() !== '') fail(`<${parent.name}> must not contain text (found ${shown(c.trim())})`);
    return false;
  });
}

/** The trimmed text of an element that may contain only text ('' when empty). */
export function bodyText(el: XElement): string {
  for (const c of el.children) if (typeof c !== 'string') allowedChild(el, c, []);
  return (el.children as string[]).join('').trim();
}

/** As bodyText, but the text is required: `describe` completes "must contain …". */
export function textOnly(el: XElement, describe: string): string {
  return bodyText(el) || fail(`<${el.name}> must contain ${describe}`);
}

/** Elements with no content at all (Wait, Record, Hangup, break). */
export function mustBeEmpty(el: XElement): void {
  const extra = el.children.find((c) => typeof c !== 'string' || c.trim() !== '');
  if (extra !== undefined) fail(`<${el.name}> must be empty (found ${typeof extra === 'string' ? shown(extra.trim()) : `<${extra.name}>`})`);
}
