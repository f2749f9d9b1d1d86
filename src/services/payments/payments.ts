// Purchases: plans → a provider checkout → exactly one grant per payment, however often the provider redelivers its
// event; refunds and disputes take back the unspent part of that payment's grant. Provider-neutral: it sees only
// PaymentProvider and normalized PaymentEvents.
import type { PaymentsConfig } from '../../config/config.js';
import { newId } from '../../domain/ids/ids.js';
import { quote, type Plan } from '../../domain/payments/plans.js';
import type { Logger } from '../../observability/logger.js';
import type { GrantRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { Wallet } from '../wallet/wallet.js';
import type { PaymentRecord, PaymentStore, ReversalResult } from './payment-store.js';
import type { PaymentEvent, PaymentProvider } from './provider.js';

const DAY_MS = 86_400_000;

export interface PaymentsDeps {
  store: Store;
  wallet: Wallet;
  payments: PaymentStore;
  provider: PaymentProvider | undefined;
  config: PaymentsConfig;
  now: () => number;
  logger: Logger;
  /** Called after credit moved on an account (alerts, auto-recharge re-arming). */
  onCreditChange?: (accountId: string) => void;
  /** Off-session outcomes reported by webhook, for auto-recharge bookkeeping. */
  onOffSession?: (outcome: OffSessionOutcome) => Promise<void>;
}

export interface OffSessionOutcome {
  reference: string | null;
  paymentId: string;
  ok: boolean;
  code: string;
  message: string;
}

export class PaymentsNotConfiguredError extends Error {}
export class UnknownPlanError extends Error {}

export interface EventOutcome {
  event: PaymentEvent['type'];
  granted?: boolean;
  grantId?: string;
  reversal?: { due: bigint; taken: bigint };
  note?: string;
}

export interface CheckoutInput {
  planId: string;
  amountCents?: number;
  /** Save the card for auto-recharge (Stripe: setup_future_usage=off_session). */
  saveCard?: boolean;
}

/** A checkout on its own (the CLI has no wallet): quote the plan, open the provider's page, record the payment. */
export async function startCheckout(
  deps: Pick<PaymentsDeps, 'payments' | 'config' | 'now'> & { provider: PaymentProvider }, accountId: string, input: CheckoutInput,
): Promise<{ payment: PaymentRecord; url: string; plan: Plan }> {
  const plan = await deps.payments.getPlan(input.planId);
  if (!plan) throw new UnknownPlanError(`No plan ${input.planId}.`);
  const { amountCents, credits } = quote(plan, input.amountCents);
  const recharge = await deps.payments.getRecharge(accountId);
  const reference = newId('pay');
  const session = await deps.provider.createCheckout({
    accountId, planId: plan.id, planName: plan.name, amountCents, currency: plan.currency, reference,
    successUrl: deps.config.successUrl, cancelUrl: deps.config.cancelUrl,
    saveCard: input.saveCard ?? false, customerId: recharge?.customerId ?? null,
  });
  const payment = await deps.payments.insertPayment({
    id: session.id, provider: deps.provider.name, kind: 'checkout', accountId, planId: plan.id, paymentIntentId: null,
    amountCents, currency: plan.currency, credits,
  }, deps.now());
  return { payment, url: session.url, plan };
}

export class Payments {
  constructor(readonly deps: PaymentsDeps) {}

  get configured(): boolean {
    return this.deps.provider !== undefined;
  }

  /** Starts a purchase: a pending payment row and the provider's checkout page. */
  checkout(accountId: string, input: CheckoutInput): Promise<{ payment: PaymentRecord; url: string; plan: Plan }> {
    return startCheckout({ ...this.deps, provider: this.mustProvider() }, accountId, input);
  }

  /** Verifies and applies one webhook delivery; throws WebhookSignatureError (→ 400) before anything is read. */
  async webhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<EventOutcome> {
    const event = this.mustProvider().parseWebhook(rawBody, headers);
    return this.apply(event);
  }

  async apply(event: PaymentEvent): Promise<EventOutcome> {
    switch (event.type) {
      case 'payment_succeeded': return this.succeeded(event);
      case 'payment_failed': {
        await this.deps.payments.markFailed(event.paymentId, `${event.code}: ${event.message}`, this.deps.now());
        if (event.reference?.startsWith('recharge:')) {
          await this.deps.onOffSession?.({ reference: event.reference, paymentId: event.paymentId, ok: false, code: event.code, message: event.message });
        }
        return { event: event.type };
      }
      case 'refunded':
      case 'disputed': {
        const result = await this.reverse(event);
        return result ? { event: event.type, reversal: { due: result.due, taken: result.taken } } : { event: event.type, note: 'unknown payment' };
      }
      case 'ignored': return { event: event.type, note: event.providerType };
    }
  }

  /** Grants a succeeded payment's credits: idempotent on the payment id, so every path to it grants once. */
  async grant(payment: PaymentRecord, paymentIntentId: string | null): Promise<{ grant: GrantRecord; created: boolean }> {
    const now = this.deps.now();
    const result = await this.deps.store.insertGrant({
      accountId: payment.accountId, source: payment.kind === 'checkout' ? 'purchase' : 'auto_recharge', amount: payment.credits,
      expiresAt: now + this.deps.config.purchaseExpiryDays * DAY_MS, idempotencyKey: `${payment.provider}:${payment.id}`,
      note: payment.kind === 'checkout' ? `purchase ${payment.planId ?? ''} (${payment.id})` : `auto-recharge (${payment.id})`,
    }, now);
    await this.deps.payments.markSucceeded(payment.id, { grantId: result.grant.id, paymentIntentId }, now);
    if (result.created) {
      // The in-memory wallet (SQLite) keeps lots in memory: reload the account before its next decision.
      this.deps.wallet.invalidate();
      this.deps.onCreditChange?.(payment.accountId);
    }
    return result;
  }

  private async succeeded(e: Extract<PaymentEvent, { type: 'payment_succeeded' }>): Promise<EventOutcome> {
    if (e.via === 'off_session') {
      // Records the payment row from its attempt if the synchronous path did not (a crash, a lost response).
      await this.deps.onOffSession?.({ reference: e.reference, paymentId: e.paymentId, ok: true, code: 'succeeded', message: '' });
    }
    const payment = await this.deps.payments.getPayment(e.paymentId);
    if (!payment) {
      this.deps.logger.warn('payment event for a payment Tollgate did not start', { payment_id: e.paymentId, event_id: e.eventId });
      return { event: e.type, note: 'unknown payment' };
    }
    if ((e.accountId !== null && e.accountId !== payment.accountId) || e.amountCents !== payment.amountCents || e.currency !== payment.currency) {
      this.deps.logger.error('payment event does not match the payment started: no credit granted', {
        payment_id: payment.id, event_id: e.eventId, amount_cents: e.amountCents, expected_cents: payment.amountCents,
      });
      await this.deps.payments.markFailed(payment.id, 'amount, currency or account mismatch', this.deps.now());
      return { event: e.type, granted: false, note: 'mismatch' };
    }
    const { grant, created } = await this.grant(payment, e.paymentIntentId);
    if (e.via === 'checkout' && e.customerId) await this.saveCard(payment.accountId, e.customerId, e.paymentMethodId, e.paymentIntentId);
    return { event: e.type, granted: created, grantId: grant.id };
  }

  /** Keeps the card a checkout saved (customer and payment method), for auto-recharge; a failure only logs. */
  private async saveCard(accountId: string, customerId: string, paymentMethodId: string | null, paymentIntentId: string | null): Promise<void> {
    try {
      const method = paymentMethodId ?? (paymentIntentId ? await this.mustProvider().savedPaymentMethod(paymentIntentId) : null);
      await this.deps.payments.saveCard(accountId, customerId, method, this.deps.now());
    } catch (err) {
      this.deps.logger.warn('could not save the card of a checkout', { account_id: accountId, error: (err as Error).message });
    }
  }

  private async reverse(e: Extract<PaymentEvent, { type: 'refunded' | 'disputed' }>): Promise<ReversalResult | undefined> {
    const cents = e.type === 'refunded' ? e.refundedCents : e.lost === false ? 0 : e.disputedCents;
    const result = await this.deps.payments.reverse({
      reversalId: e.reversalId, kind: e.type === 'refunded' ? 'refund' : 'dispute', paymentIntentId: e.paymentIntentId, cents,
    }, this.deps.now());
    if (!result) {
      this.deps.logger.warn('refund or dispute for a payment Tollgate did not start', { payment_intent: e.paymentIntentId, event_id: e.eventId });
      return undefined;
    }
    if (result.due > result.taken) {
      this.deps.logger.warn('refund: part of the credits were already spent and could not be taken back', {
        payment_id: result.payment.id, due: result.due.toString(), taken: result.taken.toString(),
      });
    }
    if (result.taken > 0n) {
      this.deps.wallet.invalidate();
      this.deps.onCreditChange?.(result.payment.accountId);
    }
    return result;
  }

  private mustProvider(): PaymentProvider {
    if (!this.deps.provider) throw new PaymentsNotConfiguredError('Payments are off: set TOLLGATE_STRIPE_SECRET_KEY and TOLLGATE_STRIPE_WEBHOOK_SECRET.');
    return this.deps.provider;
  }
}
