// Speak's SSML rendered as the words a listener hears and as an SSML string
// that parses back to the same tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlivoXml } from '../../src/plivo-xml/parse.ts';
import { ssmlToString, ssmlToText } from '../../src/plivo-xml/ssml.ts';
import type { SpeakVerb } from '../../src/plivo-xml/ast.ts';

function speak(inner: string, attrs = ''): SpeakVerb {
  const result = parsePlivoXml(`<Response><Speak${attrs}>${inner}</Speak></Response>`);
  if (!result.ok) assert.fail(result.error);
  const [verb] = result.doc.verbs;
  assert.equal(verb.kind, 'Speak');
  return verb as SpeakVerb;
}

const RICH = `
  Welcome to <emphasis level="strong">Acme</emphasis>.<break time="500ms"/>
  <p><s>Your balance is <say-as interpret-as="cardinal">1234</say-as> dollars &amp; 5 cents.</s>
  <s>Say <sub alias="World Wide Web">WWW</sub>, <phoneme alphabet="x-sampa" ph="t@mA:toU">tomato</phoneme>.</s></p>
  <prosody rate="fast" volume="-3dB"><lang xml:lang="es-ES">adiós</lang> <w role="amazon:VB">read</w></prosody>`;

test('plain text: the words in order, sub says its alias, whitespace collapsed', () => {
  assert.equal(
    speak(RICH, ' voice="Polly.Joanna"').text,
    'Welcome to Acme. Your balance is 1234 dollars & 5 cents. Say World Wide Web, tomato. adiós read',
  );
  assert.equal(speak('  Hello\n\n   world  ').text, 'Hello world');
  assert.equal(ssmlToText([]), '');
});

test('SSML string: escaped, attributes kept, and it parses back to the same tree', () => {
  const original = speak(RICH, ' voice="Polly.Joanna"');
  const rendered = ssmlToString(original.content);
  assert.match(rendered, /^<speak>[\s\S]*<\/speak>$/);
  assert.match(rendered, /dollars &amp; 5 cents/);
  assert.match(rendered, /<break time="500ms"\/>/);
  assert.match(rendered, /<lang xml:lang="es-ES">adiós<\/lang>/);
  const inner = rendered.slice('<speak>'.length, -'</speak>'.length);
  assert.deepEqual(speak(inner, ' voice="Polly.Joanna"').content, original.content);
  assert.equal(ssmlToString(speak('a <break strength="x-strong"/> "b" <c>'.replace('<c>', '&lt;c&gt;')).content), '<speak>a <break strength="x-strong"/> "b" &lt;c&gt;</speak>');
});
