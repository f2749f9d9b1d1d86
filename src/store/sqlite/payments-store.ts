// PaymentStore on the SQLite file. A reversal (refund/dispute clawback) is one synchronous immediate transaction run
// through `exclusive`, which the gateway sets to the in-memory wallet's: pending postings are committed first, the
// transaction reads every open hold, and the wallet reloads the account afterwards, so memory and file agree.
import { creditsOwed, takeable } from '../../domain/payments/clawback.js';
import type { NewPlan, Plan } from '../../domain/payments/plans.js';
import type {
  AttemptStatus, NewPayment, PaymentRecord, PaymentStore, RechargeAttempt, RechargeSettings, RechargeSettingsInput, Reversal, ReversalResult,
} from '../../services/payments/payment-store.js';
import { clip, toAttempt, toPayment, toPlan, toRecharge, type Row } from '../../services/payments/payment-rows.js';
import type { SqliteDb } from './database.js';

export type Exclusive = <T>(fn: () => T) => T;

export class SqlitePaymentStore implements PaymentStore {
  constructor(private readonly db: SqliteDb, private readonly exclusive: Exclusive = (fn) => fn()) {}

  async upsertPlan(p: NewPlan, now: number): Promise<Plan> {
    this.db.prepare(`INSERT INTO payment_plans (id, name, kind, currency, price_cents, credits_pico, bonus_pico, min_cents, max_cents,
      pico_per_cent, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, currency = excluded.currency,
        price_cents = excluded.price_cents, credits_pico = excluded.credits_pico, bonus_pico = excluded.bonus_pico,
        min_cents = excluded.min_cents, max_cents = excluded.max_cents, pico_per_cent = excluded.pico_per_cent,
        active = excluded.active, updated_at = excluded.updated_at`)
      .run(p.id, p.name, p.kind, p.currency, p.priceCents, p.credits, p.bonus, p.minCents, p.maxCents, p.picoPerCent, p.active ? 1 : 0, now, now);
    return (await this.getPlan(p.id))!;
  }

  async getPlan(id: string): Promise<Plan | undefined> {
    const row = this.db.prepare('SELECT * FROM payment_plans WHERE id = ?').get(id) as Row | undefined;
    return row && toPlan(row);
  }

  async listPlans(): Promise<Plan[]> {
    return (this.db.prepare('SELECT * FROM payment_plans ORDER BY kind DESC, price_cents, id').all() as Row[]).map(toPlan);
  }

  async insertPayment(p: NewPayment, now: number): Promise<PaymentRecord> {
    this.db.prepare(`INSERT INTO payments (id, provider, kind, account_id, plan_id, payment_intent_id, amount_cents, currency, credits_pico,
      status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (id) DO NOTHING`)
      .run(p.id, p.provider, p.kind, p.accountId, p.planId, p.paymentIntentId, p.amountCents, p.currency, p.credits, now, now);
    return (await this.getPayment(p.id))!;
  }

