// Stripe behind the PaymentProvider port, through Stripe's official library: Checkout Sessions for purchases,
// off-session PaymentIntents for auto-recharge, and signature-checked webhooks normalized to PaymentEvents.
import Stripe from 'stripe';
import {
  WebhookSignatureError,
  type ChargeResult, type CheckoutRequest, type CheckoutSession, type OffSessionCharge, type PaymentEvent, type PaymentProvider,
} from './provider.js';

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where the API lives (tests point it at a local stand-in); default https://api.stripe.com. */
  apiBase?: string | undefined;
  /** Seconds a webhook's signed timestamp may be off (Stripe's default: 300). */
  toleranceSeconds?: number;
}

type Obj = Record<string, unknown>;

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly opts: StripeOptions) {
    const config: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000 };
    if (opts.apiBase) {
      const url = new URL(opts.apiBase);
      config.host = url.hostname;
      config.protocol = url.protocol === 'http:' ? 'http' : 'https';
      config.port = url.port || (url.protocol === 'http:' ? '80' : '443');
    }
    this.stripe = new Stripe(opts.secretKey, config);
  }

  async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
    const metadata = { tollgate_account_id: req.accountId, tollgate_plan_id: req.planId, tollgate_reference: req.reference };
    const session = await this.stripe.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: req.accountId,
      line_items: [{ quantity: 1, price_data: { currency: req.currency, unit_amount: req.amountCents, product_data: { name: req.planName } } }],
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
      metadata,
      payment_intent_data: { metadata, ...(req.saveCard ? { setup_future_usage: 'off_session' as const } : {}) },
      ...(req.customerId ? { customer: req.customerId } : req.saveCard ? { customer_creation: 'always' as const } : {}),
    }, { idempotencyKey: `checkout:${req.reference}` });
    if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a url`);
    return { id: session.id, url: session.url };
  }

  async chargeOffSession(req: OffSessionCharge): Promise<ChargeResult> {
    try {
      const intent = await this.stripe.paymentIntents.create({
        amount: req.amountCents, currency: req.currency, customer: req.customerId, payment_method: req.paymentMethodId,
        off_session: true, confirm: true,
        metadata: { tollgate_account_id: req.accountId, tollgate_kind: 'auto_recharge', tollgate_reference: req.reference },
      }, { idempotencyKey: req.idempotencyKey });
      if (intent.status === 'succeeded') return { ok: true, paymentId: intent.id };
      return { ok: false, paymentId: intent.id, code: intent.status, message: `payment intent is ${intent.status}` };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError && err.type !== 'StripeConnectionError' && err.type !== 'StripeAPIError') {
        const raw = err.raw as { payment_intent?: { id?: unknown } } | undefined;
        const id = typeof raw?.payment_intent?.id === 'string' ? raw.payment_intent.id : null;
        return { ok: false, paymentId: id, code: err.code ?? err.type, message: err.message };
      }
      throw err;
    }
  }

  async savedPaymentMethod(paymentIntentId: string): Promise<string | null> {
    const intent = await this.stripe.paymentIntents.retrieve(paymentIntentId);
    return typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id ?? null;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent {
    const sig = headers['stripe-signature'];
    if (typeof sig !== 'string') throw new WebhookSignatureError('missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, sig, this.opts.webhookSecret, this.opts.toleranceSeconds ?? 300);
    } catch (err) {
      throw new WebhookSignatureError((err as Error).message);
    }
    return normalize(event.id, event.type, event.data.object as unknown as Obj);
  }
}

/** Stripe's event → ours. Only the fields we use are read, each checked for its type. */
export function normalize(eventId: string, type: string, o: Obj): PaymentEvent {
  const meta = (o.metadata && typeof o.metadata === 'object' ? o.metadata : {}) as Obj;
  const accountId = s(meta.tollgate_account_id) ?? s(o.client_reference_id);
  const reference = s(meta.tollgate_reference);
  if (type === 'checkout.session.completed' || type === 'checkout.session.async_payment_succeeded') {
    if (type === 'checkout.session.completed' && o.payment_status !== 'paid') return { type: 'ignored', eventId, providerType: `${type}:${String(o.payment_status)}` };
    const intent = o.payment_intent;
    const intentObj = intent && typeof intent === 'object' ? intent as Obj : undefined;
    return {
      type: 'payment_succeeded', eventId, via: 'checkout', paymentId: req(o.id, 'id'),
      paymentIntentId: typeof intent === 'string' ? intent : s(intentObj?.id),
      accountId, amountCents: n(o.amount_total), currency: req(o.currency, 'currency'), customerId: idOf(o.customer),
      paymentMethodId: idOf(intentObj?.payment_method), reference,
    };
  }
  if (type === 'checkout.session.async_payment_failed' || type === 'checkout.session.expired') {
    return { type: 'payment_failed', eventId, paymentId: req(o.id, 'id'), accountId, code: type, message: type, reference };
  }
  if (type === 'payment_intent.succeeded' || type === 'payment_intent.payment_failed') {
    if (meta.tollgate_kind !== 'auto_recharge') return { type: 'ignored', eventId, providerType: type };
    if (type === 'payment_intent.payment_failed') {
      const e = (o.last_payment_error ?? {}) as Obj;
      return { type: 'payment_failed', eventId, paymentId: req(o.id, 'id'), accountId, code: s(e.code) ?? 'payment_failed', message: s(e.message) ?? type, reference };
    }
    return {
      type: 'payment_succeeded', eventId, via: 'off_session', paymentId: req(o.id, 'id'), paymentIntentId: req(o.id, 'id'), accountId,
      amountCents: n(o.amount_received ?? o.amount), currency: req(o.currency, 'currency'), customerId: idOf(o.customer),
      paymentMethodId: idOf(o.payment_method), reference,
    };
  }
  if (type === 'charge.refunded') {
    return {
      type: 'refunded', eventId, paymentIntentId: req(idOf(o.payment_intent), 'payment_intent'), reversalId: `refund:${req(o.id, 'id')}`,
      refundedCents: n(o.amount_refunded),
    };
  }
  if (type === 'charge.dispute.created' || type === 'charge.dispute.closed' || type === 'charge.dispute.funds_withdrawn') {
    const status = s(o.status);
    return {
      type: 'disputed', eventId, paymentIntentId: req(idOf(o.payment_intent), 'payment_intent'), reversalId: `dispute:${req(o.id, 'id')}`,
      disputedCents: n(o.amount), lost: status === 'won' ? false : status === 'lost' ? true : null,
    };
  }
  return { type: 'ignored', eventId, providerType: type };
}

function s(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function idOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') return s((v as Obj).id);
  return null;
}

function req(v: unknown, field: string): string {
  const out = s(v);
  if (out === null) throw new WebhookPayloadError(`event object has no ${field}`);
  return out;
}

function n(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new WebhookPayloadError('event object has no valid amount');
  return v;
}

export class WebhookPayloadError extends Error {}
