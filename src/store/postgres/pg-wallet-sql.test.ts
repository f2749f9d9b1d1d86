// The wallet's SQL on a fresh PostgreSQL database: holds from several pools racing for one account never take the
// available balance below zero, a replayed settlement changes nothing, a capture above its hold only takes credit no
// other hold reserved, and captures draw grants in burn order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../../../test/support/test-database.js';
import type { UsageRecord } from '../records.js';
import { createPool } from './pool.js';
import { PgStore } from './pg-store.js';
import { holdBatch, settleBatch, type PgHoldItem } from './pg-wallet-sql.js';

const META = { projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions', stream: false };

interface Db {
  database: TestDatabase;
  store: PgStore;
  account(name?: string): Promise<string>;
}

/** Runs `fn` on a fresh database (skipped loudly when PostgreSQL is unreachable outside CI), dropped afterwards. */
async function withDatabase(t: { skip(msg: string): void }, fn: (db: Db) => Promise<void>): Promise<void> {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const database = await createTestDatabase();
  const store = await PgStore.open(database.url, { max: 4 });
  try {
    await fn({
      database, store,
      async account(name = 'wallet sql') {
        return (await store.createAccount({ name, now: 1 })).account.id;
      },
    });
  } finally {
    await store.close();
    await database.drop();
  }
}

function usage(requestId: string, accountId: string, now: number): UsageRecord {
  return {
    requestId, accountId, projectId: null, keyId: null, model: META.model, endpoint: META.endpoint,
    inputTokens: 10, cachedInputTokens: 0, outputTokens: 20, reasoningTokens: 0, cost: 0n, uncollected: 0n, hold: 0n,
    priceEffectiveFrom: null, cacheHit: false, status: 'ok', httpStatus: 200, stream: false, aborted: false, latencyMs: 1, createdAt: now,
  };
}

const holdItem = (requestId: string, accountId: string, amount: bigint): PgHoldItem => ({ requestId, accountId, amount, meta: META });
const settleItem = (requestId: string, accountId: string, cost: bigint, now: number) =>
  ({ requestId, accountId, cost, usage: usage(requestId, accountId, now) });

async function scalar(pool: pg.Pool, sql: string, params: unknown[]): Promise<bigint> {
  const { rows } = await pool.query(sql, params);
  return BigInt((rows[0] as { v: bigint | null }).v ?? 0n);
}

async function state(store: PgStore, accountId: string) {
  const q = (sql: string) => scalar(store.pool, sql, [accountId]);
  return {
    remaining: await q('SELECT COALESCE(SUM(remaining_pico), 0) AS v FROM grants WHERE account_id = $1'),
    held: await q('SELECT held_pico AS v FROM account_balances WHERE account_id = $1'),
    openHolds: await q('SELECT COALESCE(SUM(amount_pico), 0) AS v FROM holds WHERE account_id = $1 AND closed_at IS NULL'),
    entries: await q('SELECT COUNT(*) AS v FROM ledger_entries WHERE account_id = $1'),
    captured: await q(`SELECT COALESCE(SUM(amount_pico), 0) AS v FROM ledger_entries WHERE account_id = $1 AND kind = 'capture'`),
    usages: await q('SELECT COUNT(*) AS v FROM usage_records WHERE account_id = $1'),
  };
}

/** A small deterministic generator (xorshift32), so a failing race can be replayed. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

test('holdBatch: concurrent batches from several pools never take the available balance below zero', { timeout: 60_000 }, async (t) => {
  await withDatabase(t, async ({ database, store, account }) => {
    const now = 1_000;
    const accounts = [await account('a'), await account('b')];
    const granted = [7_000_000n, 3_000_000n];
    for (const [i, id] of accounts.entries()) await store.insertGrant({ accountId: id, source: 'purchase', amount: granted[i]! }, now);

    const pools = Array.from({ length: 4 }, () => createPool(database.url, { max: 4 }));
    try {
      const random = xorshift(42);
      const amounts = [10_000n, 25_000n, 40_000n, 99_999n, 150_000n];
      // 240 batches of 1–5 holds, both accounts mixed in arbitrary order (holdBatch sorts them: no deadlock).
      const batches: PgHoldItem[][] = Array.from({ length: 240 }, (_, b) =>
        Array.from({ length: 1 + (random() % 5) }, (_, i) => holdItem(`r-${b}-${i}`, accounts[random() % 2]!, amounts[random() % amounts.length]!)));
      const all = batches.flat();
      const results = await Promise.all(batches.map((batch, b) => holdBatch(pools[b % pools.length]!, batch, 'replica-test', now)));

      const outcomes = new Map(results.flatMap((m) => [...m]));
      assert.equal(outcomes.size, all.length, 'an outcome for every hold');
      for (const [i, id] of accounts.entries()) {
        const mine = all.filter((h) => h.accountId === id);
        const held = mine.filter((h) => outcomes.get(h.requestId)!.held);
        const refused = mine.filter((h) => !outcomes.get(h.requestId)!.held);
        const heldSum = held.reduce((s, h) => s + h.amount, 0n);
        assert.ok(held.length > 0 && refused.length > 0, `account ${i}: the balance ran out during the race`);
        assert.ok(heldSum <= granted[i]!, `account ${i}: held ${heldSum} > granted ${granted[i]}`);
        for (const h of mine) {
          const o = outcomes.get(h.requestId)!;
          assert.ok(o.available >= 0n, `${h.requestId} saw available ${o.available}`);
          if (o.held) assert.ok(o.available >= h.amount, `${h.requestId} held ${h.amount} with only ${o.available} available`);
          else assert.ok(o.available < h.amount, `${h.requestId} refused with ${o.available} available for ${h.amount}`);
        }
        const s = await state(store, id);
        assert.equal(s.held, heldSum, 'held_pico = Σ successful holds');
        assert.equal(s.openHolds, heldSum, 'holds table agrees');
        assert.equal(await scalar(store.pool, `SELECT COUNT(*) AS v FROM ledger_entries WHERE account_id = $1 AND kind = 'hold'`, [id]),
          BigInt(held.length), 'one hold entry per successful hold');
        const available = s.remaining - s.held;
        assert.ok(available >= 0n);
        // Nothing was released during the race, so the balance only fell: every refusal is still short.
        for (const h of refused) assert.ok(available < h.amount, `${h.requestId} (${h.amount}) refused though ${available} is left`);
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

test('holdBatch: an unknown account is refused; a repeated request id is held once', async (t) => {
  await withDatabase(t, async ({ store, account }) => {
    const id = await account();
    await store.insertGrant({ accountId: id, source: 'purchase', amount: 1_000n }, 1);
    const first = await holdBatch(store.pool, [holdItem('dup', id, 300n), holdItem('ghost', 'acct_missing', 1n)], 'r', 2);
    assert.deepEqual(first.get('ghost'), { held: false, available: 0n });
    assert.equal(first.get('dup')?.held, true);
    const again = await holdBatch(store.pool, [holdItem('dup', id, 300n)], 'r', 3);
    assert.equal(again.get('dup')?.held, true);
    const s = await state(store, id);
    assert.equal(s.held, 300n, 'the replayed hold reserved nothing more');
    assert.equal(await scalar(store.pool, `SELECT COUNT(*) AS v FROM ledger_entries WHERE kind = 'hold'`, []), 1n);
  });
});

test('settleBatch: a replayed batch is a no-op, and of two concurrent copies exactly one applies', async (t) => {
  await withDatabase(t, async ({ database, store, account }) => {
    const id = await account();
    await store.insertGrant({ accountId: id, source: 'purchase', amount: 10_000n }, 1);
    await holdBatch(store.pool, [holdItem('s1', id, 1_000n), holdItem('s2', id, 2_000n)], 'r', 2);
    const batch = [settleItem('s1', id, 700n, 3), settleItem('s2', id, 1_500n, 3)];
    const first = await settleBatch(store.pool, batch, [], 3);
    assert.deepEqual(first.get('s1'), { captured: 700n, uncollected: 0n, applied: true });
    assert.deepEqual(first.get('s2'), { captured: 1_500n, uncollected: 0n, applied: true });
    const after = await state(store, id);
    assert.deepEqual(after, { remaining: 7_800n, held: 0n, openHolds: 0n, entries: 1n + 2n + 4n, captured: 2_200n, usages: 2n });

    const replay = await settleBatch(store.pool, batch, [], 4);
    for (const r of ['s1', 's2']) assert.deepEqual(replay.get(r), { captured: 0n, uncollected: 0n, applied: false });
    assert.deepEqual(await state(store, id), after, 'the replay changed nothing');

    // Two replicas settling the same hold at once (a retry racing the original): the hold row lock lets one win.
    await holdBatch(store.pool, [holdItem('s3', id, 1_000n)], 'r', 5);
    const other = createPool(database.url, { max: 2 });
    try {
      const copies = await Promise.all([store.pool, other, store.pool, other].map((p) => settleBatch(p, [settleItem('s3', id, 900n, 6)], [], 6)));
      assert.equal(copies.filter((c) => c.get('s3')?.applied).length, 1, 'exactly one copy applied');
    } finally {
      await other.end();
    }
    const final = await state(store, id);
    assert.equal(final.captured, 3_100n);
    assert.equal(final.remaining, 6_900n);
    assert.equal(final.held, 0n);
    assert.equal(await scalar(store.pool, `SELECT COUNT(*) AS v FROM ledger_entries WHERE request_id = 's3' AND kind = 'capture'`, []), 1n);
  });
});

test('settleBatch: a capture above its hold takes only credit no other open hold reserved', async (t) => {
  await withDatabase(t, async ({ store, account }) => {
    const id = await account();
    await store.insertGrant({ accountId: id, source: 'purchase', amount: 100n }, 1);
    await holdBatch(store.pool, [holdItem('over', id, 30n), holdItem('other', id, 50n)], 'r', 2);

    // 80 asked, 30 held: only 100 − 50 (still reserved by `other`) = 50 can be taken; 30 stays uncollected.
    const over = await settleBatch(store.pool, [settleItem('over', id, 80n, 3)], [], 3);
    assert.deepEqual(over.get('over'), { captured: 50n, uncollected: 30n, applied: true });
    let s = await state(store, id);
    assert.equal(s.remaining, 50n);
    assert.equal(s.held, 50n);
    assert.ok(s.remaining - s.held >= 0n, 'available never below zero');
    const row = (await store.pool.query(`SELECT cost_pico, uncollected_pico, hold_pico FROM usage_records WHERE request_id = 'over'`)).rows[0];
    assert.deepEqual(row, { cost_pico: 80n, uncollected_pico: 30n, hold_pico: 30n });

    // `other` still gets everything it reserved.
    const rest = await settleBatch(store.pool, [settleItem('other', id, 50n, 4)], [], 4);
    assert.deepEqual(rest.get('other'), { captured: 50n, uncollected: 0n, applied: true });
    s = await state(store, id);
    assert.equal(s.remaining, 0n);
    assert.equal(s.held, 0n);

    // In one batch the same rule holds item by item: with free credit, usage above the hold is captured in full.
    await store.insertGrant({ accountId: id, source: 'purchase', amount: 100n }, 5);
    await holdBatch(store.pool, [holdItem('b1', id, 10n), holdItem('b2', id, 60n)], 'r', 6);
    const both = await settleBatch(store.pool, [settleItem('b1', id, 35n, 7), settleItem('b2', id, 70n, 7)], [], 7);
    assert.deepEqual(both.get('b1'), { captured: 35n, uncollected: 0n, applied: true }, 'b1: 100 − 60 held by b2 = 40 free');
    assert.deepEqual(both.get('b2'), { captured: 65n, uncollected: 5n, applied: true }, 'b2: only the 65 left');
    const t2 = await store.ledgerTotals(id);
    assert.equal(t2.granted - t2.captured, t2.remaining, 'the ledger balances');
    assert.equal(t2.remaining, 0n);
  });
});

test('settleBatch: captures draw grants in burn order (priority, soonest expiry, oldest) and skip inactive ones', async (t) => {
  await withDatabase(t, async ({ store, account }) => {
    const id = await account();
    const now = 10_000;
    const grant = async (source: 'purchase' | 'promo' | 'signup' | 'adjustment', amount: bigint, createdAt: number, extra: { expiresAt?: number; effectiveAt?: number } = {}) =>
      (await store.insertGrant({ accountId: id, source, amount, ...extra }, createdAt)).grant.id;
    // Inserted out of burn order on purpose.
    const purchaseNew = await grant('purchase', 100n, 500);
    const purchaseOld = await grant('purchase', 100n, 400);
    const adjustment = await grant('adjustment', 100n, 300);
    const promoNoExpiry = await grant('promo', 100n, 100);
    const promoLater = await grant('promo', 100n, 600, { expiresAt: now + 5_000 });
    const signupSooner = await grant('signup', 100n, 700, { expiresAt: now + 1_000 });
    const lapsed = await grant('promo', 100n, 50, { expiresAt: now - 1 });
    const future = await grant('promo', 100n, 60, { effectiveAt: now + 60_000 });

    const expectedOrder = [signupSooner, promoLater, promoNoExpiry, adjustment, purchaseOld, purchaseNew];
    await holdBatch(store.pool, [holdItem('big', id, 600n)], 'r', now);
    // Only the six active grants count: a seventh hold unit is refused.
    assert.equal((await holdBatch(store.pool, [holdItem('too-much', id, 1n)], 'r', now)).get('too-much')?.held, false);

    const first = await settleBatch(store.pool, [settleItem('big', id, 250n, now)], [], now);
    assert.equal(first.get('big')?.captured, 250n);
    await holdBatch(store.pool, [holdItem('next', id, 350n)], 'r', now + 1);
    await settleBatch(store.pool, [settleItem('next', id, 350n, now + 1)], [], now + 1);

    const { rows } = await store.pool.query(`SELECT request_id, grant_id, amount_pico FROM ledger_entries WHERE kind = 'capture' ORDER BY seq`);
    const draws = (rows as Array<{ request_id: string; grant_id: string; amount_pico: bigint }>).map((r) => [r.request_id, r.grant_id, r.amount_pico]);
    assert.deepEqual(draws, [
      ['big', expectedOrder[0], 100n], ['big', expectedOrder[1], 100n], ['big', expectedOrder[2], 50n],
      ['next', expectedOrder[2], 50n], ['next', expectedOrder[3], 100n], ['next', expectedOrder[4], 100n], ['next', expectedOrder[5], 100n],
    ]);
    const remaining = new Map((await store.listGrants(id)).map((g) => [g.id, g.remaining]));
    for (const g of expectedOrder) assert.equal(remaining.get(g), 0n);
    assert.equal(remaining.get(lapsed), 100n, 'a lapsed grant is never drawn');
    assert.equal(remaining.get(future), 100n, 'a grant not yet effective is never drawn');
  });
});