  async getPayment(id: string): Promise<PaymentRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined;
    return row && toPayment(row);
  }

  async listPayments(accountId: string): Promise<PaymentRecord[]> {
    return (this.db.prepare('SELECT * FROM payments WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[]).map(toPayment);
  }

  async markSucceeded(id: string, f: { grantId: string; paymentIntentId: string | null }, now: number): Promise<void> {
    this.db.prepare(`UPDATE payments SET status = 'succeeded', grant_id = ?, payment_intent_id = COALESCE(payment_intent_id, ?),
      error = NULL, updated_at = ? WHERE id = ?`).run(f.grantId, f.paymentIntentId, now, id);
  }

  async markFailed(id: string, error: string, now: number): Promise<void> {
    this.db.prepare("UPDATE payments SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status = 'pending'").run(clip(error), now, id);
  }

  async reverse(r: Reversal, now: number): Promise<ReversalResult | undefined> {
    return this.exclusive(() => this.db.transaction(() => this.reverseNow(r, now)).immediate());
  }

  private reverseNow(r: Reversal, now: number): ReversalResult | undefined {
    const row = this.db.prepare('SELECT * FROM payments WHERE payment_intent_id = ? OR id = ?').get(r.paymentIntentId, r.paymentIntentId) as Row | undefined;
    if (!row) return undefined;
    const payment = toPayment(row);
    this.db.prepare(`INSERT INTO payment_reversals (id, payment_id, kind, amount_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET amount_cents = MAX(amount_cents, excluded.amount_cents), updated_at = excluded.updated_at`)
      .run(r.reversalId, payment.id, r.kind, r.cents, now, now);
    const total = Number(this.db.prepare('SELECT COALESCE(SUM(amount_cents), 0) FROM payment_reversals WHERE payment_id = ?').pluck().get(payment.id));
    const takenBackCents = Math.min(total, payment.amountCents);
    const owed = creditsOwed(payment.credits, payment.amountCents, takenBackCents);
    const due = owed > payment.clawbackDue ? owed - payment.clawbackDue : 0n;
    let taken = 0n;
    if (due > 0n && payment.grantId) {
      const grant = this.db.prepare(`SELECT remaining_pico, account_id FROM grants WHERE id = ? AND voided_at IS NULL AND expired_at IS NULL
        AND (expires_at IS NULL OR expires_at > ?)`).get(payment.grantId, now) as Row | undefined;
      const remaining = grant ? BigInt(grant.remaining_pico as bigint) : 0n;
      taken = takeable(due, remaining, this.available(payment.accountId, now));
      if (taken > 0n) {
        this.db.prepare('UPDATE grants SET remaining_pico = remaining_pico - ? WHERE id = ?').run(taken, payment.grantId);
        this.db.prepare(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, request_id, idempotency_key, created_at)
          VALUES (?, 'refund', ?, ?, NULL, ?, ?)`).run(payment.accountId, taken, payment.grantId, `refund:${payment.id}:${r.reversalId}:${r.cents}`, now);
      }
    }
    this.db.prepare(`UPDATE payments SET taken_back_cents = ?, clawback_due_pico = clawback_due_pico + ?, clawed_back_pico = clawed_back_pico + ?,
      updated_at = ? WHERE id = ?`).run(takenBackCents, due, taken, now, payment.id);
    return { payment: toPayment(this.db.prepare('SELECT * FROM payments WHERE id = ?').get(payment.id) as Row), due, taken };
  }

  /** Active grants − open holds, read inside the reversal's transaction. */
  private available(accountId: string, now: number): bigint {
    let sum = 0n;
    for (const g of this.db.prepare(`SELECT remaining_pico AS v FROM grants WHERE account_id = ? AND voided_at IS NULL AND expired_at IS NULL
      AND effective_at <= ? AND (expires_at IS NULL OR expires_at > ?)`).iterate(accountId, now, now) as Iterable<Row>) sum += BigInt(g.v as bigint);
    for (const h of this.db.prepare('SELECT amount_pico AS v FROM holds WHERE account_id = ? AND closed_at IS NULL').iterate(accountId) as Iterable<Row>) {
      sum -= BigInt(h.v as bigint);
    }
    return sum;
  }

  async getRecharge(accountId: string): Promise<RechargeSettings | undefined> {
    const row = this.db.prepare('SELECT * FROM recharge_settings WHERE account_id = ?').get(accountId) as Row | undefined;
    return row && toRecharge(row);
  }

  async putRecharge(s: RechargeSettingsInput, now: number): Promise<RechargeSettings> {
    this.db.prepare(`INSERT INTO recharge_settings (account_id, enabled, threshold_pico, amount_pico, target_pico, monthly_cap_pico, customer_id,
      payment_method_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled, threshold_pico = excluded.threshold_pico,
        amount_pico = excluded.amount_pico, target_pico = excluded.target_pico, monthly_cap_pico = excluded.monthly_cap_pico,
        customer_id = COALESCE(excluded.customer_id, recharge_settings.customer_id),
        payment_method_id = COALESCE(excluded.payment_method_id, recharge_settings.payment_method_id),
        consecutive_failures = CASE WHEN excluded.enabled = 1 AND recharge_settings.enabled = 0 THEN 0 ELSE recharge_settings.consecutive_failures END,
        retry_at = CASE WHEN excluded.enabled = 1 AND recharge_settings.enabled = 0 THEN 0 ELSE recharge_settings.retry_at END,
        updated_at = excluded.updated_at`)
      .run(s.accountId, s.enabled ? 1 : 0, s.threshold, s.amount, s.target, s.monthlyCap, s.customerId ?? null, s.paymentMethodId ?? null, now);
    return (await this.getRecharge(s.accountId))!;
  }

  async saveCard(accountId: string, customerId: string, paymentMethodId: string | null, now: number): Promise<void> {
    this.db.prepare(`INSERT INTO recharge_settings (account_id, enabled, threshold_pico, monthly_cap_pico, customer_id, payment_method_id, updated_at)
      VALUES (?, 0, 0, 0, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET customer_id = COALESCE(recharge_settings.customer_id, excluded.customer_id),
        payment_method_id = COALESCE(recharge_settings.payment_method_id, excluded.payment_method_id), updated_at = excluded.updated_at`)
      .run(accountId, customerId, paymentMethodId, now);
  }

  async listEnabledRecharges(): Promise<RechargeSettings[]> {
    return (this.db.prepare('SELECT * FROM recharge_settings WHERE enabled = 1').all() as Row[]).map(toRecharge);
  }

  async claimAttempt(a: Omit<RechargeAttempt, 'paymentId' | 'error'>): Promise<boolean> {
    return this.db.prepare(`INSERT INTO recharge_attempts (account_id, episode, status, month_key, credits_pico, amount_cents, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, episode) DO NOTHING`)
      .run(a.accountId, a.episode, a.status, a.monthKey, a.credits, a.amountCents, a.createdAt, a.createdAt).changes === 1;
  }

  async getAttempt(accountId: string, episode: number): Promise<RechargeAttempt | undefined> {
    const row = this.db.prepare('SELECT * FROM recharge_attempts WHERE account_id = ? AND episode = ?').get(accountId, episode) as Row | undefined;
    return row && toAttempt(row);
  }

  async finishAttempt(accountId: string, episode: number, f: { status: AttemptStatus; paymentId: string | null; error: string | null }, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE recharge_attempts SET status = ?, payment_id = COALESCE(?, payment_id), error = ?, updated_at = ?
        WHERE account_id = ? AND episode = ? AND status IN ('pending', 'failed')`)
        .run(f.status, f.paymentId, f.error === null ? null : clip(f.error), now, accountId, episode);
      if (f.status === 'succeeded') {
        this.db.prepare('UPDATE recharge_settings SET consecutive_failures = 0, last_error = NULL, updated_at = ? WHERE account_id = ?').run(now, accountId);
      }
    }).immediate();
  }

  async rechargedInMonth(accountId: string, monthKey: string): Promise<bigint> {
    let sum = 0n;
    for (const r of this.db.prepare(`SELECT credits_pico AS v FROM recharge_attempts WHERE account_id = ? AND month_key = ?
      AND status IN ('succeeded', 'pending')`).iterate(accountId, monthKey) as Iterable<Row>) sum += BigInt(r.v as bigint);
    return sum;
  }

  async nextEpisode(accountId: string, episode: number, now: number, failure?: { error: string; retryAt: number; maxFailures: number }): Promise<boolean> {
    return this.db.transaction(() => {
      const finished = this.db.prepare("SELECT 1 FROM recharge_attempts WHERE account_id = ? AND episode = ? AND status <> 'pending'").get(accountId, episode);
      if (!finished) return false;
      if (!failure) {
        return this.db.prepare('UPDATE recharge_settings SET episode = episode + 1, updated_at = ? WHERE account_id = ? AND episode = ?')
          .run(now, accountId, episode).changes === 1;
      }
      return this.db.prepare(`UPDATE recharge_settings SET episode = episode + 1, consecutive_failures = consecutive_failures + 1,
        enabled = CASE WHEN consecutive_failures + 1 >= ? THEN 0 ELSE enabled END, retry_at = ?, last_error = ?, updated_at = ?
        WHERE account_id = ? AND episode = ?`).run(failure.maxFailures, failure.retryAt, clip(failure.error), now, accountId, episode).changes === 1;
    }).immediate();
  }
}
