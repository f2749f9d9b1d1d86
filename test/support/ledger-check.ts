// Asserts the ledger invariants of DESIGN.md against a store: it balances to the unit and no hold is left open.
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';

/** Invariant 2: Σ granted − Σ expired − Σ voided − Σ captured − Σ refunded = Σ remaining (and nothing below zero). */
export async function assertLedgerBalances(store: Store, accountId?: string): Promise<void> {
  const t = await store.ledgerTotals(accountId);
  assert.equal(t.granted - t.expired - t.voided - t.captured - t.refunded, t.remaining, 'ledger does not balance');
  assert.ok(t.remaining >= 0n, 'remaining below zero');
}

export async function assertNoOpenHolds(store: Store): Promise<void> {
  const open = await store.openHolds();
  assert.deepEqual(open.map((h) => h.requestId), [], 'holds left open');
}
