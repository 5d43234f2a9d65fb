// The gateways file and the order calls try gateways in; SIP statuses ⇄ causes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayAddressing, GatewayTable, parseGateways } from '../../../src/telephony/sip/gateways.ts';
import { causeOfStatus, failsOver, statusOfCause } from '../../../src/telephony/sip/sip-causes.ts';

test('a gateways file is checked field by field, with the bad field named', () => {
  assert.throws(() => parseGateways({}), /invalid at \/: .*a JSON array/);
  assert.throws(() => parseGateways([{ name: 'a', address: 'x', prefixes: ['+1'] }]), /invalid at \/0\/prefixes\/0/);
  assert.throws(() => parseGateways([{ name: 'a', address: 'x', username: 'u' }]), /invalid at \/0: give both username and password/);
  assert.throws(() => parseGateways([{ name: 'a', address: 'x' }, { name: 'a', address: 'y' }]), /gateway a is listed twice/);
  assert.throws(() => parseGateways([{ name: 'a', address: 'host:99999' }]), /\/0\/address/);
  for (const address of ['sip:gw.example.com', 'gw.example.com;transport=tcp', 'gw.example.com ', 'gw example.com']) {
    assert.throws(() => parseGateways([{ name: 'a', address }]), /invalid at \/0\/address: .* \(no sip: and no ;parameters/, address);
  }
  assert.deepEqual(
    parseGateways([{ name: 'a', address: 'gw-1.example.com:5080' }, { name: 'b', address: '[2001:db8::1]:5060' }, { name: 'c', address: '198.51.100.20' }]).map((g) => `${g.host} ${g.port}`),
    ['gw-1.example.com 5080', '2001:db8::1 5060', '198.51.100.20 5060'],
  );
  assert.throws(() => parseGateways([{ name: 'a', address: 'x', colour: 'red' }]), /invalid at/);
  const [gw] = parseGateways([{ name: 'a', address: '[2001:db8::1]:5080', transport: 'tcp' }]);
  assert.deepEqual([gw!.host, gw!.port, gw!.transport], ['2001:db8::1', 5080, 'tcp']);
  assert.equal(parseGateways([{ name: 'b', address: 'sip.example.com' }])[0]!.port, 5060);
});

test('calls try the longest matching prefix first, then priority, then file order; max_calls makes room for the next', () => {
  const table = new GatewayTable(
    parseGateways([
      { name: 'any', address: '192.0.2.1' },
      { name: 'us-backup', address: '192.0.2.2', prefixes: ['1'], priority: 2 },
      { name: 'us', address: '192.0.2.3', prefixes: ['1'], priority: 1, max_calls: 1 },
      { name: 'ca', address: '192.0.2.4', prefixes: ['1604', '1778'] },
      { name: 'uk', address: '192.0.2.5', prefixes: ['44'] },
    ]),
  );
  assert.deepEqual(table.candidates('16045550100').map((g) => g.name), ['ca', 'us', 'us-backup', 'any']);
  assert.deepEqual(table.candidates('14155550100').map((g) => g.name), ['us', 'us-backup', 'any']);
  assert.deepEqual(table.candidates('33155550100').map((g) => g.name), ['any']);
  const us = table.candidates('14155550100')[0]!;
  assert.ok(table.hasRoom(us));
  const free = table.occupy(us);
  assert.ok(!table.hasRoom(us));
  free();
  free();
  assert.equal(table.inUse(us), 0);
});

test('gateways flagged sip_uris carry calls to outside sip: URIs, by priority then file order', () => {
  const table = new GatewayTable(
    parseGateways([
      { name: 'numbers-only', address: '192.0.2.1' },
      { name: 'sbc-b', address: '192.0.2.2', sip_uris: true, priority: 2 },
      { name: 'sbc-a', address: '192.0.2.3', sip_uris: true, priority: 1 },
      { name: 'not-uris', address: '192.0.2.4', sip_uris: false },
    ]),
  );
  assert.deepEqual(table.uriProxies().map((g) => g.name), ['sbc-a', 'sbc-b']);
  assert.deepEqual(new GatewayTable(parseGateways([{ name: 'x', address: '192.0.2.1' }])).uriProxies(), []);
  assert.throws(() => parseGateways([{ name: 'x', address: '192.0.2.1', sip_uris: 'yes' }]), /\/0\/sip_uris/);
});

test('caller ID rules and the dial prefix shape the INVITE toward a gateway', () => {
  const [plain, fixed] = parseGateways([
    { name: 'plain', address: 'sip.example.com:5070' },
    { name: 'fixed', address: '192.0.2.9', caller_id: { fixed: '15550001111' }, dial_prefix: '+', transport: 'tcp' },
  ]);
  assert.deepEqual(gatewayAddressing(plain!, '14155550100', '15557654321', 'Shop "A"', '203.0.113.5'), {
    target: 'sip:14155550100@sip.example.com:5070',
    to: '<sip:14155550100@sip.example.com:5070>',
    from: '"Shop A" <sip:15557654321@203.0.113.5>',
  });
  const f = gatewayAddressing(fixed!, '14155550100', '15557654321', '', '203.0.113.5');
  assert.equal(f.target, 'sip:+14155550100@192.0.2.9;transport=tcp');
  assert.equal(f.from, '<sip:15550001111@203.0.113.5>');
});

test('SIP final responses map to network causes, and causes to the status an unanswered call is refused with', () => {
  const cases: Array<[number, string]> = [
    [486, 'USER_BUSY'], [600, 'USER_BUSY'], [480, 'NO_ANSWER'], [408, 'NO_ANSWER'], [603, 'CALL_REJECTED'], [403, 'CALL_REJECTED'],
    [404, 'UNALLOCATED_NUMBER'], [484, 'UNALLOCATED_NUMBER'], [410, 'DESTINATION_OUT_OF_ORDER'], [502, 'DESTINATION_OUT_OF_ORDER'],
    [503, 'NORMAL_TEMPORARY_FAILURE'], [500, 'NORMAL_TEMPORARY_FAILURE'], [415, 'CALL_REJECTED'],
  ];
  for (const [status, cause] of cases) assert.equal(causeOfStatus(status, true), cause, String(status));
  assert.equal(causeOfStatus(408, false), 'DESTINATION_OUT_OF_ORDER', 'no response at all: unreachable');
  assert.equal(statusOfCause('USER_BUSY').status, 486);
  assert.equal(statusOfCause('CALL_REJECTED').status, 603);
  assert.equal(statusOfCause('UNALLOCATED_NUMBER').status, 404);
  assert.equal(statusOfCause('NORMAL_CLEARING').status, 480);
  assert.ok(failsOver(503, true) && failsOver(408, false) && !failsOver(486, true) && !failsOver(404, true));
});
