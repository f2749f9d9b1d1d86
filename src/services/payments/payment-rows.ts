// Row mappers shared by both PaymentStore adapters (SQLite INTEGER/bigint and PostgreSQL BIGINT come back alike).
import type { Plan } from '../../domain/payments/plans.js';
import type { PaymentRecord, RechargeAttempt, RechargeSettings } from './payment-store.js';

export type Row = Record<string, unknown>;

const big = (v: unknown): bigint => BigInt(v as bigint | string | number);
const bigOrNull = (v: unknown): bigint | null => (v === null || v === undefined ? null : big(v));
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === 1n || v === '1';

export function toPlan(r: Row): Plan {
  return {
    id: String(r.id), name: String(r.name), kind: r.kind as Plan['kind'], currency: String(r.currency),
    priceCents: numOrNull(r.price_cents), credits: bigOrNull(r.credits_pico), bonus: big(r.bonus_pico),
    minCents: numOrNull(r.min_cents), maxCents: numOrNull(r.max_cents), picoPerCent: bigOrNull(r.pico_per_cent),
    active: bool(r.active), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

export function toPayment(r: Row): PaymentRecord {
  return {
    id: String(r.id), provider: String(r.provider), kind: r.kind as PaymentRecord['kind'], accountId: String(r.account_id),
    planId: strOrNull(r.plan_id), paymentIntentId: strOrNull(r.payment_intent_id), amountCents: num(r.amount_cents),
    currency: String(r.currency), credits: big(r.credits_pico), status: r.status as PaymentRecord['status'],
    grantId: strOrNull(r.grant_id), takenBackCents: num(r.taken_back_cents), clawbackDue: big(r.clawback_due_pico),
    clawedBack: big(r.clawed_back_pico), error: strOrNull(r.error), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

export function toRecharge(r: Row): RechargeSettings {
  return {
    accountId: String(r.account_id), enabled: bool(r.enabled), threshold: big(r.threshold_pico), amount: bigOrNull(r.amount_pico),
    target: bigOrNull(r.target_pico), monthlyCap: big(r.monthly_cap_pico), customerId: strOrNull(r.customer_id),
    paymentMethodId: strOrNull(r.payment_method_id), episode: num(r.episode), consecutiveFailures: num(r.consecutive_failures),
    retryAt: num(r.retry_at), lastError: strOrNull(r.last_error), updatedAt: num(r.updated_at),
  };
}

export function toAttempt(r: Row): RechargeAttempt {
  return {
    accountId: String(r.account_id), episode: num(r.episode), paymentId: strOrNull(r.payment_id), status: r.status as RechargeAttempt['status'],
    monthKey: String(r.month_key), credits: big(r.credits_pico), amountCents: num(r.amount_cents), error: strOrNull(r.error),
    createdAt: num(r.created_at),
  };
}

/** Errors kept in rows are clipped so a provider's long message cannot bloat the table. */
export function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
