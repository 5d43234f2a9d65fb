// Plivo XML text → validated ResponseDoc, or one sentence saying what is
// wrong (for the call's debug log). Never throws, whatever it is given.
import type { ResponseDoc, SpeakVerb, Verb } from './ast.ts';
import { noAttributes } from './attrs.ts';
import { readVerb, readVerbs } from './elements.ts';
import { XmlFailure, fail, shown } from './failure.ts';
import { VERB_NAMES } from './nesting.ts';
import { readTree, type XElement } from './tree.ts';

type Failed = { ok: false; error: string };
export type ParseResult = { ok: true; doc: ResponseDoc } | Failed;

/** The platform's limit is 100 KB: anything bigger is refused before parsing (decimal, the stricter reading). */
export const MAX_DOCUMENT_BYTES = 100_000;

export function parsePlivoXml(text: string): ParseResult {
  return attempt(() => ({ ok: true, doc: readDocument(text) }));
}

/** One element given as data (API input checked by the element's own rules): its verb, or what is wrong. */
export function parseElement(el: XElement): { ok: true; verb: Verb } | Failed {
  return attempt(() => ({ ok: true, verb: readVerb(el) }));
}

/** What a <Speak> element holds (text with SSML), given as text — a flow's prompt: its verb (default attributes), or what is wrong. */
export function parseSpeakContent(markup: string): { ok: true; verb: SpeakVerb } | Failed {
  return attempt(() => ({ ok: true, verb: readVerb(readTree(`<Speak>${markup}</Speak>`)) as SpeakVerb }));
}

function attempt<T>(read: () => T): T | Failed {
  try {
    return read();
  } catch (e) {
    if (e instanceof XmlFailure) return { ok: false, error: e.message };
    // A bug of ours, not the document's: still an answer, never a crash.
    return { ok: false, error: `the document could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

function readDocument(text: string): ResponseDoc {
  if (typeof text !== 'string') fail('the document is not text');
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) fail(`the document is larger than 100 KB (${MAX_DOCUMENT_BYTES} bytes), the platform's limit`);
  const start = text.replace(/^\uFEFF?\s*/, '');
  if (start === '') fail('the document is empty; expected <Response>');
  if (!start.startsWith('<')) fail(`the document is not XML (it starts with ${shown(start.slice(0, 20))})`);
  const source = declarationFirst(text);
  const root = readTree(source);
  if (root.name !== 'Response') fail(`the root element is <${root.name}>; Plivo XML documents start with <Response>`);
  noAttributes(root);
  return { verbs: readVerbs(root, VERB_NAMES) };
}

/**
 * Answer servers often emit a blank line before `<?xml …?>`, which XML
 * forbids; move that whitespace after the declaration so line numbers in
 * errors still match the document as sent.
 */
function declarationFirst(text: string): string {
  const m = /^\uFEFF?(\s+)(<\?xml[^>]*\?>)/.exec(text);
  return m ? m[2] + m[1] + text.slice(m[0].length) : text;
}
