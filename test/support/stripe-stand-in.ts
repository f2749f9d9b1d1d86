// A local HTTP stand-in for the few Stripe endpoints Tollgate uses (checkout sessions, payment intents), in Stripe's
// response and error shapes, so tests run Stripe's real library against it (host/port/protocol point here). It
// records every request, replays a response for a repeated Idempotency-Key as Stripe does, can be told to decline
// off-session charges, and builds the webhook events Stripe would send.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

type Obj = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  body: Obj;
  idempotencyKey: string | null;
}

export interface StripeStandIn {
  url: string;
  requests: RecordedRequest[];
  sessions: Map<string, Obj>;
  intents: Map<string, Obj>;
  /** Off-session charges decline with card_declined while this is true. */
  declineCharges: boolean;
  /** The next N payment-intent calls are processed, but their connection is cut before the answer (a lost outcome). */
  dropAnswers: number;
  /** The signed event Stripe would send for a paid checkout session. */
  checkoutCompleted(sessionId: string, opts?: { eventId?: string; customer?: string }): Obj;
  paymentIntentSucceeded(intent: Obj, opts?: { eventId?: string }): Obj;
  paymentIntentFailed(intent: Obj, opts?: { eventId?: string }): Obj;
  chargeRefunded(paymentIntentId: string, amountRefunded: number, opts?: { eventId?: string; chargeId?: string }): Obj;
  /** Headers a genuine delivery of `payload` carries, signed with the library's own test-header helper. */
  sign(payload: string, secret: string, timestamp?: number): Record<string, string>;
  close(): Promise<void>;
}

const rid = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`;

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Obj>();
  const intents = new Map<string, Obj>();
  const replies = new Map<string, { status: number; body: string }>();
  const signer = new Stripe('sk_test_signer');
  const state = { declineCharges: false, dropAnswers: 0 };

  const handle = (method: string, path: string, body: Obj): { status: number; body: Obj } => {
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const items = (body.line_items ?? {}) as Record<string, Obj>;
      const item = items['0'] ?? {};
      const price = (item.price_data ?? {}) as Obj;
      const id = rid('cs');
      const session: Obj = {
        id, object: 'checkout.session', mode: body.mode, status: 'open', payment_status: 'unpaid',
        url: `https://checkout.stripe.test/c/pay/${id}`, amount_total: Number(price.unit_amount) * Number(item.quantity ?? 1),
        currency: price.currency, client_reference_id: body.client_reference_id ?? null, customer: body.customer ?? null,
        metadata: body.metadata ?? {}, payment_intent: null, success_url: body.success_url, cancel_url: body.cancel_url,
        payment_intent_data: body.payment_intent_data ?? {},
      };
      sessions.set(id, session);
      return { status: 200, body: session };
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const id = rid('pi');
      const intent: Obj = {
        id, object: 'payment_intent', amount: Number(body.amount), currency: body.currency, customer: body.customer ?? null,
        payment_method: body.payment_method ?? null, metadata: body.metadata ?? {}, amount_received: 0, status: 'requires_confirmation',
      };
      if (body.confirm === 'true' && state.declineCharges) {
        intent.status = 'requires_payment_method';
        intent.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
        intents.set(id, intent);
        return {
          status: 402,
          body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', payment_intent: intent } },
        };
      }
      if (body.confirm === 'true') {
        intent.status = 'succeeded';
        intent.amount_received = intent.amount;
      }
      intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const got = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && got) {
      const intent = intents.get(got[1]!);
      if (intent) return { status: 200, body: intent };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  };

  const server: Server = createServer((req, res) => {
    readAll(req).then((raw) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const body = parseForm(raw);
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      requests.push({ method: req.method ?? 'GET', path, body, idempotencyKey: key });
      const replayKey = key ? `${req.method} ${path} ${key}` : null;
      let reply = replayKey ? replies.get(replayKey) : undefined;
      if (!reply) {
        const out = handle(req.method ?? 'GET', path, body);
        reply = { status: out.status, body: JSON.stringify(out.body) };
        if (replayKey) replies.set(replayKey, reply);
      }
      if (path === '/v1/payment_intents' && state.dropAnswers > 0) {
        state.dropAnswers--;
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': rid('req') }).end(reply.body);
    }).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const event = (type: string, object: Obj, eventId?: string): Obj => ({
    id: eventId ?? rid('evt'), object: 'event', api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), type,
    livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object },
  });

  return {
    url, requests, sessions, intents,
    get declineCharges() { return state.declineCharges; },
    set declineCharges(v: boolean) { state.declineCharges = v; },
    get dropAnswers() { return state.dropAnswers; },
    set dropAnswers(v: number) { state.dropAnswers = v; },
    checkoutCompleted(sessionId, opts = {}) {
      const s = sessions.get(sessionId);
      if (!s) throw new Error(`no session ${sessionId}`);
      const pid = s.payment_intent_data as Obj;
      const saved = pid.setup_future_usage === 'off_session';
      if (!s.payment_intent) {
        s.payment_intent = rid('pi');
        s.customer = s.customer ?? opts.customer ?? (saved ? rid('cus') : null);
        intents.set(s.payment_intent as string, {
          id: s.payment_intent, object: 'payment_intent', amount: s.amount_total, amount_received: s.amount_total, currency: s.currency,
          customer: s.customer, payment_method: rid('pm'), status: 'succeeded', metadata: pid.metadata ?? {},
        });
      }
      return event('checkout.session.completed', { ...s, status: 'complete', payment_status: 'paid' }, opts.eventId);
    },
    paymentIntentSucceeded(intent, opts = {}) {
      return event('payment_intent.succeeded', { ...intent, status: 'succeeded', amount_received: intent.amount }, opts.eventId);
    },
    paymentIntentFailed(intent, opts = {}) {
      return event('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method' }, opts.eventId);
    },
    chargeRefunded(paymentIntentId, amountRefunded, opts = {}) {
      return event('charge.refunded', {
        id: opts.chargeId ?? `ch_for_${paymentIntentId}`, object: 'charge', payment_intent: paymentIntentId, amount_refunded: amountRefunded, refunded: true,
      }, opts.eventId);
    },
    sign(payload, secret, timestamp) {
      return {
        'content-type': 'application/json',
        'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) }),
      };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}

/** Stripe's form encoding (`a[b][0][c]=v`) back into nested objects (arrays come back keyed "0", "1", …). */
export function parseForm(raw: string): Obj {
  const out: Obj = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const parts = key.split(/[[\]]+/).filter(Boolean);
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Obj;
    });
  }
  return out;
}
