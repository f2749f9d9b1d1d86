// MemoryWallet on a temp SQLite file with a hand-moved clock: burn order seen through the captures it posts, expiry,
// the sign-up grant, captures above the hold, and the balance invariant under a long random run against a model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { GrantSource } from '../../domain/ledger/lots.js';
import { parseCredits, type Pico } from '../../domain/money/pico.js';
import { silentLogger } from '../../observability/logger.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { openAccount } from '../accounts.js';
import { MemoryWallet } from './memory-wallet.js';
import { capturesOf, Clock, DAY_MS, META, newAccount, T0, tempStore, usageFor } from '../../../test/support/ledger-fixtures.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../../../test/support/ledger-check.js';

async function grant(store: SqliteStore, accountId: string, source: GrantSource, amount: Pico, at: number, extra: { expiresAt?: number; priority?: number } = {}) {
  return (await store.insertGrant({ accountId, source, amount, ...extra }, at)).grant.id;
}

/** Holds `hold`, then settles `cost`; fails the test if the hold is refused. */
async function spend(wallet: MemoryWallet, accountId: string, requestId: string, hold: Pico, cost: Pico, at: number) {
  const held = await wallet.hold({ requestId, accountId, amount: hold, meta: META });
  assert.deepEqual(held, { ok: true }, `hold for ${requestId}`);
  return wallet.settle({ requestId, accountId, cost, usage: usageFor(requestId, accountId, at) });
}

test('burn order: priority, then soonest expiry (none last), then oldest — as the captures show', async () => {
  const t = tempStore();
  try {
    const clock = new Clock();
    const acct = await newAccount(t.store);
    // Inserted out of burn order on purpose; A and B expire together, A is older.
    const P = await grant(t.store, acct, 'purchase', 1000n, T0);
    const C = await grant(t.store, acct, 'promo', 100n, T0 + 1);
    const S = await grant(t.store, acct, 'signup', 100n, T0 + 2, { expiresAt: T0 + 90 * DAY_MS });
    const A = await grant(t.store, acct, 'promo', 100n, T0 + 3, { expiresAt: T0 + 30 * DAY_MS });
    const B = await grant(t.store, acct, 'promo', 100n, T0 + 4, { expiresAt: T0 + 30 * DAY_MS });
    clock.t = T0 + 10;
    const wallet = t.track(new MemoryWallet(t.store, clock.now, silentLogger));

    assert.deepEqual(await spend(wallet, acct, 'r1', 200n, 150n, clock.t), { captured: 150n, uncollected: 0n });
    assert.deepEqual(await capturesOf(t.store, acct, 'r1'), [[A, 100n], [B, 50n]]);
    await spend(wallet, acct, 'r2', 200n, 100n, clock.t);
    assert.deepEqual(await capturesOf(t.store, acct, 'r2'), [[B, 50n], [S, 50n]]);
    await spend(wallet, acct, 'r3', 200n, 120n, clock.t);
    assert.deepEqual(await capturesOf(t.store, acct, 'r3'), [[S, 50n], [C, 70n]], 'a grant that never expires burns after expiring ones');
    await spend(wallet, acct, 'r4', 200n, 130n, clock.t);
    assert.deepEqual(await capturesOf(t.store, acct, 'r4'), [[C, 30n], [P, 100n]], 'purchased credit burns last');

    const remaining = new Map((await t.store.listGrants(acct)).map((g) => [g.id, g.remaining]));
    assert.deepEqual([A, B, S, C, P].map((id) => remaining.get(id)), [0n, 0n, 0n, 0n, 900n]);
    await assertLedgerBalances(t.store, acct);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});

test('an explicit priority beats the source default', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const promo = await grant(t.store, acct, 'promo', 100n, T0);
    const first = await grant(t.store, acct, 'purchase', 100n, T0 + 1, { priority: 1 });
    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 5, silentLogger));
    await spend(wallet, acct, 'r1', 150n, 150n, T0 + 5);
    assert.deepEqual(await capturesOf(t.store, acct, 'r1'), [[first, 100n], [promo, 50n]]);
  } finally {
    await t.close();
  }
});

