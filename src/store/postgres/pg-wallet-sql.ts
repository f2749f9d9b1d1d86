// The wallet's two statements on PostgreSQL: a batch of holds (one round trip, see tollgate_hold_batch) and a batch of
// settlements (one transaction: lock balances, grants, holds in that order; capture in burn order; release the rest).
import type pg from 'pg';
import { allocate, compareBurnOrder, spendable, type Lot } from '../../domain/ledger/lots.js';
import type { Pico } from '../../domain/money/pico.js';
import type { UsageRecord } from '../records.js';
import type { HoldMeta } from '../store.js';
import { inTransaction } from './pool.js';
import { insertUsages } from './pg-store.js';

type Row = Record<string, unknown>;

export interface PgHoldItem {
  requestId: string;
  accountId: string;
  amount: Pico;
  meta: HoldMeta;
}

export interface PgHoldOutcome {
  held: boolean;
  available: Pico;
  /** Set when a budget, not the balance, refused the hold. */
  budget?: { budgetId: string; spent: Pico; limit: Pico };
}

/** Places the holds in one round trip; returns each outcome by request id. */
export async function holdBatch(pool: pg.Pool, items: readonly PgHoldItem[], replicaId: string, now: number): Promise<Map<string, PgHoldOutcome>> {
  // Same lock order as every other posting: by account id.
  const sorted = [...items].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const { rows } = await pool.query(
    'SELECT request_id, held, available, budget_id, budget_spent, budget_limit FROM tollgate_hold_batch($1::text[], $2::text[], $3::bigint[], $4, $5, $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])',
    [
      sorted.map((i) => i.requestId), sorted.map((i) => i.accountId), sorted.map((i) => i.amount), now, replicaId,
      sorted.map((i) => i.meta.projectId), sorted.map((i) => i.meta.keyId), sorted.map((i) => i.meta.model),
      sorted.map((i) => i.meta.endpoint), sorted.map((i) => i.meta.stream),
    ],
  );
  const out = new Map<string, PgHoldOutcome>();
  for (const r of rows as Row[]) {
    const outcome: PgHoldOutcome = { held: r.held === true, available: BigInt(r.available as bigint) };
    if (typeof r.budget_id === 'string') {
      outcome.budget = { budgetId: r.budget_id, spent: BigInt(r.budget_spent as bigint), limit: BigInt(r.budget_limit as bigint) };
    }
    out.set(r.request_id as string, outcome);
  }
  return out;
}

export interface PgSettleItem {
  requestId: string;
  accountId: string;
  cost: Pico;
  usage: UsageRecord;
}

export interface PgSettleOutcome {
  captured: Pico;
  uncollected: Pico;
  /** false when the hold was already closed (a replayed batch) or never existed. */
  applied: boolean;
}

