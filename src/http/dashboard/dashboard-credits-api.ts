// The dashboard's credit routes, for the signed-in member's own account only: the forecast, the receipts and the plans
// on sale (reader and up); redeeming a code (member and owner) through the same service, throttle and exactly-once
// claim as POST /v1/tollgate/redeem; and a checkout for a plan (owner: it spends the account's money), as
// POST /v1/tollgate/checkout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireSession } from '../../services/dashboard/dashboard-auth.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { planView } from '../../services/payments/payment-views.js';
import { receiptsOf } from '../../services/receipts/gateway-receipts.js';
import { receiptView } from '../../services/receipts/receipts.js';
import { redemptionFor } from '../../services/redemption/gateway-redemption.js';
import { redeemForAccount } from '../../services/redemption/redeem-for-account.js';
import { redemptionView } from '../../services/redemption/redemption-views.js';
import { readJsonObject } from '../json-body.js';
import { codeOf } from '../redemption-body.js';
import { sendJson } from '../respond.js';
import { sendForecast } from '../routes/insights.js';
import { checkoutFor } from '../routes/payment-handlers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, p: Record<string, string>, deps: GatewayDeps) => Promise<void>;

export const dashboardCreditRoutes: Array<[string, string, Handler]> = [
  ['GET', '/dashboard/api/forecast', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    await sendForecast(res, deps, s.member.accountId);
  }],
  ['GET', '/dashboard/api/receipts', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    const receipts = await receiptsOf(deps, s.member.accountId);
    sendJson(res, 200, { object: 'list', data: receipts.map(receiptView), has_more: false });
  }],
  ['POST', '/dashboard/api/redeem', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'member');
    const code = codeOf(await readJsonObject(req));
    const { redemption, available } = await redeemForAccount(deps, s.member.accountId, req.socket.remoteAddress ?? 'unknown', code);
    sendJson(res, 201, redemptionView(redemption, deps.now(), available));
  }],
  ['GET', '/dashboard/api/plans', async (req, res, _p, deps) => {
    await requireSession(req, deps, 'reader');
    const plans = (await deps.payments.store.listPlans()).filter((p) => p.active);
    sendJson(res, 200, { object: 'list', data: plans.map(planView), payments_enabled: deps.payments.service.configured });
  }],
  ['POST', '/dashboard/api/checkout', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'owner');
    sendJson(res, 201, await checkoutFor(req, deps, s.member.accountId));
  }],
];
