// The account's own redemption and receipts endpoints (account admin key): POST /v1/tollgate/redeem and
// GET /v1/tollgate/receipts. Not OpenAI endpoints; OpenAI has none for these.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { receiptsOf } from '../../services/receipts/gateway-receipts.js';
import { receiptView } from '../../services/receipts/receipts.js';
import { redemptionFor } from '../../services/redemption/gateway-redemption.js';
import { redeemForAccount } from '../../services/redemption/redeem-for-account.js';
import { redemptionView } from '../../services/redemption/redemption-views.js';
import type { RequestContext } from '../../services/usage-record.js';
import type { KeyLookup } from '../../store/store.js';
import { MethodNotAllowedError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { codeOf } from '../redemption-body.js';
import { sendJson } from '../respond.js';

type Handler = (req: IncomingMessage, res: ServerResponse, who: KeyLookup, deps: GatewayDeps) => Promise<void>;

const routes: Record<string, [string, Handler]> = {
  '/v1/tollgate/redeem': ['POST', async (req, res, who, deps) => {
    const code = codeOf(await readJsonObject(req));
    const { redemption, available } = await redeemForAccount(deps, who.account.id, req.socket.remoteAddress ?? 'unknown', code);
    sendJson(res, 201, redemptionView(redemption, deps.now(), available));
  }],
  '/v1/tollgate/receipts': ['GET', async (_req, res, who, deps) => {
    const receipts = await receiptsOf(deps, who.account.id);
    sendJson(res, 200, { object: 'list', data: receipts.map(receiptView), has_more: false });
  }],
};

export function redemptionRoute(method: string, path: string):
  ((req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>) | undefined {
  const found = routes[path];
  if (!found) return undefined;
  const [m, handler] = found;
  if (m !== method) return async () => { throw new MethodNotAllowedError(method, path); };
  return async (req, res, _ctx, deps) => {
    await deps.watcher.check();
    const who = await deps.keys.adminKey(req.headers);
    await handler(req, res, who, deps);
  };
}
