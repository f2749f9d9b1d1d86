import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, compareBurnOrder, spendable, type Lot } from './lots.js';

const lot = (id: string, remaining: bigint, over: Partial<Lot> = {}): Lot => ({
  id, remaining, priority: 50, effectiveAt: 0, expiresAt: null, createdAt: 0, ...over,
});

test('burn order is priority, then soonest expiry, then oldest', () => {
  const lots = [
    lot('purchase-old', 10n, { createdAt: 1 }),
    lot('purchase-expiring', 10n, { createdAt: 5, expiresAt: 1000 }),
    lot('promo', 10n, { priority: 10, createdAt: 9 }),
    lot('purchase-new', 10n, { createdAt: 3 }),
  ].sort(compareBurnOrder);
  assert.deepEqual(lots.map((l) => l.id), ['promo', 'purchase-expiring', 'purchase-old', 'purchase-new']);
});

test('allocate draws across lots in order and reports the shortfall', () => {
  const lots = [lot('a', 5n, { priority: 1 }), lot('b', 7n, { priority: 2 })];
  assert.deepEqual(allocate(lots, 9n, 10), { draws: [{ lotId: 'a', amount: 5n }, { lotId: 'b', amount: 4n }], short: 0n });
  assert.deepEqual(allocate(lots, 20n, 10), { draws: [{ lotId: 'a', amount: 5n }, { lotId: 'b', amount: 7n }], short: 8n });
  assert.deepEqual(allocate(lots, 0n, 10), { draws: [], short: 0n });
});

test('expired and not-yet-effective lots are neither spendable nor drawn', () => {
  const lots = [lot('expired', 5n, { expiresAt: 100 }), lot('future', 5n, { effectiveAt: 500 }), lot('live', 3n)];
  assert.equal(spendable(lots, 100), 3n);
  assert.equal(spendable(lots, 99), 8n);
  assert.deepEqual(allocate(lots, 4n, 200), { draws: [{ lotId: 'live', amount: 3n }], short: 1n });
});
