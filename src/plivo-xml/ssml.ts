// SSML inside <Speak>: the tags and values Plivo documents (Amazon Polly's
// dialect), read into a small typed tree, and rendered back either as plain
// text (what a basic TTS voice or a transcript needs) or as an SSML string.
import type { SsmlNode, SsmlSayAs } from './ast.ts';
import { type Schema, INVALID, LANGUAGE, attr, named, noAttributes, oneOf, readAttrs, required, tag, text } from './attrs.ts';
import { fail } from './failure.ts';
import { type SsmlName, SSML_NAMES, allowedChild, mustBeEmpty, textOnly } from './nesting.ts';
import type { XElement } from './tree.ts';

/** An SSML node's attribute fields: the node without its kind and content. */
type Without<K extends SsmlNode['kind'], Content extends string> = Omit<Extract<SsmlNode, { kind: K }>, 'kind' | Content>;

/** What each SSML element may contain, as the SDK's builder allows it. */
const SSML_CHILDREN: Record<SsmlName, readonly SsmlName[]> = {
  break: [],
  emphasis: ['break', 'emphasis', 'lang', 'phoneme', 'prosody', 'say-as', 'sub', 'w'],
  lang: SSML_NAMES,
  p: ['break', 'emphasis', 'lang', 'prosody', 's', 'say-as', 'sub', 'w'],
  phoneme: [],
  prosody: SSML_NAMES,
  s: ['break', 'emphasis', 'lang', 'phoneme', 'prosody', 'say-as', 'sub', 'w'],
  'say-as': [],
  sub: [],
  w: ['break', 'emphasis', 'phoneme', 'prosody', 'say-as', 'sub'],
};

const MAX_BREAK_MS = 10_000;

const breakSchema: Schema<Without<'break', never>> = {
  strength: oneOf(['none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong'], 'medium'),
  timeMs: named(['time'], attr(`a duration such as 500ms or 2s, at most ${MAX_BREAK_MS / 1000}s`, (raw) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(raw.trim());
    const ms = m ? Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1)) : NaN;
    return ms >= 0 && ms <= MAX_BREAK_MS ? ms : INVALID;
  }, undefined)),
};

const emphasisSchema: Schema<Without<'emphasis', 'children'>> = {
  level: oneOf(['strong', 'moderate', 'reduced'], 'moderate'),
};
const langSchema: Schema<Without<'lang', 'children'>> = {
  lang: named(['xml:lang'], text('a language tag such as fr-FR', required, { pattern: LANGUAGE })),
};
const phonemeSchema: Schema<Without<'phoneme', 'text'>> = {
  alphabet: oneOf(['ipa', 'x-sampa'], 'ipa'),
  ph: text('a phonetic transcription', required),
};
const prosodySchema: Schema<Without<'prosody', 'children'>> = {
  pitch: text('default, x-low, low, medium, high, x-high or a change such as +10% or -5%', undefined, {
    pattern: /^(default|x-low|low|medium|high|x-high|[+-]\d+(\.\d+)?%)$/,
  }),
  rate: text('x-slow, slow, medium, fast, x-fast or a percentage such as 80%', undefined, {
    pattern: /^(x-slow|slow|medium|fast|x-fast|\d+(\.\d+)?%)$/,
  }),
  volume: text('default, silent, x-soft, soft, medium, loud, x-loud or a change such as +6dB or -3dB', undefined, {
    pattern: /^(default|silent|x-soft|soft|medium|loud|x-loud|[+-]\d+(\.\d+)?dB)$/,
  }),
};
const INTERPRET_AS: readonly SsmlSayAs['interpretAs'][] = [
  'characters', 'spell-out', 'cardinal', 'number', 'ordinal', 'digits', 'fraction',
  'unit', 'date', 'time', 'address', 'expletive', 'telephone',
];
const DATE_FORMATS = ['mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y', 'yyyymmdd'] as const;
const sayAsSchema: Schema<Without<'say-as', 'text'>> = {
  interpretAs: named(['interpret-as'], oneOf(INTERPRET_AS, required)),
  format: text('a format word', undefined),
};
const subSchema: Schema<Without<'sub', 'text'>> = { alias: text('the words to say instead', required) };
const wSchema: Schema<Without<'w', 'children'>> = {
  role: text('a part-of-speech role such as amazon:VB, amazon:VBD or amazon:SENSE_1', required, {
    pattern: /^amazon:[A-Za-z0-9_]+$/,
  }),
};

