// Verbs built as data equal the elements the parser reads: the builders
// default every attribute exactly as the parser does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conference, dial, dialNumber, dialUser, getDigits, getInput, hangup, multiPartyCall, play, record, response, speak, wait } from '../../src/plivo-xml/build.ts';
import { parseElement, parsePlivoXml, parseSpeakContent } from '../../src/plivo-xml/parse.ts';
import type { Verb } from '../../src/plivo-xml/ast.ts';

const parsed = (xml: string): Verb[] => {
  const r = parsePlivoXml(`<Response>${xml}</Response>`);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.doc.verbs;
};

test('each builder gives the verb the parser reads from the same element', () => {
  assert.deepEqual(
    response(
      speak('Please enter 1 to accept the call.'),
      speak('Bonjour', { voice: 'MAN', language: 'fr-FR', loop: 2 }),
      play('https://example.com/a.mp3'),
      wait({ length: 1 }),
      getDigits({ action: 'https://example.com/menu', numDigits: 1, prompts: [speak('Press 1')] }),
      getInput({ action: 'https://example.com/input', inputType: 'speech' }),
      record({ maxLength: 30 }),
      dial([dialNumber('14155550100', { sendDigits: '12' }), dialUser('sip:alice@example.com')], { timeout: 20 }),
      conference('room1', { muted: true }),
      multiPartyCall('mpc1', { role: 'agent' }),
      hangup(),
    ).verbs,
    parsed(
      '<Speak>Please enter 1 to accept the call.</Speak><Speak voice="MAN" language="fr-FR" loop="2">Bonjour</Speak>' +
        '<Play>https://example.com/a.mp3</Play><Wait length="1"/>' +
        '<GetDigits action="https://example.com/menu" numDigits="1"><Speak>Press 1</Speak></GetDigits>' +
        '<GetInput action="https://example.com/input" inputType="speech"/><Record maxLength="30"/>' +
        '<Dial timeout="20"><Number sendDigits="12">14155550100</Number><User>sip:alice@example.com</User></Dial>' +
        '<Conference muted="true">room1</Conference><MultiPartyCall role="Agent">mpc1</MultiPartyCall><Hangup/>',
    ),
  );
});

test('an element given as data is checked by its own rules', () => {
  const ok = parseElement({ name: 'MultiPartyCall', attrs: new Map([['role', 'Agent']]), children: ['room'] });
  assert.ok(ok.ok && ok.verb.kind === 'MultiPartyCall' && ok.verb.role === 'agent');
  const bad = parseElement({ name: 'MultiPartyCall', attrs: new Map([['role', 'boss']]), children: ['room'] });
  assert.ok(!bad.ok && /role must be/.test(bad.error));
});

test("a <Speak>'s content given as text is read as the element's: SSML kept, faults named", () => {
  const ok = parseSpeakContent('Your code is <say-as interpret-as="digits">42</say-as>');
  const doc = parsePlivoXml('<Response><Speak>Your code is <say-as interpret-as="digits">42</say-as></Speak></Response>');
  assert.ok(ok.ok && doc.ok);
  assert.deepEqual(ok.verb, doc.doc.verbs[0]);
  const bad = parseSpeakContent('<break time="forever"/>');
  assert.ok(!bad.ok && /break/.test(bad.error));
  assert.equal(parseSpeakContent('Tom <b>').ok, false, 'malformed markup');
});
