// Text → a plain element tree, with the XML rules enforced by a strict
// parser (saxes: well-formedness, one root, no undefined entities). Nothing
// here knows Plivo's vocabulary; elements.ts validates the tree.
import { SaxesParser } from 'saxes';
import { fail } from './failure.ts';

export interface XElement {
  name: string;
  attrs: Map<string, string>;
  /** Text runs (CDATA merged in) and elements, in document order. */
  children: XChild[];
}
export type XChild = XElement | string;

/** Deeper than any real document (Response > PreAnswer > GetDigits > Speak > SSML …). */
export const MAX_DEPTH = 32;

export function readTree(text: string): XElement {
  const parser = new SaxesParser({ position: true });
  const stack: XElement[] = [];
  let root: XElement | undefined;

  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (!top) return; // whitespace around the root; saxes rejects anything else
    const last = top.children.length - 1;
    if (typeof top.children[last] === 'string') top.children[last] += t;
    else top.children.push(t);
  };

  parser.on('error', (e) => {
    const m = /^(\d+):(\d+): (.*?)\.?$/s.exec(e.message);
    fail(m ? `malformed XML at line ${m[1]}, column ${m[2]}: ${m[3]}` : `malformed XML: ${e.message}`);
  });
  // Entity declarations are how "billion laughs" documents work; Plivo XML
  // never needs a DTD, so any DOCTYPE is refused before it can matter.
  parser.on('doctype', () => fail('DOCTYPE declarations are not allowed in Plivo XML'));
  parser.on('opentag', (tag) => {
    if (stack.length >= MAX_DEPTH) fail(`elements are nested more than ${MAX_DEPTH} levels deep`);
    const el: XElement = { name: tag.name, attrs: new Map(Object.entries(tag.attributes)), children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', addText);
  parser.on('cdata', addText);

  checkAmpersands(text);
  parser.write(text).close();
  return root ?? fail('malformed XML: the document has no root element');
}

const REFERENCE = /^&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_:][-\w.:]*);/;
const OPAQUE: [open: string, close: string][] = [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>']];

/**
 * A bare `&` ("Tom & Jerry") is the commonest mistake in hand-written XML,
 * and saxes reports it only at the end of the document as an unclosed tag;
 * find it first and say so. One linear pass, skipping comments, CDATA and
 * processing instructions.
 */
function checkAmpersands(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<') {
      const skip = OPAQUE.find(([open]) => text.startsWith(open, i));
      if (skip) {
        const end = text.indexOf(skip[1], i + skip[0].length);
        if (end < 0) return; // unterminated: saxes reports it
        i = end + skip[1].length - 1;
      }
    } else if (c === '&' && !REFERENCE.test(text.slice(i, i + 40))) {
      const before = text.slice(0, i);
      const line = before.split('\n').length;
      const column = i - before.lastIndexOf('\n');
      fail(`malformed XML at line ${line}, column ${column}: a bare & must be written as &amp;`);
    }
  }
}
