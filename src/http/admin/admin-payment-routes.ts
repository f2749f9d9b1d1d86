// The operator's payment endpoints under /admin/v1: plans, a checkout for any account, an account's payments, and
// its auto-recharge settings (including the saved card).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlanError } from '../../domain/payments/plans.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { paymentView, planFromFields, planView } from '../../services/payments/payment-views.js';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import { credits, int, readJsonObject, str } from '../json-body.js';
import { sendJson } from '../respond.js';
import { checkoutFor, getRechargeFor, putRechargeFor } from '../routes/payment-handlers.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

async function mustAccount(deps: GatewayDeps, id: string): Promise<void> {
  if (!(await deps.store.getAccount(id))) throw new NotFoundError(`No account ${id}.`);
}

export const adminPaymentRoutes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/plans', async (_req, res, _p, deps) => {
    sendJson(res, 200, { object: 'list', data: (await deps.payments.store.listPlans()).map(planView) });
  }],
  ['PUT', '/admin/v1/plans/:id', async (req, res, p, deps) => {
    const body = await readJsonObject(req);
    if (body.active !== undefined && typeof body.active !== 'boolean') throw new InvalidRequestError("Invalid 'active': a boolean.", 'active', 'invalid_type');
    let plan;
    try {
      plan = planFromFields({
        id: p.id!, name: str(body, 'name'), kind: str(body, 'kind', { required: true })!, currency: str(body, 'currency') ?? deps.config.payments.currency,
        priceCents: int(body, 'price_cents', { min: 1 }), credits: credits(body, 'credits'), bonus: credits(body, 'bonus_credits'),
        minCents: int(body, 'min_cents', { min: 1 }), maxCents: int(body, 'max_cents', { min: 1 }), creditsPerCent: credits(body, 'credits_per_cent'),
        active: body.active as boolean | undefined,
      });
    } catch (err) {
      if (err instanceof PlanError) throw new InvalidRequestError(err.message, err.param, 'invalid_value');
      throw err;
    }
    sendJson(res, 200, planView(await deps.payments.store.upsertPlan(plan, deps.now())));
  }],
  ['POST', '/admin/v1/accounts/:id/checkout', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 201, await checkoutFor(req, deps, p.id!));
  }],
  ['GET', '/admin/v1/accounts/:id/payments', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 200, { object: 'list', data: (await deps.payments.store.listPayments(p.id!)).map(paymentView) });
  }],
  ['GET', '/admin/v1/accounts/:id/auto_recharge', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 200, await getRechargeFor(deps, p.id!));
  }],
  ['PUT', '/admin/v1/accounts/:id/auto_recharge', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 200, await putRechargeFor(req, deps, p.id!, true));
  }],
];
