// The payment provider port: what the payments service needs from Stripe (or Razorpay, …), in normalized terms.
// The ledger and the payments service never see a provider's own objects; adapters translate at this boundary.

export interface CheckoutRequest {
  accountId: string;
  planId: string;
  planName: string;
  amountCents: number;
  currency: string;
  /** Ours: the provider echoes it back on completion. */
  reference: string;
  successUrl: string;
  cancelUrl: string;
  /** Save the card for off-session auto-recharge. */
  saveCard: boolean;
  customerId: string | null;
}

export interface CheckoutSession {
  /** The provider's id of the checkout (Stripe: cs_…); our payment row's id. */
  id: string;
  url: string;
}

export interface OffSessionCharge {
  accountId: string;
  customerId: string;
  paymentMethodId: string;
  amountCents: number;
  currency: string;
  /** Same key → the provider charges at most once (Stripe's Idempotency-Key). */
  idempotencyKey: string;
  reference: string;
}

export type ChargeResult =
  | { ok: true; paymentId: string }
  | { ok: false; paymentId: string | null; code: string; message: string };

/** Events a provider's webhook is turned into. Money in the currency's minor units. */
export type PaymentEvent =
  | {
    type: 'payment_succeeded'; eventId: string; via: 'checkout' | 'off_session';
    /** Our payment row: the checkout id (checkout) or the payment intent id (off-session). */
    paymentId: string; paymentIntentId: string | null; accountId: string | null;
    amountCents: number; currency: string; customerId: string | null; paymentMethodId: string | null;
    /** What we passed as the reference when we started the payment (auto-recharge: "account:episode"). */
    reference: string | null;
  }
  | { type: 'payment_failed'; eventId: string; paymentId: string; accountId: string | null; code: string; message: string; reference: string | null }
  | { type: 'refunded'; eventId: string; paymentIntentId: string; reversalId: string; refundedCents: number }
  | { type: 'disputed'; eventId: string; paymentIntentId: string; reversalId: string; disputedCents: number; lost: boolean | null }
  | { type: 'ignored'; eventId: string; providerType: string };

export class WebhookSignatureError extends Error {}

export interface PaymentProvider {
  readonly name: string;
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  chargeOffSession(req: OffSessionCharge): Promise<ChargeResult>;
  /** The card a paid checkout saved for off-session use (Stripe: the payment intent's payment method). */
  savedPaymentMethod(paymentIntentId: string): Promise<string | null>;
  /** Verifies the signature over the raw body and normalizes the event; throws WebhookSignatureError when it fails. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent;
}
