import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAccountAuthId, isSubaccountAuthId, newAccountAuthId, newAuthToken, newNumericId, newRowUuid, newSubaccountAuthId, newUuid } from '../src/ids.ts';
import { formatMoney, parseMoney } from '../src/money.ts';

test('identifiers have the spec formats', () => {
  for (let i = 0; i < 200; i++) {
    assert.ok(isAccountAuthId(newAccountAuthId()));
    assert.ok(isSubaccountAuthId(newSubaccountAuthId()));
    assert.match(newAuthToken(), /^[A-Za-z0-9]{40}$/);
    assert.match(newNumericId(), /^[1-9]\d{16}$/);
    assert.match(newUuid(), /^[0-9a-f-]{36}$/);
  }
  assert.equal(new Set(Array.from({ length: 1000 }, newAccountAuthId)).size, 1000);
});

test('row ids are UUIDs that sort in the order they were made', () => {
  const ids = Array.from({ length: 1000 }, newRowUuid);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, 1000);
  assert.deepEqual([...ids].sort(), ids);
});

test('money parses decimal strings into integer micros and renders them back', () => {
  assert.equal(parseMoney('25'), 25_000_000);
  assert.equal(parseMoney('0.00850'), 8_500);
  assert.equal(parseMoney('-1.5'), -1_500_000);
  assert.equal(parseMoney(0.1), 100_000);
  assert.equal(formatMoney(23_385_000), '23.38500');
  assert.equal(formatMoney(8_500), '0.00850');
  assert.equal(formatMoney(-1_500_000), '-1.50000');
  assert.equal(formatMoney(5, 5), '0.00001');
  assert.equal(formatMoney(4, 5), '0.00000');
  assert.equal(formatMoney(1_234_567, 2), '1.23');
  for (const bad of ['abc', '1.2345678', '', '1e3', '--1']) assert.throws(() => parseMoney(bad), RangeError);
});

test('summing micros never drifts the way floats do', () => {
  let total = 0;
  for (let i = 0; i < 10; i++) total += parseMoney('0.1');
  assert.equal(formatMoney(total), '1.00000');
});
