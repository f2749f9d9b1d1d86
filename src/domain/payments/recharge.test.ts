import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCredits } from '../money/pico.js';
import { monthKey, rechargeCredits, retryDelayMs } from './recharge.js';

test('recharge amount: fixed or up to the target (rounded up to the cent), within the monthly cap', () => {
  const rule = { threshold: parseCredits('5'), amount: parseCredits('20'), target: null, monthlyCap: parseCredits('50') };
  assert.equal(rechargeCredits(rule, parseCredits('1'), 0n), parseCredits('20'));
  assert.equal(rechargeCredits(rule, parseCredits('1'), parseCredits('40')), parseCredits('10'));
  assert.equal(rechargeCredits(rule, parseCredits('1'), parseCredits('50')), 0n);
  const target = { ...rule, amount: null, target: parseCredits('30') };
  assert.equal(rechargeCredits(target, parseCredits('4.123456'), 0n), parseCredits('25.88'));
  assert.equal(rechargeCredits(target, parseCredits('4.123456'), parseCredits('40')), parseCredits('10'));
  assert.equal(rechargeCredits(target, parseCredits('31'), 0n), 0n);
  assert.ok(retryDelayMs(1) < retryDelayMs(2) && retryDelayMs(9) === retryDelayMs(3));
  assert.equal(monthKey(Date.UTC(2026, 11, 31, 23, 59)), '2026-12');
});
