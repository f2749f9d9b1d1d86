// The wire shapes of plans, payments and auto-recharge settings (snake_case; credits as decimal strings), and the
// parsing of the bodies that set them — shared by the account's /v1/tollgate routes, /admin/v1 and the CLI.
import { formatCredits } from '../../domain/money/pico.js';
import { PICO_PER_CENT, PlanError, validatePlan, type NewPlan, type Plan } from '../../domain/payments/plans.js';
import type { PaymentRecord, RechargeSettings, RechargeSettingsInput } from './payment-store.js';

const iso = (t: number | null) => (t === null || t === 0 ? null : new Date(t).toISOString());

export function planView(p: Plan) {
  return {
    id: p.id, object: 'tollgate.plan', name: p.name, kind: p.kind, currency: p.currency, active: p.active,
    ...(p.kind === 'pack'
      ? { price_cents: p.priceCents, credits: formatCredits(p.credits!), bonus_credits: formatCredits(p.bonus), total_credits: formatCredits(p.credits! + p.bonus) }
      : { min_cents: p.minCents, max_cents: p.maxCents, credits_per_cent: formatCredits(p.picoPerCent!) }),
  };
}

export function paymentView(p: PaymentRecord) {
  return {
    id: p.id, object: 'tollgate.payment', provider: p.provider, kind: p.kind, account_id: p.accountId, plan_id: p.planId,
    payment_intent_id: p.paymentIntentId, amount_cents: p.amountCents, currency: p.currency, credits: formatCredits(p.credits),
    status: p.status, grant_id: p.grantId, refunded_cents: p.takenBackCents, clawback_due: formatCredits(p.clawbackDue),
    clawed_back: formatCredits(p.clawedBack), error: p.error, created_at: iso(p.createdAt),
  };
}

export function rechargeView(s: RechargeSettings) {
  return {
    object: 'tollgate.auto_recharge', account_id: s.accountId, enabled: s.enabled, threshold: formatCredits(s.threshold),
    amount: s.amount === null ? null : formatCredits(s.amount), target: s.target === null ? null : formatCredits(s.target),
    monthly_cap: formatCredits(s.monthlyCap), has_payment_method: s.customerId !== null && s.paymentMethodId !== null,
    customer_id: s.customerId, payment_method_id: s.paymentMethodId, consecutive_failures: s.consecutiveFailures,
    retry_at: iso(s.retryAt), last_error: s.lastError,
  };
}

/** A plan from its wire fields: credits as decimal strings, prices as integer cents. */
export function planFromFields(f: {
  id: string; name?: string | undefined; kind: string; currency: string; priceCents?: number | undefined; credits?: bigint | undefined;
  bonus?: bigint | undefined; minCents?: number | undefined; maxCents?: number | undefined; creditsPerCent?: bigint | undefined; active?: boolean | undefined;
}): NewPlan {
  if (f.kind !== 'pack' && f.kind !== 'custom') throw new PlanError("'kind' is pack or custom.", 'kind');
  const plan: NewPlan = {
    id: f.id, name: f.name ?? f.id, kind: f.kind, currency: f.currency, priceCents: f.priceCents ?? null, credits: f.credits ?? null,
    bonus: f.bonus ?? 0n, minCents: f.minCents ?? null, maxCents: f.maxCents ?? null,
    picoPerCent: f.kind === 'custom' ? f.creditsPerCent ?? PICO_PER_CENT : null, active: f.active ?? true,
  };
  validatePlan(plan);
  return plan;
}

export class RechargeSettingsError extends Error {
  constructor(message: string, readonly param: string) {
    super(message);
  }
}

export function checkRecharge(s: RechargeSettingsInput): RechargeSettingsInput {
  if (s.monthlyCap <= 0n) throw new RechargeSettingsError("'monthly_cap' must be above zero.", 'monthly_cap');
  if ((s.amount === null) === (s.target === null)) throw new RechargeSettingsError('Give exactly one of amount or target.', 'amount');
  if (s.target !== null && s.target <= s.threshold) throw new RechargeSettingsError('The target must be above the threshold.', 'target');
  for (const [name, v] of [['amount', s.amount], ['target', s.target], ['threshold', s.threshold], ['monthly_cap', s.monthlyCap]] as const) {
    if (v !== null && v % PICO_PER_CENT !== 0n) throw new RechargeSettingsError(`'${name}' must be whole cents (at most 2 decimals).`, name);
  }
  return s;
}
