// Payment plans the operator sells: fixed credit packs (a price, credits, optional bonus credits) and a custom amount
// within bounds at a fixed rate. Prices are integer minor units of the currency (cents); credits are pico-credits.
import type { Pico } from '../money/pico.js';

/** 1 credit = 1 USD of list price, so one US cent buys 10^10 pico-credits. */
export const PICO_PER_CENT: Pico = 10_000_000_000n;

export type PlanKind = 'pack' | 'custom';

export interface Plan {
  id: string;
  name: string;
  kind: PlanKind;
  /** ISO 4217, lower case (Stripe's spelling), e.g. "usd". */
  currency: string;
  /** pack: what it costs. */
  priceCents: number | null;
  /** pack: the credits it buys (before the bonus). */
  credits: Pico | null;
  /** pack: extra credits granted on top, in the same grant. */
  bonus: Pico;
  /** custom: bounds on the amount paid, inclusive. */
  minCents: number | null;
  maxCents: number | null;
  /** custom: credits per cent paid. */
  picoPerCent: Pico | null;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewPlan = Omit<Plan, 'createdAt' | 'updatedAt'>;

export class PlanError extends Error {
  constructor(message: string, readonly param: string | null = null) {
    super(message);
  }
}

/** What a purchase costs and grants: pack → its price and credits + bonus; custom → the amount × the rate. */
export function quote(plan: Plan, amountCents?: number): { amountCents: number; credits: Pico } {
  if (!plan.active) throw new PlanError(`The plan ${plan.id} is not on sale.`, 'plan_id');
  if (plan.kind === 'pack') {
    if (amountCents !== undefined && amountCents !== plan.priceCents) {
      throw new PlanError(`The plan ${plan.id} is a fixed pack; do not give an amount.`, 'amount_cents');
    }
    return { amountCents: plan.priceCents!, credits: plan.credits! + plan.bonus };
  }
  if (amountCents === undefined) throw new PlanError(`The plan ${plan.id} needs 'amount_cents'.`, 'amount_cents');
  if (!Number.isSafeInteger(amountCents) || amountCents < plan.minCents! || amountCents > plan.maxCents!) {
    throw new PlanError(`'amount_cents' must be a whole number of cents from ${plan.minCents} to ${plan.maxCents}.`, 'amount_cents');
  }
  return { amountCents, credits: BigInt(amountCents) * plan.picoPerCent! };
}

/** Checks a plan as the operator wrote it; throws PlanError naming the field. */
export function validatePlan(plan: NewPlan): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(plan.id)) throw new PlanError('A plan id is 1-64 of a-z, 0-9, _ and -.', 'id');
  if (!/^[a-z]{3}$/.test(plan.currency)) throw new PlanError('The currency is a 3-letter ISO 4217 code, e.g. usd.', 'currency');
  if (plan.bonus < 0n) throw new PlanError('The bonus cannot be negative.', 'bonus');
  if (plan.kind === 'pack') {
    if (plan.priceCents === null || !Number.isSafeInteger(plan.priceCents) || plan.priceCents <= 0) {
      throw new PlanError('A pack needs a price above zero, in cents.', 'price_cents');
    }
    if (plan.credits === null || plan.credits <= 0n) throw new PlanError('A pack needs credits above zero.', 'credits');
    return;
  }
  if (plan.minCents === null || plan.maxCents === null || !Number.isSafeInteger(plan.minCents) || !Number.isSafeInteger(plan.maxCents)
    || plan.minCents <= 0 || plan.maxCents < plan.minCents) {
    throw new PlanError('A custom plan needs 0 < min_cents <= max_cents.', 'min_cents');
  }
  if (plan.picoPerCent === null || plan.picoPerCent <= 0n) throw new PlanError('A custom plan needs a rate above zero.', 'credits_per_cent');
  if (plan.bonus !== 0n) throw new PlanError('Only packs have a bonus.', 'bonus');
}
