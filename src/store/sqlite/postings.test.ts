// SQLite postings on a temp file: idempotent grants, idempotent and atomic hold/settle batches, draws capped by what
// a grant still holds, expiry and voids posted once, and a ledger that always balances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Draw } from '../../domain/ledger/lots.js';
import type { Pico } from '../../domain/money/pico.js';
import type { UsageRecord } from '../records.js';
import type { HoldPosting, PostingBatch, SettlementPosting } from '../store.js';
import { IdempotencyConflictError } from './postings.js';
import type { SqliteStore } from './sqlite-store.js';
import { capturesOf, META, newAccount, T0, tempStore, usageFor } from '../../../test/support/ledger-fixtures.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../../../test/support/ledger-check.js';

function holdPosting(requestId: string, accountId: string, amount: Pico, at = T0 + 1): HoldPosting {
  return { requestId, accountId, amount, at, meta: META, budgetRefs: [] };
}

function settlement(requestId: string, accountId: string, holdAmount: Pico, draws: Draw[], fields: Partial<UsageRecord> = {}): SettlementPosting {
  const cost = draws.reduce((s, d) => s + d.amount, 0n);
  return {
    requestId, accountId, holdAmount, holdAt: T0 + 1, budgetRefs: [], draws, at: T0 + 2,
    usage: usageFor(requestId, accountId, T0 + 2, { cost, hold: holdAmount, ...fields }),
  };
}

const batch = (b: Partial<PostingBatch>): PostingBatch => ({ holds: [], settlements: [], usages: [], ...b });

async function kinds(store: SqliteStore, accountId: string, requestId: string): Promise<string[]> {
  return (await store.listLedger(accountId)).filter((e) => e.requestId === requestId).map((e) => `${e.kind}:${e.amount}`);
}

test('a grant with an idempotency key is made once; the same key for a different grant is refused', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const other = await newAccount(t.store);
    const first = await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 500n, idempotencyKey: 'order-1' }, T0);
    const again = await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 500n, idempotencyKey: 'order-1' }, T0 + 5);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.deepEqual(again.grant, first.grant);
    await assert.rejects(t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 501n, idempotencyKey: 'order-1' }, T0),
      IdempotencyConflictError);
    await assert.rejects(t.store.insertGrant({ accountId: other, source: 'purchase', amount: 500n, idempotencyKey: 'order-1' }, T0),
      IdempotencyConflictError);
    // Without a key, every call is a new grant.
    await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 7n }, T0);
    await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 7n }, T0);
    const grants = (await t.store.listLedger(acct)).filter((e) => e.kind === 'grant').map((e) => e.amount);
    assert.deepEqual(grants, [500n, 7n, 7n]);
    assert.deepEqual(await t.store.listGrants(other), []);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});

test('replaying a hold and its settlement changes nothing: one hold, one capture per grant, one release, one usage', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const g1 = (await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 100n }, T0)).grant.id;
    const g2 = (await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 1000n }, T0)).grant.id;
    const h = holdPosting('r1', acct, 400n);
    const s = settlement('r1', acct, 400n, [{ lotId: g1, amount: 100n }, { lotId: g2, amount: 150n }]);
    await t.store.commitBatch(batch({ holds: [h] }));
    await t.store.commitBatch(batch({ holds: [h] }));
    await t.store.commitBatch(batch({ settlements: [s] }));
    await t.store.commitBatch(batch({ holds: [h], settlements: [s] }));
    await t.store.commitBatch(batch({ settlements: [s, s] }));

    assert.deepEqual(await kinds(t.store, acct, 'r1'), ['hold:400', 'capture:100', 'capture:150', 'release:150']);
    assert.deepEqual(await capturesOf(t.store, acct, 'r1'), [[g1, 100n], [g2, 150n]]);
    const remaining = new Map((await t.store.listGrants(acct)).map((g) => [g.id, g.remaining]));
    assert.deepEqual([remaining.get(g1), remaining.get(g2)], [0n, 850n], 'each grant drawn once');
    const usage = await t.store.listUsage({ accountId: acct });
    assert.equal(usage.length, 1);
    assert.deepEqual([usage[0]!.cost, usage[0]!.uncollected, usage[0]!.hold], [250n, 0n, 400n]);
    await assertLedgerBalances(t.store);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});

test('a settlement whose hold was never written posts the hold too (hold and settle in one batch)', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const g = (await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 1000n }, T0)).grant.id;
    await t.store.commitBatch(batch({ settlements: [settlement('quick', acct, 300n, [{ lotId: g, amount: 120n }])] }));
    assert.deepEqual(await kinds(t.store, acct, 'quick'), ['hold:300', 'capture:120', 'release:180']);
    await assertNoOpenHolds(t.store);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});

