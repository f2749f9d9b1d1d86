// Questions tests ask of the books through the Store port (so they run on SQLite and PostgreSQL alike), answered
// from the raw ledger entries and usage records rather than from the wallet under test.
import type { LedgerKind } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

/** Number of `capture` ledger entries per request id (a request can capture from several grants). */
export async function captureCounts(store: Store, accountId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await store.listLedger(accountId)) {
    if (e.kind === 'capture' && e.requestId !== null) counts.set(e.requestId, (counts.get(e.requestId) ?? 0) + 1);
  }
  return counts;
}

/** Σ amount of one kind of ledger entry for an account, optionally for one request. */
export async function ledgerSum(store: Store, accountId: string, kind: LedgerKind, requestId?: string): Promise<bigint> {
  let sum = 0n;
  for (const e of await store.listLedger(accountId)) {
    if (e.kind === kind && (requestId === undefined || e.requestId === requestId)) sum += e.amount;
  }
  return sum;
}

/** The amounts of one kind of ledger entry posted under a request id, in order. */
export async function entriesFor(store: Store, accountId: string, requestId: string, kind: LedgerKind): Promise<bigint[]> {
  return (await store.listLedger(accountId)).filter((e) => e.requestId === requestId && e.kind === kind).map((e) => e.amount);
}

export async function openHoldIds(store: Store): Promise<string[]> {
  return (await store.openHolds()).map((h) => h.requestId);
}

/** Σ remaining over an account's grants that are in force at `now` (effective, not expired, not voided). */
export async function activeRemaining(store: Store, accountId: string, now = Date.now()): Promise<bigint> {
  let sum = 0n;
  for (const g of await store.listGrants(accountId)) {
    const inForce = g.voidedAt === null && g.expiredAt === null && g.effectiveAt <= now && (g.expiresAt === null || g.expiresAt > now);
    if (inForce) sum += g.remaining;
  }
  return sum;
}
