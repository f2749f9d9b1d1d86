import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCredits } from '../money/pico.js';
import { creditsOwed, takeable } from './clawback.js';

test('a refund owes back its proportional share of the credits, rounded down, never more than bought', () => {
  const c = parseCredits('11.5');
  assert.equal(creditsOwed(c, 1000, 0), 0n);
  assert.equal(creditsOwed(c, 1000, 1000), c);
  assert.equal(creditsOwed(c, 1000, 400), parseCredits('4.6'));
  assert.equal(creditsOwed(c, 1000, 5000), c);
  assert.equal(creditsOwed(10n, 3, 1), 3n); // 10/3 rounded down
});

test('only the unspent part of the grant is taken, and never below the unreserved balance', () => {
  assert.equal(takeable(100n, 40n, 1000n), 40n);
  assert.equal(takeable(100n, 400n, 70n), 70n);
  assert.equal(takeable(100n, 400n, -5n), 0n);
  assert.equal(takeable(100n, 400n, 1000n), 100n);
});