test('a capture above the hold releases nothing; a free call captures nothing and releases the whole hold', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const g = (await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 1000n }, T0)).grant.id;
    await t.store.commitBatch(batch({
      holds: [holdPosting('over', acct, 100n), holdPosting('free', acct, 200n)],
      settlements: [settlement('over', acct, 100n, [{ lotId: g, amount: 250n }]), settlement('free', acct, 200n, [], { status: 'upstream_error' })],
    }));
    assert.deepEqual(await kinds(t.store, acct, 'over'), ['hold:100', 'capture:250', 'release:0']);
    assert.deepEqual(await kinds(t.store, acct, 'free'), ['hold:200', 'release:200']);
    assert.equal((await t.store.listGrants(acct))[0]!.remaining, 750n);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});

test('a draw is capped by what the grant still holds (voided or spent elsewhere); the shortfall is uncollected', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const voided = (await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 100n }, T0)).grant.id;
    const thin = (await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 50n }, T0)).grant.id;
    await t.store.commitBatch(batch({ holds: [holdPosting('r', acct, 200n)] }));
    // Another process voids one grant after the wallet drew on it in memory.
    await t.store.voidGrant(voided, T0 + 1);
    await t.store.commitBatch(batch({ settlements: [settlement('r', acct, 200n, [{ lotId: voided, amount: 100n }, { lotId: thin, amount: 80n }])] }));
    assert.deepEqual(await capturesOf(t.store, acct, 'r'), [[thin, 50n]]);
    assert.deepEqual(await kinds(t.store, acct, 'r'), ['hold:200', 'capture:50', 'release:150']);
    const usage = (await t.store.listUsage({ accountId: acct }))[0]!;
    assert.deepEqual([usage.cost, usage.uncollected], [180n, 130n]);
    const grants = await t.store.listGrants(acct);
    assert.deepEqual(grants.map((g) => g.remaining), [0n, 0n]);
    const totals = await t.store.ledgerTotals(acct);
    assert.deepEqual([totals.granted, totals.voided, totals.captured, totals.remaining], [150n, 100n, 50n, 0n]);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});

test('a batch is one transaction: when any part fails, nothing of it is written', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const g = (await t.store.insertGrant({ accountId: acct, source: 'purchase', amount: 1000n }, T0)).grant.id;
    const broken = settlement('bad', acct, 100n, [{ lotId: g, amount: 10n }]);
    // NOT NULL violated by the usage row, written last in the settlement.
    const bad: SettlementPosting = { ...broken, usage: { ...broken.usage, status: null as unknown as UsageRecord['status'] } };
    assert.throws(() => t.store.commitBatchNow(batch({
      holds: [holdPosting('good', acct, 50n)],
      settlements: [settlement('other', acct, 70n, [{ lotId: g, amount: 20n }]), bad],
    })));
    assert.deepEqual(await t.store.listLedger(acct).then((l) => l.filter((e) => e.kind !== 'grant')), []);
    assert.deepEqual(await t.store.openHolds(), []);
    assert.deepEqual(await t.store.listUsage({ accountId: acct }), []);
    assert.equal((await t.store.listGrants(acct))[0]!.remaining, 1000n);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});

test('expiry and voids post the remainder once, skip each other, and keep the ledger balanced', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const soon = (await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 300n, expiresAt: T0 + 100 }, T0)).grant.id;
    const later = (await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 300n, expiresAt: T0 + 1_000 }, T0)).grant.id;
    const voidedFirst = (await t.store.insertGrant({ accountId: acct, source: 'promo', amount: 300n, expiresAt: T0 + 100 }, T0)).grant.id;
    await t.store.commitBatch(batch({ settlements: [settlement('r', acct, 100n, [{ lotId: soon, amount: 100n }])] }));
    await t.store.voidGrant(voidedFirst, T0 + 50);

    assert.equal(await t.store.expireGrants(T0 + 99), 0, 'nothing is due before its time');
    assert.equal(await t.store.expireGrants(T0 + 100), 1, 'due at its expiry; a voided grant is not expired again');
    assert.equal(await t.store.expireGrants(T0 + 100), 0);
    assert.equal(await t.store.expireGrants(T0 + 5_000), 1);
    const again = await t.store.voidGrant(soon, T0 + 6_000);
    assert.equal(again?.voidedAt, null, 'an expired grant is not voided');
    await t.store.voidGrant(voidedFirst, T0 + 6_000);

    const ledger = (await t.store.listLedger(acct)).filter((e) => e.kind === 'expire' || e.kind === 'void').map((e) => [e.kind, e.grantId, e.amount]);
    assert.deepEqual(ledger, [['void', voidedFirst, 300n], ['expire', soon, 200n], ['expire', later, 300n]]);
    const totals = await t.store.ledgerTotals(acct);
    assert.deepEqual([totals.granted, totals.captured, totals.expired, totals.voided, totals.remaining], [900n, 100n, 500n, 300n, 0n]);
    await assertLedgerBalances(t.store);
  } finally {
    await t.close();
  }
});
