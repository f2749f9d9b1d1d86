import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCredits } from '../money/pico.js';
import { PICO_PER_CENT, PlanError, quote, validatePlan, type Plan } from './plans.js';

const base = { name: 'x', currency: 'usd', active: true, createdAt: 0, updatedAt: 0 } as const;
const pack: Plan = { ...base, id: 'p10', kind: 'pack', priceCents: 1000, credits: parseCredits('10'), bonus: parseCredits('1.5'),
  minCents: null, maxCents: null, picoPerCent: null };
const custom: Plan = { ...base, id: 'any', kind: 'custom', priceCents: null, credits: null, bonus: 0n, minCents: 500, maxCents: 50_000,
  picoPerCent: PICO_PER_CENT };

test('a pack costs its price and grants its credits plus the bonus', () => {
  assert.deepEqual(quote(pack), { amountCents: 1000, credits: parseCredits('11.5') });
  assert.throws(() => quote(pack, 999), PlanError);
});

test('a custom amount is priced at the rate, inside its bounds only', () => {
  assert.deepEqual(quote(custom, 1234), { amountCents: 1234, credits: parseCredits('12.34') });
  assert.deepEqual(quote(custom, 500).credits, parseCredits('5'));
  assert.deepEqual(quote(custom, 50_000).credits, parseCredits('500'));
  for (const bad of [499, 50_001, 12.5, -1]) assert.throws(() => quote(custom, bad), PlanError);
  assert.throws(() => quote(custom), PlanError);
});

test('an inactive plan is not sold; bad plans are refused with the field named', () => {
  assert.throws(() => quote({ ...pack, active: false }), /not on sale/);
  assert.throws(() => validatePlan({ ...pack, priceCents: 0 }), (e: PlanError) => e.param === 'price_cents');
  assert.throws(() => validatePlan({ ...custom, minCents: 100, maxCents: 50 }), (e: PlanError) => e.param === 'min_cents');
  assert.throws(() => validatePlan({ ...pack, id: 'Bad Id' }), (e: PlanError) => e.param === 'id');
  assert.throws(() => validatePlan({ ...pack, currency: 'dollars' }), (e: PlanError) => e.param === 'currency');
  validatePlan(pack);
  validatePlan(custom);
});