test('an expired grant stops counting at once; the sweep then posts expire for its remainder, once', async () => {
  const t = tempStore();
  try {
    const clock = new Clock();
    const acct = await newAccount(t.store);
    const E = await grant(t.store, acct, 'promo', 1000n, T0, { expiresAt: T0 + 1000 });
    const P = await grant(t.store, acct, 'purchase', 300n, T0);
    const wallet = t.track(new MemoryWallet(t.store, clock.now, silentLogger));
    assert.equal((await wallet.balance(acct)).available, 1300n);
    await spend(wallet, acct, 'before', 250n, 250n, clock.t);
    assert.deepEqual(await capturesOf(t.store, acct, 'before'), [[E, 250n]]);

    clock.t = T0 + 999;
    assert.equal((await wallet.balance(acct)).available, 1050n, 'still in force 1 ms before its end');
    clock.t = T0 + 1000;
    assert.equal((await wallet.balance(acct)).available, 300n, 'gone the moment it expires, before any sweep');
    assert.deepEqual(await wallet.hold({ requestId: 'too-big', accountId: acct, amount: 301n, meta: META }), { ok: false, available: 300n });
    await spend(wallet, acct, 'after', 200n, 200n, clock.t);
    assert.deepEqual(await capturesOf(t.store, acct, 'after'), [[P, 200n]], 'an expired grant is never drawn');

    clock.advance(5);
    assert.equal(await wallet.expire(), 1);
    const expired = (await t.store.listGrants(acct)).find((g) => g.id === E)!;
    assert.equal(expired.remaining, 0n);
    assert.equal(expired.expiredAt, clock.t);
    const expireEntries = () => t.store.listLedger(acct).then((l) => l.filter((e) => e.kind === 'expire'));
    assert.deepEqual((await expireEntries()).map((e) => [e.grantId, e.amount]), [[E, 750n]]);
    assert.equal(await wallet.expire(), 0, 'a second sweep finds nothing');
    assert.equal((await expireEntries()).length, 1);

    assert.equal((await wallet.balance(acct)).available, 100n);
    const totals = await t.store.ledgerTotals(acct);
    assert.deepEqual([totals.granted, totals.expired, totals.captured, totals.remaining], [1300n, 750n, 450n, 100n]);
    await assertLedgerBalances(t.store, acct);
  } finally {
    await t.close();
  }
});

test('a hold on credit that expires before settlement captures only from grants still in force', async () => {
  const t = tempStore();
  try {
    const clock = new Clock();
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'promo', 500n, T0, { expiresAt: T0 + 1000 });
    const P = await grant(t.store, acct, 'purchase', 100n, T0);
    const wallet = t.track(new MemoryWallet(t.store, clock.now, silentLogger));
    assert.deepEqual(await wallet.hold({ requestId: 'r', accountId: acct, amount: 400n, meta: META }), { ok: true });
    clock.t = T0 + 2000;
    assert.equal((await wallet.balance(acct)).available, 0n, 'the balance is clamped, never below zero');
    const result = await wallet.settle({ requestId: 'r', accountId: acct, cost: 300n, usage: usageFor('r', acct, clock.t) });
    assert.deepEqual(result, { captured: 100n, uncollected: 200n });
    assert.deepEqual(await capturesOf(t.store, acct, 'r'), [[P, 100n]]);
    const usage = (await t.store.listUsage({ accountId: acct }))[0]!;
    assert.deepEqual([usage.cost, usage.uncollected, usage.hold], [300n, 200n, 400n]);
    await assertLedgerBalances(t.store, acct);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});

test('sign-up grant: the configured amount, source signup, 90-day expiry, spendable until then', async () => {
  const t = tempStore();
  try {
    const clock = new Clock();
    const { account, signupGrant } = await openAccount(t.store, { signupCredits: '5', signupExpiryDays: 90 }, { name: 'new' }, T0);
    assert.ok(signupGrant);
    assert.equal(signupGrant.source, 'signup');
    assert.equal(signupGrant.amount, parseCredits('5'));
    assert.equal(signupGrant.remaining, parseCredits('5'));
    assert.equal(signupGrant.expiresAt, T0 + 90 * DAY_MS);
    assert.equal(signupGrant.priority, 10);
    assert.equal(signupGrant.idempotencyKey, `signup:${account.id}`);
    assert.deepEqual((await t.store.listGrants(account.id)).map((g) => g.id), [signupGrant.id]);

    const wallet = t.track(new MemoryWallet(t.store, clock.now, silentLogger));
    clock.t = T0 + 90 * DAY_MS - 1;
    assert.equal((await wallet.balance(account.id)).available, parseCredits('5'));
    clock.t = T0 + 90 * DAY_MS;
    assert.equal((await wallet.balance(account.id)).available, 0n);
    assert.equal(await wallet.expire(), 1);

    const none = await openAccount(t.store, { signupCredits: '0', signupExpiryDays: 90 }, { name: 'no gift' }, T0);
    assert.equal(none.signupGrant, undefined);
    assert.deepEqual(await t.store.listGrants(none.account.id), []);
    const odd = await openAccount(t.store, { signupCredits: '0.000000000001', signupExpiryDays: 7 }, { name: 'one pico' }, T0);
    assert.equal(odd.signupGrant?.amount, 1n);
    assert.equal(odd.signupGrant?.expiresAt, T0 + 7 * DAY_MS);
  } finally {
    await t.close();
  }
});