/** The content of `parent` (Speak, or an SSML element) as text and SSML nodes in order. */
export function readSsml(parent: XElement, allowed: readonly SsmlName[]): SsmlNode[] {
  return parent.children.map((c) => (typeof c === 'string' ? { kind: 'text', text: c } : readElement(parent, c, allowed)));
}

function readElement(parent: XElement, el: XElement, allowed: readonly SsmlName[]): SsmlNode {
  const name = allowedChild(parent, el, allowed);
  const children = () => readSsml(el, SSML_CHILDREN[name]);
  switch (name) {
    case 'break': {
      mustBeEmpty(el);
      return { kind: 'break', ...readAttrs(el, breakSchema) };
    }
    case 'emphasis': return { kind: 'emphasis', ...readAttrs(el, emphasisSchema), children: children() };
    case 'lang': return { kind: 'lang', ...readAttrs(el, langSchema), children: children() };
    case 'p':
    case 's':
      noAttributes(el);
      return { kind: name, children: children() };
    case 'prosody': return { kind: 'prosody', ...readAttrs(el, prosodySchema), children: children() };
    case 'w': return { kind: 'w', ...readAttrs(el, wSchema), children: children() };
    case 'phoneme': return { kind: 'phoneme', ...readAttrs(el, phonemeSchema), text: textOnly(el, 'the word it pronounces') };
    case 'sub': return { kind: 'sub', ...readAttrs(el, subSchema), text: textOnly(el, 'the written form it replaces') };
    case 'say-as': {
      const a = readAttrs(el, sayAsSchema);
      if (a.interpretAs === 'date' && a.format !== undefined && !(DATE_FORMATS as readonly string[]).includes(a.format)) {
        fail(`${tag(el, 'format', a.format)}: format must be one of ${DATE_FORMATS.join(', ')} when interpret-as is date`);
      }
      return { kind: 'say-as', ...a, text: textOnly(el, 'the text to interpret') };
    }
  }
}

// ---------------------------------------------------------------- rendering

/** The words a listener hears, whitespace collapsed: sub says its alias, breaks become spaces. */
export function ssmlToText(nodes: readonly SsmlNode[]): string {
  return flatten(nodes).replace(/\s+/g, ' ').trim();
}

function flatten(nodes: readonly SsmlNode[]): string {
  return nodes.map((n) => {
    switch (n.kind) {
      case 'text': return n.text;
      case 'break': return ' ';
      case 'sub': return n.alias;
      case 'phoneme':
      case 'say-as': return n.text;
      case 'p':
      case 's': return ` ${flatten(n.children)} `;
      default: return flatten(n.children);
    }
  }).join('');
}

/** The content as an SSML document (`<speak>…</speak>`), for an SSML-capable TTS engine. */
export function ssmlToString(nodes: readonly SsmlNode[]): string {
  return `<speak>${serialize(nodes)}</speak>`;
}

function serialize(nodes: readonly SsmlNode[]): string {
  return nodes.map((n) => {
    switch (n.kind) {
      case 'text': return escapeText(n.text);
      case 'break':
        return `<break${attrs(n.timeMs === undefined ? { strength: n.strength } : { time: `${n.timeMs}ms` })}/>`;
      case 'emphasis': return element('emphasis', { level: n.level }, serialize(n.children));
      case 'lang': return element('lang', { 'xml:lang': n.lang }, serialize(n.children));
      case 'p': return element('p', {}, serialize(n.children));
      case 's': return element('s', {}, serialize(n.children));
      case 'prosody': return element('prosody', { pitch: n.pitch, rate: n.rate, volume: n.volume }, serialize(n.children));
      case 'w': return element('w', { role: n.role }, serialize(n.children));
      case 'phoneme': return element('phoneme', { alphabet: n.alphabet, ph: n.ph }, escapeText(n.text));
      case 'say-as': return element('say-as', { 'interpret-as': n.interpretAs, format: n.format }, escapeText(n.text));
      case 'sub': return element('sub', { alias: n.alias }, escapeText(n.text));
    }
  }).join('');
}

function element(name: string, a: Record<string, string | undefined>, inner: string): string {
  return `<${name}${attrs(a)}>${inner}</${name}>`;
}

function attrs(a: Record<string, string | undefined>): string {
  return Object.entries(a)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeText(v).replace(/"/g, '&quot;')}"`)
    .join('');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
