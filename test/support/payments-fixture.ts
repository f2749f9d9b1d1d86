// A gateway wired to the Stripe stand-in (Stripe's real library pointed at it), with helpers to call the payment
// endpoints and deliver signed webhooks.
import { request } from 'undici';
import { issueKey } from '../../src/services/api-keys.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import { startStripeStandIn, type StripeStandIn } from './stripe-stand-in.js';

export const ADMIN_TOKEN = 'payments-admin-token';
export const WEBHOOK_SECRET = 'whsec_test_tollgate';
export const WEBHOOK_PATH = '/v1/tollgate/webhooks/stripe';

export interface PaymentsFixture {
  h: Harness;
  stripe: StripeStandIn;
  /** JSON call to the gateway; `auth` is a bearer (admin token or account admin key). */
  call(method: string, path: string, auth: string | null, body?: unknown): Promise<{ status: number; json: any }>;
  /** Delivers `event` to the webhook, signed unless headers are given. */
  deliver(event: unknown, headers?: Record<string, string>, raw?: string): Promise<{ status: number; json: any }>;
  adminKey(accountId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startPaymentsFixture(opts: HarnessOptions = {}): Promise<PaymentsFixture> {
  const stripe = await startStripeStandIn();
  const h = await startHarness({
    ...opts,
    env: {
      TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN, TOLLGATE_STRIPE_SECRET_KEY: 'sk_test_tollgate', TOLLGATE_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TOLLGATE_STRIPE_API_BASE: stripe.url, ...opts.env,
    },
  });
  const call = async (method: string, path: string, auth: string | null, body?: unknown, headers: Record<string, string> = {}, raw?: string) => {
    const res = await request(`${h.gateway.url}${path}`, {
      method: method as 'GET',
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), 'content-type': 'application/json', ...headers },
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? JSON.parse(text) : null };
  };
  return {
    h, stripe,
    call: (method, path, auth, body) => call(method, path, auth, body),
    deliver: (event, headers, raw) => {
      const payload = raw ?? JSON.stringify(event);
      return call('POST', WEBHOOK_PATH, null, undefined, headers ?? stripe.sign(payload, WEBHOOK_SECRET), payload);
    },
    async adminKey(accountId) {
      return (await issueKey(h.store, { accountId, admin: true, name: 'billing' }, Date.now())).secret;
    },
    async close() {
      await h.close();
      await stripe.close();
    },
  };
}
