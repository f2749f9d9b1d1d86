// PaymentStore on PostgreSQL, shared by every replica. A reversal locks the account's balance row first (as holds and
// settlements do), so the clawback reads a consistent balance and can never take credit an open hold reserved.
import type pg from 'pg';
import { creditsOwed, takeable } from '../../domain/payments/clawback.js';
import type { NewPlan, Plan } from '../../domain/payments/plans.js';
import type {
  AttemptStatus, NewPayment, PaymentRecord, PaymentStore, RechargeAttempt, RechargeSettings, RechargeSettingsInput, Reversal, ReversalResult,
} from '../../services/payments/payment-store.js';
import { clip, toAttempt, toPayment, toPlan, toRecharge, type Row } from '../../services/payments/payment-rows.js';
import { inTransaction } from './pool.js';

export class PgPaymentStore implements PaymentStore {
  constructor(private readonly pool: pg.Pool) {}

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async upsertPlan(p: NewPlan, now: number): Promise<Plan> {
    const [row] = await this.rows(`INSERT INTO payment_plans (id, name, kind, currency, price_cents, credits_pico, bonus_pico, min_cents,
      max_cents, pico_per_cent, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, currency = EXCLUDED.currency,
        price_cents = EXCLUDED.price_cents, credits_pico = EXCLUDED.credits_pico, bonus_pico = EXCLUDED.bonus_pico,
        min_cents = EXCLUDED.min_cents, max_cents = EXCLUDED.max_cents, pico_per_cent = EXCLUDED.pico_per_cent,
        active = EXCLUDED.active, updated_at = EXCLUDED.updated_at RETURNING *`,
    [p.id, p.name, p.kind, p.currency, p.priceCents, p.credits?.toString() ?? null, p.bonus.toString(), p.minCents, p.maxCents,
      p.picoPerCent?.toString() ?? null, p.active, now]);
    return toPlan(row!);
  }

  async getPlan(id: string): Promise<Plan | undefined> {
    const [row] = await this.rows('SELECT * FROM payment_plans WHERE id = $1', [id]);
    return row && toPlan(row);
  }

  async listPlans(): Promise<Plan[]> {
    return (await this.rows('SELECT * FROM payment_plans ORDER BY kind DESC, price_cents, id')).map(toPlan);
  }

  async insertPayment(p: NewPayment, now: number): Promise<PaymentRecord> {
    await this.pool.query(`INSERT INTO payments (id, provider, kind, account_id, plan_id, payment_intent_id, amount_cents, currency,
      credits_pico, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10) ON CONFLICT (id) DO NOTHING`,
    [p.id, p.provider, p.kind, p.accountId, p.planId, p.paymentIntentId, p.amountCents, p.currency, p.credits.toString(), now]);
    return (await this.getPayment(p.id))!;
  }

