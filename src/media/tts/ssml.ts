// Speak text or SSML → the SSML dialect eSpeak NG understands. eSpeak honours
// speak, s, p, break, prosody (rate/volume/pitch), emphasis, voice and
// say-as "characters" itself; the rest of Plivo's SSML is rewritten into
// those or into plain text here.

import { XMLParser } from 'fast-xml-parser';

type Node = { '#text': string } | ({ [tag: string]: Node[] } & { ':@'?: Record<string, string> });

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
});

const escapeXml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

function attributes(attrs: Record<string, string> | undefined, allowed: readonly string[]): string {
  if (!attrs) return '';
  return allowed
    .filter((name) => attrs[name] !== undefined)
    .map((name) => ` ${name}="${escapeXml(String(attrs[name]))}"`)
    .join('');
}

function textOf(nodes: Node[]): string {
  return nodes.map((n) => ('#text' in n ? String(n['#text']) : textOf(children(n)))).join('');
}

function tagOf(node: Node): string {
  return Object.keys(node).find((k) => k !== ':@')!;
}

function children(node: Node): Node[] {
  return (node as Record<string, Node[]>)[tagOf(node)] ?? [];
}

/** Digits read one by one ("4155551234" → "4 1 5 5 …"); other characters kept. */
const spellDigits = (s: string): string => s.replace(/\d/g, (d) => ` ${d} `).replace(/\s+/g, ' ').trim();

function sayAs(interpretAs: string, content: string): string {
  switch (interpretAs.toLowerCase()) {
    case 'characters':
    case 'spell-out':
    case 'verbatim':
      return `<say-as interpret-as="characters">${escapeXml(content)}</say-as>`;
    case 'digits':
    case 'telephone':
      return escapeXml(spellDigits(content));
    default: // cardinal, ordinal, date, time, unit, address, expletive…: eSpeak reads the text naturally
      return escapeXml(content);
  }
}

function render(nodes: Node[]): string {
  let out = '';
  for (const node of nodes) {
    if ('#text' in node) {
      out += escapeXml(String(node['#text']));
      continue;
    }
    const tag = tagOf(node);
    const attrs = node[':@'];
    const inner = () => render(children(node));
    switch (tag) {
      case 'break':
        out += `<break${attributes(attrs, ['time', 'strength'])}/>`;
        break;
      case 'prosody':
        out += `<prosody${attributes(attrs, ['rate', 'volume', 'pitch'])}>${inner()}</prosody>`;
        break;
      case 'emphasis':
        out += `<emphasis${attributes(attrs, ['level'])}>${inner()}</emphasis>`;
        break;
      case 's':
      case 'p':
        out += `<${tag}>${inner()}</${tag}>`;
        break;
      case 'lang':
        out += `<voice${attrs?.['xml:lang'] ? ` xml:lang="${escapeXml(attrs['xml:lang'])}"` : ''}>${inner()}</voice>`;
        break;
      case 'say-as':
        out += sayAs(attrs?.['interpret-as'] ?? '', textOf(children(node)));
        break;
      case 'sub':
        out += attrs?.alias !== undefined ? escapeXml(attrs.alias) : inner();
        break;
      default: // speak, w, phoneme (eSpeak cannot take IPA here), and anything unknown: keep the words
        out += inner();
    }
  }
  return out;
}

/** The markup to hand eSpeak (always SSML, so plain text is escaped). */
export function toEspeakMarkup(text: string, ssml: boolean): string {
  // A root element keeps text outside any tag ("Hello <break/> world"); an XML declaration would sit inside it.
  const fragment = `<ssml>${text.replace(/^\s*<\?xml[^>]*\?>/, '')}</ssml>`;
  const body = ssml ? render(parser.parse(fragment) as Node[]) : escapeXml(text);
  return `<speak>${body}</speak>`;
}
