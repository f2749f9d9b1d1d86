import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PICO_PER_CREDIT as C } from '../money/pico.js';
import { evaluateSpendThreshold } from './spend-threshold.js';
import { parseDefinition, definitionToWire } from './rule-wire.js';

const rule = { id: 'r1', accountId: 'a1', params: { threshold: 100n * C } };

test('fires once the month reaches the threshold, keyed by month so it fires once a month', () => {
  assert.deepEqual(evaluateSpendThreshold(rule, { month: '2026-11', spent: 100n * C - 1n }, 0), []);
  const [f] = evaluateSpendThreshold(rule, { month: '2026-11', spent: 100n * C }, 5);
  assert.equal(f?.dedupeKey, 'spend_threshold:r1:2026-11');
  const [g] = evaluateSpendThreshold(rule, { month: '2026-12', spent: 500n * C }, 6);
  assert.equal(g?.dedupeKey, 'spend_threshold:r1:2026-12');
});

test('wire form round-trips and refuses a zero threshold', () => {
  const def = parseDefinition('spend_threshold', { threshold: '1000' });
  assert.deepEqual(definitionToWire(def), { kind: 'spend_threshold', params: { threshold: '1000' } });
  assert.throws(() => parseDefinition('spend_threshold', { threshold: '0' }), /threshold/);
});
