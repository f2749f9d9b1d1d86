// The PaymentStore port: plans, payments (one row per provider payment), refunds/disputes taken back, and
// auto-recharge settings and attempts. Adapters: src/store/sqlite/payments-store.ts, src/store/postgres/payments-store.ts.
import type { Pico } from '../../domain/money/pico.js';
import type { NewPlan, Plan } from '../../domain/payments/plans.js';

export type PaymentKind = 'checkout' | 'auto_recharge';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface PaymentRecord {
  id: string;
  provider: string;
  kind: PaymentKind;
  accountId: string;
  planId: string | null;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  credits: Pico;
  status: PaymentStatus;
  grantId: string | null;
  /** Σ refunded and disputed so far, in cents (capped at amountCents). */
  takenBackCents: number;
  /** Credits owed back for takenBackCents; clawedBack is what could be taken (the rest was already spent). */
  clawbackDue: Pico;
  clawedBack: Pico;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewPayment = Pick<PaymentRecord, 'id' | 'provider' | 'kind' | 'accountId' | 'planId' | 'paymentIntentId' | 'amountCents' | 'currency' | 'credits'>;

export interface Reversal {
  /** The provider's refund or dispute identity, e.g. "refund:ch_…" (cumulative amount) or "dispute:dp_…". */
  reversalId: string;
  kind: 'refund' | 'dispute';
  paymentIntentId: string;
  /** This reversal's cumulative amount in cents (a later event with a larger amount supersedes a smaller one). */
  cents: number;
}

export interface ReversalResult {
  payment: PaymentRecord;
  /** Credits newly owed back by this event, and the part of them actually taken from the grant now. */
  due: Pico;
  taken: Pico;
}

export interface RechargeSettings {
  accountId: string;
  enabled: boolean;
  threshold: Pico;
  amount: Pico | null;
  target: Pico | null;
  monthlyCap: Pico;
  customerId: string | null;
  paymentMethodId: string | null;
  /** The current crossing: one attempt at most per (account, episode). */
  episode: number;
  consecutiveFailures: number;
  /** No new attempt before this time (after a failure). */
  retryAt: number;
  lastError: string | null;
  updatedAt: number;
}

export type RechargeSettingsInput = Pick<RechargeSettings, 'accountId' | 'enabled' | 'threshold' | 'amount' | 'target' | 'monthlyCap'>
  & { customerId?: string | null; paymentMethodId?: string | null };

export type AttemptStatus = 'pending' | 'succeeded' | 'failed' | 'capped';

export interface RechargeAttempt {
  accountId: string;
  episode: number;
  paymentId: string | null;
  status: AttemptStatus;
  monthKey: string;
  credits: Pico;
  amountCents: number;
  error: string | null;
  createdAt: number;
}

export interface PaymentStore {
  upsertPlan(plan: NewPlan, now: number): Promise<Plan>;
  getPlan(id: string): Promise<Plan | undefined>;
  listPlans(): Promise<Plan[]>;

  /** Inserts a pending payment; an existing id is left as it is. */
  insertPayment(p: NewPayment, now: number): Promise<PaymentRecord>;
  getPayment(id: string): Promise<PaymentRecord | undefined>;
  listPayments(accountId: string): Promise<PaymentRecord[]>;
  /** Marks the payment succeeded with its grant; idempotent. */
  markSucceeded(id: string, fields: { grantId: string; paymentIntentId: string | null }, now: number): Promise<void>;
  /** Marks a pending payment failed (a succeeded one stays succeeded). */
  markFailed(id: string, error: string, now: number): Promise<void>;
  /**
   * Records a refund or dispute and takes back, in one atomic step on the account's balance, the newly owed credits
   * that are still unspent in the purchase's grant and not reserved by open holds. Replays take nothing more.
   * Undefined when no payment has that payment intent.
   */
  reverse(r: Reversal, now: number): Promise<ReversalResult | undefined>;

  getRecharge(accountId: string): Promise<RechargeSettings | undefined>;
  /** Sets an account's auto-recharge; re-enabling clears the failure count. */
  putRecharge(s: RechargeSettingsInput, now: number): Promise<RechargeSettings>;
  /** Saves the card a checkout stored, unless one is set already; with no settings yet, auto-recharge stays off. */
  saveCard(accountId: string, customerId: string, paymentMethodId: string | null, now: number): Promise<void>;
  listEnabledRecharges(): Promise<RechargeSettings[]>;
  /** Claims the episode's one attempt (conditional insert): false when another process already did. */
  claimAttempt(a: Omit<RechargeAttempt, 'paymentId' | 'error'>): Promise<boolean>;
  getAttempt(accountId: string, episode: number): Promise<RechargeAttempt | undefined>;
  finishAttempt(accountId: string, episode: number, f: { status: AttemptStatus; paymentId: string | null; error: string | null }, now: number): Promise<void>;
  /** Σ credits of the month's succeeded and pending attempts (the monthly cap). */
  rechargedInMonth(accountId: string, monthKey: string): Promise<Pico>;
  /**
   * Opens the next episode, only if `episode` is still current and its attempt is finished (not pending).
   * With `failure`, counts a consecutive failure, sets when to retry, and turns auto-recharge off at `maxFailures`;
   * without, resets the failure count.
   */
  nextEpisode(accountId: string, episode: number, now: number, failure?: { error: string; retryAt: number; maxFailures: number }): Promise<boolean>;
}
