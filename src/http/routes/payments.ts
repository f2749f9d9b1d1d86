// Payments on the account's side: the provider's webhook (signature-checked, no key), and for an account admin key
// the plans on sale, a checkout for a plan or a custom amount, its payments, and its auto-recharge settings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { paymentView, planView } from '../../services/payments/payment-views.js';
import { WebhookSignatureError } from '../../services/payments/provider.js';
import { WebhookPayloadError } from '../../services/payments/stripe-provider.js';
import type { RequestContext } from '../../services/usage-record.js';
import type { KeyLookup } from '../../store/store.js';
import { ApiError, InvalidRequestError, MethodNotAllowedError } from '../errors.js';
import { readBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import { checkoutFor, getRechargeFor, putRechargeFor } from './payment-handlers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>;
type KeyHandler = (req: IncomingMessage, res: ServerResponse, who: KeyLookup, deps: GatewayDeps) => Promise<void>;

const WEBHOOK_BODY_LIMIT = 1024 * 1024;
export const STRIPE_WEBHOOK_PATH = '/v1/tollgate/webhooks/stripe';

const keyRoutes: Record<string, Record<string, KeyHandler>> = {
  '/v1/tollgate/plans': {
    GET: async (_req, res, _who, deps) => {
      const plans = (await deps.payments.store.listPlans()).filter((p) => p.active);
      sendJson(res, 200, { object: 'list', data: plans.map(planView), payments_enabled: deps.payments.service.configured });
    },
  },
  '/v1/tollgate/checkout': {
    POST: async (req, res, who, deps) => sendJson(res, 201, await checkoutFor(req, deps, who.account.id)),
  },
  '/v1/tollgate/payments': {
    GET: async (_req, res, who, deps) => sendJson(res, 200, { object: 'list', data: (await deps.payments.store.listPayments(who.account.id)).map(paymentView) }),
  },
  '/v1/tollgate/auto_recharge': {
    GET: async (_req, res, who, deps) => sendJson(res, 200, await getRechargeFor(deps, who.account.id)),
    PUT: async (req, res, who, deps) => sendJson(res, 200, await putRechargeFor(req, deps, who.account.id, false)),
  },
};

export function paymentRoute(method: string, path: string): Handler | undefined {
  if (path === STRIPE_WEBHOOK_PATH) {
    if (method !== 'POST') return async () => { throw new MethodNotAllowedError(method, path); };
    return stripeWebhook;
  }
  const byMethod = keyRoutes[path];
  if (!byMethod) return undefined;
  const handler = byMethod[method];
  if (!handler) return async () => { throw new MethodNotAllowedError(method, path); };
  return async (req, res, _ctx, deps) => {
    await deps.watcher.check();
    const who = await deps.keys.adminKey(req.headers);
    await handler(req, res, who, deps);
  };
}

/**
 * Stripe's webhook: the signature is checked over the raw bytes before anything is read (400 and nothing moves when
 * it fails); a valid event is applied idempotently and answered 200, so Stripe stops redelivering it.
 */
async function stripeWebhook(req: IncomingMessage, res: ServerResponse, _ctx: RequestContext, deps: GatewayDeps): Promise<void> {
  const raw = await readBody(req, WEBHOOK_BODY_LIMIT);
  if (!deps.payments.service.configured) throw new ApiError(404, 'Payments are off: set TOLLGATE_STRIPE_SECRET_KEY and TOLLGATE_STRIPE_WEBHOOK_SECRET.');
  try {
    const outcome = await deps.payments.service.webhook(raw, req.headers);
    sendJson(res, 200, {
      received: true, event: outcome.event, ...(outcome.granted !== undefined ? { granted: outcome.granted } : {}),
      ...(outcome.reversal ? { clawed_back_pico: outcome.reversal.taken.toString() } : {}), ...(outcome.note ? { note: outcome.note } : {}),
    });
  } catch (err) {
    if (err instanceof WebhookSignatureError) throw new InvalidRequestError(`Webhook signature verification failed: ${err.message}`, null, 'invalid_signature');
    if (err instanceof WebhookPayloadError) throw new InvalidRequestError(`Webhook payload not understood: ${err.message}`, null, 'invalid_payload');
    throw err;
  }
}