  async getPayment(id: string): Promise<PaymentRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM payments WHERE id = $1', [id]);
    return row && toPayment(row);
  }

  async listPayments(accountId: string): Promise<PaymentRecord[]> {
    return (await this.rows('SELECT * FROM payments WHERE account_id = $1 ORDER BY created_at, id', [accountId])).map(toPayment);
  }

  async markSucceeded(id: string, f: { grantId: string; paymentIntentId: string | null }, now: number): Promise<void> {
    await this.pool.query(`UPDATE payments SET status = 'succeeded', grant_id = $1, payment_intent_id = COALESCE(payment_intent_id, $2),
      error = NULL, updated_at = $3 WHERE id = $4`, [f.grantId, f.paymentIntentId, now, id]);
  }

  async markFailed(id: string, error: string, now: number): Promise<void> {
    await this.pool.query("UPDATE payments SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'", [clip(error), now, id]);
  }

  async reverse(r: Reversal, now: number): Promise<ReversalResult | undefined> {
    const [found] = await this.rows('SELECT id, account_id FROM payments WHERE payment_intent_id = $1 OR id = $1', [r.paymentIntentId]);
    if (!found) return undefined;
    return inTransaction(this.pool, async (c) => {
      const q = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rows as Row[];
      const [balance] = await q('SELECT held_pico FROM account_balances WHERE account_id = $1 FOR UPDATE', [found.account_id]);
      const payment = toPayment((await q('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [found.id]))[0]!);
      await q(`INSERT INTO payment_reversals (id, payment_id, kind, amount_cents, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (id) DO UPDATE SET amount_cents = GREATEST(payment_reversals.amount_cents, EXCLUDED.amount_cents), updated_at = EXCLUDED.updated_at`,
      [r.reversalId, payment.id, r.kind, r.cents, now]);
      const [sum] = await q('SELECT COALESCE(SUM(amount_cents), 0) AS v FROM payment_reversals WHERE payment_id = $1', [payment.id]);
      const takenBackCents = Math.min(Number(sum!.v), payment.amountCents);
      const owed = creditsOwed(payment.credits, payment.amountCents, takenBackCents);
      const due = owed > payment.clawbackDue ? owed - payment.clawbackDue : 0n;
      let taken = 0n;
      if (due > 0n && payment.grantId) {
        const [grant] = await q(`SELECT remaining_pico FROM grants WHERE id = $1 AND voided_at IS NULL AND expired_at IS NULL
          AND (expires_at IS NULL OR expires_at > $2) FOR UPDATE`, [payment.grantId, now]);
        const [active] = await q(`SELECT COALESCE(SUM(remaining_pico), 0) AS v FROM grants WHERE account_id = $1 AND voided_at IS NULL
          AND expired_at IS NULL AND effective_at <= $2 AND (expires_at IS NULL OR expires_at > $2)`, [payment.accountId, now]);
        const held = balance ? BigInt(balance.held_pico as string) : 0n;
        taken = takeable(due, grant ? BigInt(grant.remaining_pico as string) : 0n, BigInt(active!.v as string) - held);
        if (taken > 0n) {
          await q('UPDATE grants SET remaining_pico = remaining_pico - $1 WHERE id = $2', [taken.toString(), payment.grantId]);
          await q(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, request_id, idempotency_key, created_at)
            VALUES ($1, 'refund', $2, $3, NULL, $4, $5)`, [payment.accountId, taken.toString(), payment.grantId, `refund:${payment.id}:${r.reversalId}:${r.cents}`, now]);
        }
      }
      const [row] = await q(`UPDATE payments SET taken_back_cents = $1, clawback_due_pico = clawback_due_pico + $2,
        clawed_back_pico = clawed_back_pico + $3, updated_at = $4 WHERE id = $5 RETURNING *`,
      [takenBackCents, due.toString(), taken.toString(), now, payment.id]);
      return { payment: toPayment(row!), due, taken };
    });
  }

  async getRecharge(accountId: string): Promise<RechargeSettings | undefined> {
    const [row] = await this.rows('SELECT * FROM recharge_settings WHERE account_id = $1', [accountId]);
    return row && toRecharge(row);
  }

  async putRecharge(s: RechargeSettingsInput, now: number): Promise<RechargeSettings> {
    const [row] = await this.rows(`INSERT INTO recharge_settings (account_id, enabled, threshold_pico, amount_pico, target_pico,
      monthly_cap_pico, customer_id, payment_method_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (account_id) DO UPDATE SET enabled = EXCLUDED.enabled, threshold_pico = EXCLUDED.threshold_pico,
        amount_pico = EXCLUDED.amount_pico, target_pico = EXCLUDED.target_pico, monthly_cap_pico = EXCLUDED.monthly_cap_pico,
        customer_id = COALESCE(EXCLUDED.customer_id, recharge_settings.customer_id),
        payment_method_id = COALESCE(EXCLUDED.payment_method_id, recharge_settings.payment_method_id),
        consecutive_failures = CASE WHEN EXCLUDED.enabled AND NOT recharge_settings.enabled THEN 0 ELSE recharge_settings.consecutive_failures END,
        retry_at = CASE WHEN EXCLUDED.enabled AND NOT recharge_settings.enabled THEN 0 ELSE recharge_settings.retry_at END,
        updated_at = EXCLUDED.updated_at RETURNING *`,
    [s.accountId, s.enabled, s.threshold.toString(), s.amount?.toString() ?? null, s.target?.toString() ?? null, s.monthlyCap.toString(),
      s.customerId ?? null, s.paymentMethodId ?? null, now]);
    return toRecharge(row!);
  }

  async saveCard(accountId: string, customerId: string, paymentMethodId: string | null, now: number): Promise<void> {
    await this.pool.query(`INSERT INTO recharge_settings (account_id, enabled, threshold_pico, monthly_cap_pico, customer_id, payment_method_id,
      updated_at) VALUES ($4, FALSE, 0, 0, $1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET
        customer_id = COALESCE(recharge_settings.customer_id, EXCLUDED.customer_id),
        payment_method_id = COALESCE(recharge_settings.payment_method_id, EXCLUDED.payment_method_id), updated_at = EXCLUDED.updated_at`,
    [customerId, paymentMethodId, now, accountId]);
  }

  async listEnabledRecharges(): Promise<RechargeSettings[]> {
    return (await this.rows('SELECT * FROM recharge_settings WHERE enabled')).map(toRecharge);
  }

  async claimAttempt(a: Omit<RechargeAttempt, 'paymentId' | 'error'>): Promise<boolean> {
    const res = await this.pool.query(`INSERT INTO recharge_attempts (account_id, episode, status, month_key, credits_pico, amount_cents,
      created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (account_id, episode) DO NOTHING`,
    [a.accountId, a.episode, a.status, a.monthKey, a.credits.toString(), a.amountCents, a.createdAt]);
    return res.rowCount === 1;
  }

  async getAttempt(accountId: string, episode: number): Promise<RechargeAttempt | undefined> {
    const [row] = await this.rows('SELECT * FROM recharge_attempts WHERE account_id = $1 AND episode = $2', [accountId, episode]);
    return row && toAttempt(row);
  }

  async finishAttempt(accountId: string, episode: number, f: { status: AttemptStatus; paymentId: string | null; error: string | null }, now: number): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(`UPDATE recharge_attempts SET status = $1, payment_id = COALESCE($2, payment_id), error = $3, updated_at = $4
        WHERE account_id = $5 AND episode = $6 AND status IN ('pending', 'failed')`,
      [f.status, f.paymentId, f.error === null ? null : clip(f.error), now, accountId, episode]);
      if (f.status === 'succeeded') {
        await c.query('UPDATE recharge_settings SET consecutive_failures = 0, last_error = NULL, updated_at = $1 WHERE account_id = $2', [now, accountId]);
      }
    });
  }

  async rechargedInMonth(accountId: string, monthKey: string): Promise<bigint> {
    const [row] = await this.rows(`SELECT COALESCE(SUM(credits_pico), 0) AS v FROM recharge_attempts WHERE account_id = $1 AND month_key = $2
      AND status IN ('succeeded', 'pending')`, [accountId, monthKey]);
    return BigInt(row!.v as string);
  }

  async nextEpisode(accountId: string, episode: number, now: number, failure?: { error: string; retryAt: number; maxFailures: number }): Promise<boolean> {
    const finished = `EXISTS (SELECT 1 FROM recharge_attempts a WHERE a.account_id = $1 AND a.episode = $2 AND a.status <> 'pending')`;
    if (!failure) {
      const res = await this.pool.query(`UPDATE recharge_settings SET episode = episode + 1, updated_at = $3
        WHERE account_id = $1 AND episode = $2 AND ${finished}`, [accountId, episode, now]);
      return res.rowCount === 1;
    }
    const res = await this.pool.query(`UPDATE recharge_settings SET episode = episode + 1, consecutive_failures = consecutive_failures + 1,
      enabled = CASE WHEN consecutive_failures + 1 >= $4 THEN FALSE ELSE enabled END, retry_at = $5, last_error = $6, updated_at = $3
      WHERE account_id = $1 AND episode = $2 AND ${finished}`, [accountId, episode, now, failure.maxFailures, failure.retryAt, clip(failure.error)]);
    return res.rowCount === 1;
  }
}