/** Settles a batch in one transaction. Idempotent: a settlement whose hold is already closed changes nothing. */
export async function settleBatch(
  pool: pg.Pool, items: readonly PgSettleItem[], unheld: readonly UsageRecord[], now: number,
): Promise<Map<string, PgSettleOutcome>> {
  const accounts = [...new Set(items.map((i) => i.accountId))].sort();
  return inTransaction(pool, async (c) => {
    const out = new Map<string, PgSettleOutcome>();
    if (items.length > 0) {
      const balances = await c.query('SELECT account_id, held_pico FROM account_balances WHERE account_id = ANY($1::text[]) ORDER BY account_id FOR UPDATE', [accounts]);
      const held = new Map((balances.rows as Row[]).map((r) => [r.account_id as string, BigInt(r.held_pico as bigint)]));
      // Budget period rows next (sorted), before grants: the lock order every posting keeps.
      const refRows = (await c.query('SELECT request_id, budget_refs FROM holds WHERE request_id = ANY($1::text[])',
        [items.map((i) => i.requestId)])).rows as Row[];
      const refsOf = new Map(refRows.map((r) => [r.request_id as string, (r.budget_refs as string[] | null) ?? []]));
      const allRefs = [...new Set([...refsOf.values()].flat())].sort();
      if (allRefs.length > 0) {
        await c.query(`SELECT 1 FROM budget_periods bp JOIN unnest($1::text[]) AS r(ref)
          ON bp.budget_id = split_part(r.ref, '@', 1) AND bp.period_key = split_part(r.ref, '@', 2)
          ORDER BY bp.budget_id, bp.period_key FOR UPDATE OF bp`, [allRefs]);
      }
      const budgetDelta = new Map<string, { held: Pico; spent: Pico }>();
      const grantRows = (await c.query(`SELECT id, account_id, remaining_pico, priority, effective_at, expires_at, created_at FROM grants
        WHERE account_id = ANY($1::text[]) AND voided_at IS NULL AND expired_at IS NULL AND remaining_pico > 0
        ORDER BY account_id, id FOR UPDATE`, [accounts])).rows as Row[];
      const lots = new Map<string, Lot[]>();
      for (const g of grantRows) {
        const list = lots.get(g.account_id as string) ?? [];
        list.push({
          id: g.id as string, remaining: BigInt(g.remaining_pico as bigint), priority: Number(g.priority),
          effectiveAt: Number(g.effective_at), expiresAt: g.expires_at === null ? null : Number(g.expires_at), createdAt: Number(g.created_at),
        });
        lots.set(g.account_id as string, list);
      }
      for (const list of lots.values()) list.sort(compareBurnOrder);
      const holdRows = (await c.query('SELECT request_id, amount_pico, closed_at FROM holds WHERE request_id = ANY($1::text[]) ORDER BY request_id FOR UPDATE',
        [items.map((i) => i.requestId)])).rows as Row[];
      const holds = new Map(holdRows.map((r) => [r.request_id as string, r]));

      const drawn = new Map<string, Pico>();
      const released = new Map<string, Pico>();
      const entries: Array<[string, string, Pico, string | null, string, string]> = [];
      const closed: string[] = [];
      const usages: UsageRecord[] = [];
      for (const item of items) {
        const hold = holds.get(item.requestId);
        if (!hold || hold.closed_at !== null) {
          out.set(item.requestId, { captured: 0n, uncollected: 0n, applied: false });
          continue;
        }
        const holdAmount = BigInt(hold.amount_pico as bigint);
        const accountLots = lots.get(item.accountId) ?? [];
        const heldNow = (held.get(item.accountId) ?? 0n) - holdAmount;
        held.set(item.accountId, heldNow);
        released.set(item.accountId, (released.get(item.accountId) ?? 0n) + holdAmount);
        // Usage above the hold may only take credit that no other open hold has reserved.
        const free = spendable(accountLots, now) - heldNow;
        const capturable = item.cost < free ? item.cost : free > 0n ? free : 0n;
        const { draws, short } = allocate(accountLots, capturable, now);
        for (const d of draws) {
          const lot = accountLots.find((l) => l.id === d.lotId);
          if (lot) lot.remaining -= d.amount;
          drawn.set(d.lotId, (drawn.get(d.lotId) ?? 0n) + d.amount);
          entries.push([item.accountId, 'capture', d.amount, d.lotId, item.requestId, `capture:${item.requestId}:${d.lotId}`]);
        }
        const captured = capturable - short;
        entries.push([item.accountId, 'release', holdAmount > captured ? holdAmount - captured : 0n, null, item.requestId, `release:${item.requestId}`]);
        closed.push(item.requestId);
        for (const ref of refsOf.get(item.requestId) ?? []) {
          const d = budgetDelta.get(ref) ?? { held: 0n, spent: 0n };
          d.held += holdAmount;
          d.spent += captured;
          budgetDelta.set(ref, d);
        }
        const uncollected = item.cost - captured;
        usages.push({ ...item.usage, cost: item.cost, uncollected, hold: holdAmount });
        out.set(item.requestId, { captured, uncollected, applied: true });
      }
      if (drawn.size > 0) {
        await c.query(`UPDATE grants g SET remaining_pico = g.remaining_pico - d.amount FROM unnest($1::text[], $2::bigint[]) AS d(id, amount)
          WHERE g.id = d.id`, [[...drawn.keys()], [...drawn.values()]]);
      }
      if (released.size > 0) {
        await c.query(`UPDATE account_balances b SET held_pico = b.held_pico - r.amount FROM unnest($1::text[], $2::bigint[]) AS r(id, amount)
          WHERE b.account_id = r.id`, [[...released.keys()], [...released.values()]]);
      }
      if (budgetDelta.size > 0) {
        const refs = [...budgetDelta.keys()];
        await c.query(`UPDATE budget_periods bp SET held_pico = bp.held_pico - d.held, spent_pico = bp.spent_pico + d.spent
          FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS d(ref, held, spent)
          WHERE bp.budget_id = split_part(d.ref, '@', 1) AND bp.period_key = split_part(d.ref, '@', 2)`,
        [refs, refs.map((r) => budgetDelta.get(r)!.held), refs.map((r) => budgetDelta.get(r)!.spent)]);
      }
      if (entries.length > 0) {
        await c.query(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, request_id, idempotency_key, created_at)
          SELECT a, k, amt, g, r, key, $7 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS e(a, k, amt, g, r, key)
          ON CONFLICT (idempotency_key) DO NOTHING`,
        [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2]), entries.map((e) => e[3]), entries.map((e) => e[4]), entries.map((e) => e[5]), now]);
      }
      if (closed.length > 0) await c.query('UPDATE holds SET closed_at = $1 WHERE request_id = ANY($2::text[])', [now, closed]);
      await insertUsages(c, usages);
    }
    await insertUsages(c, unheld);
    return out;
  });
}