test('a capture above its hold takes only credit no other hold reserved; the rest is uncollected', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'purchase', 500n, T0);
    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 1, silentLogger));
    for (const [id, amount] of [['small', 100n], ['big', 300n]] as const) {
      assert.deepEqual(await wallet.hold({ requestId: id, accountId: acct, amount, meta: META }), { ok: true });
    }
    // 500 − 300 still reserved by "big" leaves 200 for "small", which used 250.
    const small = await wallet.settle({ requestId: 'small', accountId: acct, cost: 250n, usage: usageFor('small', acct, T0 + 1) });
    assert.deepEqual(small, { captured: 200n, uncollected: 50n });
    const view = await wallet.balance(acct);
    assert.deepEqual([view.available, view.held], [0n, 300n]);
    const big = await wallet.settle({ requestId: 'big', accountId: acct, cost: 300n, usage: usageFor('big', acct, T0 + 1) });
    assert.deepEqual(big, { captured: 300n, uncollected: 0n }, 'the other hold was not borrowed from');

    const usage = new Map((await t.store.listUsage({ accountId: acct })).map((u) => [u.requestId, u]));
    assert.deepEqual([usage.get('small')?.cost, usage.get('small')?.uncollected, usage.get('small')?.hold], [250n, 50n, 100n]);
    const ledger = await t.store.listLedger(acct);
    const of = (id: string, kind: string) => ledger.filter((e) => e.requestId === id && e.kind === kind).map((e) => e.amount);
    assert.deepEqual(of('small', 'capture'), [200n]);
    assert.deepEqual(of('small', 'release'), [0n]);
    assert.deepEqual(of('big', 'release'), [0n]);
    assert.equal((await wallet.balance(acct)).available, 0n);
    await assertLedgerBalances(t.store, acct);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});

test('a capture above its hold is taken in full when the credit is free', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'purchase', 1000n, T0);
    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 1, silentLogger));
    assert.deepEqual(await spend(wallet, acct, 'r', 100n, 250n, T0 + 1), { captured: 250n, uncollected: 0n });
    assert.equal((await wallet.balance(acct)).available, 750n);
    await assertLedgerBalances(t.store, acct);
  } finally {
    await t.close();
  }
});

test('settle resolves only once its capture is committed (seen from another connection)', async () => {
  const t = tempStore();
  const reader = new Database(t.path, { readonly: true });
  try {
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'purchase', 1000n, T0);
    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 1, silentLogger));
    await wallet.hold({ requestId: 'r', accountId: acct, amount: 100n, meta: META });
    const settled = wallet.settle({ requestId: 'r', accountId: acct, cost: 40n, usage: usageFor('r', acct, T0 + 1) });
    const captures = () => reader.prepare(`SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'capture' AND request_id = 'r'`).get() as { n: number };
    assert.equal(captures().n, 0, 'not yet committed: group commit waits for the end of the turn');
    await settled;
    assert.equal(captures().n, 1);
    const hold = reader.prepare(`SELECT closed_at FROM holds WHERE request_id = 'r'`).get() as { closed_at: number | null };
    assert.notEqual(hold.closed_at, null);
  } finally {
    reader.close();
    await t.close();
  }
});

test('after invalidate() a grant made by another connection is spendable, and open holds survive the reload', async () => {
  const t = tempStore();
  const other = t.track(new SqliteStore(t.path)); // a second connection to the file, as the CLI would have
  try {
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'purchase', 100n, T0);
    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 1, silentLogger));
    assert.deepEqual(await wallet.hold({ requestId: 'open', accountId: acct, amount: 80n, meta: META }), { ok: true });
    await other.insertGrant({ accountId: acct, source: 'purchase', amount: 500n }, T0);
    wallet.invalidate();
    const view = await wallet.balance(acct);
    assert.deepEqual([view.available, view.held], [520n, 80n]);
    assert.deepEqual(await wallet.hold({ requestId: 'next', accountId: acct, amount: 520n, meta: META }), { ok: true });
    assert.deepEqual(await wallet.hold({ requestId: 'over', accountId: acct, amount: 1n, meta: META }), { ok: false, available: 0n });
  } finally {
    await t.close();
  }
});

