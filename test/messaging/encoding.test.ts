// GSM-7 / UCS-2 detection and segment counting at every boundary, plus the
// list's message_time filter forms.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../src/messaging/encoding.ts';
import { timeWindow } from '../../src/messaging/filters.ts';
import { checkContent, parseDestinations } from '../../src/messaging/rules.ts';

describe('encoding and segments', () => {
  test('plain GSM text: 160 septets fit one SMS, then 153 per segment', () => {
    assert.deepEqual(analyseText('a'.repeat(160)), { encoding: 'GSM', length: 160, units: 1 });
    assert.deepEqual(analyseText('a'.repeat(161)), { encoding: 'GSM', length: 161, units: 2 });
    assert.equal(analyseText('a'.repeat(306)).units, 2);
    assert.equal(analyseText('a'.repeat(307)).units, 3);
    assert.equal(analyseText('').units, 1);
  });

  test('the GSM basic set includes accented letters, Greek capitals and symbols like £ ¥ § ¿', () => {
    assert.equal(analyseText('Ça coûte 5£, ¿Qué? ΔΦΓΛΩΠΨΣΘΞ ÄÖÑÜ§ äöñüà @$¥èéùìò').encoding, 'UCS-2', 'û is not GSM');
    assert.equal(analyseText('Ça coute 5£, ¿Qué? ΔΦΓΛΩΠΨΣΘΞ ÄÖÑÜ§ äöñüà @$¥èéùìò').encoding, 'GSM');
  });

  test('extension characters cost two septets and are never split across segments', () => {
    assert.deepEqual(analyseText('€'.repeat(80)), { encoding: 'GSM', length: 160, units: 1 });
    assert.deepEqual(analyseText('€'.repeat(80) + 'a'), { encoding: 'GSM', length: 161, units: 2 });
    // 152 plain septets, then an escape pair that would straddle the 153 boundary: it moves to segment 2.
    const straddle = 'a'.repeat(152) + '{' + 'a'.repeat(152);
    assert.equal(analyseText(straddle).length, 306);
    assert.equal(analyseText(straddle).units, 3);
    assert.equal(analyseText('a'.repeat(151) + '{' + 'a'.repeat(153)).units, 2);
    for (const c of '^{}\\[~]|€\f') assert.equal(analyseText(c).length, 2, `${JSON.stringify(c)} is an extension character`);
  });

  test('any non-GSM character makes the whole text UCS-2: 70 units in one SMS, then 67 per segment', () => {
    assert.deepEqual(analyseText('é'.repeat(69) + 'ł'), { encoding: 'UCS-2', length: 70, units: 1 });
    assert.deepEqual(analyseText('ł'.repeat(71)), { encoding: 'UCS-2', length: 71, units: 2 });
    assert.equal(analyseText('ł'.repeat(134)).units, 2);
    assert.equal(analyseText('ł'.repeat(135)).units, 3);
    assert.equal(analyseText('Hello “world”').encoding, 'UCS-2', 'curly quotes are not GSM');
  });

  test('characters outside the BMP take two UCS-2 units and a surrogate pair is never split', () => {
    assert.deepEqual(analyseText('😀'.repeat(35)), { encoding: 'UCS-2', length: 70, units: 1 });
    // 66 units, then an emoji that would straddle the 67 boundary.
    assert.equal(analyseText('ł'.repeat(66) + '😀' + 'ł'.repeat(66)).units, 3);
    assert.equal(analyseText('ł'.repeat(65) + '😀' + 'ł'.repeat(67)).units, 2);
  });
});

describe('send rules', () => {
  test('text limits: 1600 GSM characters or 737 Unicode ones', () => {
    assert.equal(checkContent('sms', 'a'.repeat(1600), [], []).units, 11);
    assert.throws(() => checkContent('sms', 'a'.repeat(1601), [], []), /text is too long: 1601 GSM characters, at most 1600/);
    assert.equal(checkContent('sms', 'ł'.repeat(737), [], []).units, 11);
    assert.throws(() => checkContent('sms', 'ł'.repeat(738), [], []), /738 Unicode characters, at most 737/);
    assert.throws(() => checkContent('sms', '', [], []), /text is required for type sms/);
    assert.throws(() => checkContent('sms', 'hi', ['https://x.test/a.png'], []), /media_urls may only be sent with type mms/);
    assert.equal(checkContent('mms', '', ['https://x.test/a.png'], []).units, 1);
    assert.throws(() => checkContent('mms', '', [], []), /an MMS needs text or media_urls/);
    assert.throws(() => checkContent('mms', '', [], ['abc']), /media_ids: no uploaded media/);
  });

  test('destinations: "<"-separated, blanks ignored, duplicates once, non-numbers reported', () => {
    const d = parseDestinations('14155550100<+14155550101<<14155550100< 447400123456 <12<abc');
    assert.deepEqual(d.valid, ['14155550100', '14155550101', '447400123456']);
    assert.deepEqual(d.invalid.map((i) => i.input), ['12', 'abc']);
    assert.throws(() => parseDestinations('<<'), /dst is required/);
  });
});

describe('message_time filters', () => {
  const at = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');
  test('exact time selects the minute, second or millisecond it names', () => {
    assert.deepEqual(timeWindow({ message_time: '2026-01-02 03:04' }), { from: at('2026-01-02 03:04:00'), to: at('2026-01-02 03:05:00') });
    assert.deepEqual(timeWindow({ message_time: '2026-01-02 03:04:05' }), { from: at('2026-01-02 03:04:05'), to: at('2026-01-02 03:04:06') });
    assert.deepEqual(timeWindow({ message_time: '2026-01-02 03:04:05.123456' }), { from: at('2026-01-02 03:04:05.123'), to: at('2026-01-02 03:04:05.124') });
  });
  test('bounds combine into one window, strict bounds exclude the instant', () => {
    assert.deepEqual(timeWindow({ message_time__gt: '2026-01-02 03:04', message_time__lte: '2026-01-03 00:00' }), {
      from: at('2026-01-02 03:04:00') + 1,
      to: at('2026-01-03 00:00:00') + 1,
    });
    assert.deepEqual(timeWindow({ message_time__gte: '2026-01-02 03:04', message_time__lt: '2026-01-03 00:00' }), {
      from: at('2026-01-02 03:04:00'),
      to: at('2026-01-03 00:00:00'),
    });
    assert.deepEqual(timeWindow({}), { from: undefined, to: undefined });
  });
  test('a malformed or impossible time is a 400 naming the field', () => {
    assert.throws(() => timeWindow({ message_time__gt: 'yesterday' }), /message_time__gt "yesterday" must be a UTC time as YYYY-MM-DD HH:MM/);
    assert.throws(() => timeWindow({ message_time: '2026-02-30 10:00' }), /message_time "2026-02-30 10:00"/);
  });
});
