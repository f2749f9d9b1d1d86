import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertRuleError, channelsToWire, definitionToWire, parseChannels, parseDefinition } from './rule-wire.js';
import { channelKey } from './rule.js';

test('definitions round-trip through the wire form exactly', () => {
  const cases: Array<[string, unknown]> = [
    ['low_balance', { threshold: '5.000000000001', rearm_at: '10' }],
    ['low_balance', { threshold: '0.5', rearm_at: null }],
    ['budget_threshold', { budget_id: 'bud_1', percents: [50, 80, 100] }],
    ['budget_threshold', { budget_id: null, percents: null }],
    ['grant_expiring', { within_days: 7 }],
    ['spend_spike', { factor: '2.5', min_amount: '1' }],
  ];
  for (const [kind, params] of cases) {
    const def = parseDefinition(kind, params);
    assert.deepEqual(definitionToWire(def), { kind, params });
    assert.deepEqual(parseDefinition(kind, definitionToWire(def).params), def);
  }
  assert.deepEqual(parseDefinition('low_balance', { threshold: '5' }).params, { threshold: 5_000_000_000_000n, rearmAt: null });
  assert.deepEqual(parseDefinition('spend_spike', { factor: 3, min_amount: '0' }).params, { factorMilli: 3000n, minAmount: 0n });
});

test('malformed definitions are refused with the field named', () => {
  const bad: Array<[unknown, unknown, RegExp]> = [
    ['nope', {}, /^kind:/],
    ['low_balance', { threshold: '-1' }, /^params\.threshold:/],
    ['low_balance', { threshold: 5 }, /^params\.threshold:/],
    ['low_balance', { threshold: '0' }, /^params\.threshold: must be above 0/],
    ['low_balance', { threshold: '5', rearm_at: '4' }, /^params\.rearm_at:/],
    ['low_balance', { threshold: '1', extra: 1 }, /^params:/],
    ['budget_threshold', { percents: [12.5] }, /^params\.percents\.0:/],
    ['grant_expiring', { within_days: 0 }, /^params\.within_days:/],
    ['spend_spike', { factor: '2.0001', min_amount: '1' }, /^params\.factor:/],
    ['spend_spike', { factor: '0.5', min_amount: '1' }, /^params\.factor:/],
  ];
  for (const [kind, params, message] of bad) {
    assert.throws(() => parseDefinition(kind, params), (err: unknown) => err instanceof AlertRuleError && message.test(err.message),
      `${String(kind)} ${JSON.stringify(params)}`);
  }
});

test('channels: secrets are generated when missing, hidden unless revealed; bad channels are refused', () => {
  const parsed = parseChannels([
    { type: 'webhook', url: 'https://example.test/hook' },
    { type: 'email', recipients: ['Ops@Example.com', 'a@example.com'], subject_prefix: 'Tollgate' },
  ], { newSecret: () => 'whsec_0123456789abcdef' });
  assert.deepEqual(parsed, [
    { type: 'webhook', url: 'https://example.test/hook', secret: 'whsec_0123456789abcdef' },
    { type: 'email', recipients: ['Ops@Example.com', 'a@example.com'], subjectPrefix: 'Tollgate' },
  ]);
  assert.deepEqual(channelsToWire(parsed, { revealSecrets: false })[0], { type: 'webhook', url: 'https://example.test/hook' });
  assert.deepEqual(parseChannels(channelsToWire(parsed, { revealSecrets: true })), parsed);
  assert.equal(channelKey(parsed[1]!), 'email:a@example.com,ops@example.com');

  assert.throws(() => parseChannels([{ type: 'webhook', url: 'https://example.test/hook' }]), /channels\.0\.secret: required/);
  assert.throws(() => parseChannels([{ type: 'webhook', url: 'ftp://example.test/', secret: 'x'.repeat(16) }]), /channels\.0\.url/);
  assert.throws(() => parseChannels([{ type: 'webhook', url: 'https://example.test/', secret: 'short' }]), /channels\.0\.secret/);
  assert.throws(() => parseChannels([{ type: 'email', recipients: ['a@example.com\r\nBcc: x@y.z'] }]), /channels\.0\.recipients\.0/);
  assert.throws(() => parseChannels([{ type: 'email', recipients: ['a@b.c'], subject_prefix: 'x\ny' }]), /subject_prefix/);
  assert.throws(() => parseChannels([{ type: 'sms', to: '1' }]), AlertRuleError);
});