test('recover() releases holds a stopped process left open, as interrupted usage, and leaves its own alone', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    await grant(t.store, acct, 'purchase', 1000n, T0);
    const crashed = t.track(new MemoryWallet(t.store, () => T0 + 1, silentLogger));
    await crashed.hold({ requestId: 'orphan', accountId: acct, amount: 300n, meta: { ...META, stream: true } });
    await crashed.flush(); // written, never settled: the process "died" here

    const wallet = t.track(new MemoryWallet(t.store, () => T0 + 50, silentLogger));
    assert.deepEqual(await wallet.recover(), { released: 1, releasedAmount: 300n });
    const usage = (await t.store.listUsage({ accountId: acct }))[0]!;
    assert.deepEqual([usage.requestId, usage.status, usage.cost, usage.hold, usage.stream, usage.aborted, usage.latencyMs],
      ['orphan', 'interrupted', 0n, 300n, true, true, 49]);
    assert.equal((await wallet.balance(acct)).available, 1000n);

    await wallet.hold({ requestId: 'mine', accountId: acct, amount: 200n, meta: META });
    await wallet.flush();
    assert.deepEqual(await wallet.recover(), { released: 0, releasedAmount: 0n }, 'a hold still open in this process is not released');
    assert.deepEqual((await t.store.openHolds()).map((h) => h.requestId), ['mine']);
    await wallet.settle({ requestId: 'mine', accountId: acct, cost: 10n, usage: usageFor('mine', acct, T0 + 50) });
    assert.equal((await wallet.balance(acct)).available, 990n);
    await assertLedgerBalances(t.store, acct);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) % n);
  };
}

test('balance = Σ remaining − Σ holds, never below zero, through 2,000 random holds and settlements', async () => {
  const t = tempStore();
  try {
    const acct = await newAccount(t.store);
    const clock = new Clock(T0 + 1);
    for (const [source, amount] of [['signup', 3_000n], ['promo', 2_000n], ['purchase', 10_000n]] as const) {
      await grant(t.store, acct, source, amount, T0);
    }
    const wallet = t.track(new MemoryWallet(t.store, clock.now, silentLogger));
    const rand = prng(20260101);
    // The model: total remaining credit and the open holds.
    let remaining = 15_000n;
    const open = new Map<string, Pico>();
    let held = 0n;
    let captured = 0n;
    let uncollected = 0n;
    for (let i = 0; i < 2_000; i++) {
      clock.advance(1);
      if (open.size === 0 || rand(3) > 0) {
        const amount = BigInt(1 + rand(1_500));
        const result = await wallet.hold({ requestId: `r${i}`, accountId: acct, amount, meta: META });
        if (amount <= remaining - held) {
          assert.deepEqual(result, { ok: true }, `op ${i}: hold ${amount} with ${remaining - held} available`);
          open.set(`r${i}`, amount);
          held += amount;
        } else {
          assert.deepEqual(result, { ok: false, available: remaining - held }, `op ${i}: refused hold`);
        }
      } else {
        const ids = [...open.keys()];
        const id = ids[rand(ids.length)]!;
        const hold = open.get(id)!;
        const cost = (hold * BigInt(rand(151))) / 100n; // 0 .. 1.5 × the hold
        open.delete(id);
        held -= hold;
        const free = remaining - held;
        const take = cost < free ? cost : free;
        const result = await wallet.settle({ requestId: id, accountId: acct, cost, usage: usageFor(id, acct, clock.t) });
        assert.deepEqual(result, { captured: take, uncollected: cost - take }, `op ${i}: settle ${id}`);
        remaining -= take;
        captured += take;
        uncollected += cost - take;
      }
      const view = await wallet.balance(acct);
      const grantsRemaining = view.grants.reduce((s, g) => s + g.remaining, 0n);
      assert.equal(grantsRemaining, remaining, `op ${i}: grants remaining`);
      assert.equal(view.held, held, `op ${i}: held`);
      assert.ok(grantsRemaining - view.held >= 0n, `op ${i}: below zero`);
      assert.equal(view.available, grantsRemaining - view.held, `op ${i}: available`);
    }
    for (const id of [...open.keys()]) {
      await wallet.settle({ requestId: id, accountId: acct, cost: 0n, usage: usageFor(id, acct, clock.t) });
    }
    await wallet.close();
    const totals = await t.store.ledgerTotals(acct);
    assert.equal(totals.captured, captured);
    assert.equal(totals.remaining, remaining);
    const usage = await t.store.listUsage({ accountId: acct });
    assert.equal(usage.reduce((s, u) => s + u.uncollected, 0n), uncollected);
    assert.equal(usage.reduce((s, u) => s + u.cost - u.uncollected, 0n), captured, 'Σ usage cost − uncollected = Σ captures');
    assert.ok(captured > 10_000n, 'the run spent most of the credit');
    await assertLedgerBalances(t.store, acct);
    await assertNoOpenHolds(t.store);
  } finally {
    await t.close();
  }
});
