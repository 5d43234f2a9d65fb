// Thousands of random mutations of valid documents: parsePlivoXml answers
// every one with a document or one sentence, and never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { parsePlivoXml } from '../../src/plivo-xml/parse.ts';

/** mulberry32: small, fast, seeded, so a failure replays exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): string[] {
  const r = plivo.Response();
  const gd = r.addGetDigits({ action: 'https://app.example.com/menu', numDigits: 1, timeout: 5 });
  gd.addSpeak('Press 1 for sales', { voice: 'Polly.Joanna' }).addProsody('now', { rate: 'slow' });
  r.addDial({ callerId: '+14155550100' }).addNumber('+14155551234', { sendDigits: 'w1' });
  r.addMultiPartyCall('mpc', { role: 'agent' });
  return [
    r.toXML(),
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Speak loop="2">Hello <break time="1s"/> &amp; bye</Speak>\n  <Play>https://example.com/a.mp3</Play>\n  <Wait length="2"/>\n  <Hangup reason="busy"/>\n</Response>\n',
    '<Response><PreAnswer><Speak>early</Speak><DTMF async="false">12w#</DTMF></PreAnswer><Conference enterSound="beep:1">room</Conference><Record maxLength="30"/></Response>',
    '<Response><GetInput action="https://app.example.com/in" inputType="dtmf speech" hints="a,b"><Speak><![CDATA[Say <anything>]]></Speak></GetInput><Stream bidirectional="true">wss://a.example.com/s</Stream><Message dst="14155550111">hi</Message><Redirect method="GET">https://app.example.com/next</Redirect></Response>',
  ];
}

const NOISE = ['<', '>', '/', '&', ';', '"', "'", '=', ' ', '\n', '\u0000', '\uFFFF', '\uD800', 'é', '<!DOCTYPE x [<!ENTITY a "b">]>', '<![CDATA[', ']]>', '<!--', '-->', '<?xml version="1.0"?>', '&amp;', '&#0;', '&#x110000;', '<Speak>', '</Speak>', '<Dial>', '<Number>', '<break/>', 'xml:lang="x"', 'loop="-1"', '\uFEFF'];

function mutate(doc: string, rand: () => number): string {
  const at = () => Math.floor(rand() * (doc.length + 1));
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const i = at();
    switch (Math.floor(rand() * 6)) {
      case 0: doc = doc.slice(0, i) + doc.slice(i + 1 + Math.floor(rand() * 20)); break; // delete a span
      case 1: doc = doc.slice(0, i) + NOISE[Math.floor(rand() * NOISE.length)] + doc.slice(i); break; // insert noise
      case 2: { const j = at(); doc = doc.slice(0, i) + doc.slice(Math.min(i, j), Math.max(i, j)) + doc.slice(i); break; } // duplicate a span
      case 3: doc = doc.slice(0, i); break; // truncate
      case 4: doc = doc.slice(0, i) + String.fromCharCode(Math.floor(rand() * 0x10000)) + doc.slice(i + 1); break; // replace a char
      default: doc = doc.slice(0, i) + doc.charAt(i).toUpperCase() + doc.slice(i + 1).toLowerCase().slice(0, 3) + doc.slice(i + 4); // case change
    }
  }
  return doc;
}

test('4000 seeded mutations of valid documents: every answer is a document or a sentence', () => {
  const docs = corpus();
  for (const d of docs) assert.equal(parsePlivoXml(d).ok, true, d);
  const rand = prng(0x5eed);
  let accepted = 0;
  for (let n = 0; n < 4000; n++) {
    const input = mutate(docs[n % docs.length], rand);
    let result;
    try {
      result = parsePlivoXml(input);
    } catch (e) {
      assert.fail(`threw on mutation ${n}: ${String(e)}\n${JSON.stringify(input)}`);
    }
    if (result.ok) {
      accepted++;
      assert.ok(Array.isArray(result.doc.verbs));
    } else {
      assert.equal(typeof result.error, 'string');
      assert.ok(result.error.length > 0 && !result.error.includes('could not be read'), `internal error on mutation ${n}: ${result.error}\n${JSON.stringify(input)}`);
    }
  }
  // Both outcomes occur, so the mutations exercise validation, not just the XML parser.
  assert.ok(accepted > 100 && accepted < 3900, `accepted ${accepted}`);
});
