// Admin API for redemption codes and receipts: generate a batch (JSON, or CSV with ?format=csv or
// Accept: text/csv; the codes are shown this once), list batches, redeem a code for an account, read its receipts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codesCsv } from '../../domain/redemption/csv.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { receiptsOf } from '../../services/receipts/gateway-receipts.js';
import { receiptView } from '../../services/receipts/receipts.js';
import { redemptionFor } from '../../services/redemption/gateway-redemption.js';
import { BatchRequestError, generateBatch, redeemCode } from '../../services/redemption/redemption-service.js';
import { batchView, generatedView, redemptionView } from '../../services/redemption/redemption-views.js';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { batchRequestOf, codeOf } from '../redemption-body.js';
import { sendBytes, sendJson } from '../respond.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

async function mustAccount(deps: GatewayDeps, id: string): Promise<void> {
  if (!(await deps.store.getAccount(id))) throw new NotFoundError(`No account ${id}.`);
}

export const adminRedemptionRoutes: Array<[string, string, AdminHandler]> = [
  ['POST', '/admin/v1/redemption_batches', async (req, res, _p, deps, url) => {
    const body = await readJsonObject(req);
    const format = url.searchParams.get('format') ?? (typeof body.format === 'string' ? body.format : undefined)
      ?? (String(req.headers.accept ?? '').includes('text/csv') ? 'csv' : 'json');
    if (format !== 'csv' && format !== 'json') throw new InvalidRequestError("Invalid 'format': csv or json.", 'format');
    let generated;
    try {
      generated = await generateBatch(redemptionFor(deps).codes, batchRequestOf(body), deps.now());
    } catch (err) {
      if (err instanceof BatchRequestError) throw new InvalidRequestError(`Invalid ${err.message}.`, err.field, 'invalid_value');
      throw err;
    }
    if (format === 'json') return sendJson(res, 201, generatedView(generated));
    const csv = codesCsv({ batchId: generated.batch.id, amount: generated.batch.amount, expiresAt: generated.batch.expiresAt }, generated.codes.map((c) => ({ code: c.code, codeId: c.id })));
    sendBytes(res, 201, Buffer.from(csv), {
      'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${generated.batch.id}.csv"`,
      'x-tollgate-batch-id': generated.batch.id,
    });
  }],
  ['GET', '/admin/v1/redemption_batches', async (_req, res, _p, deps) => {
    sendJson(res, 200, { object: 'list', data: (await redemptionFor(deps).codes.listBatches()).map(batchView) });
  }],
  ['GET', '/admin/v1/redemption_batches/:id', async (_req, res, p, deps) => {
    const batch = await redemptionFor(deps).codes.getBatch(p.id!);
    if (!batch) throw new NotFoundError(`No redemption batch ${p.id}.`);
    sendJson(res, 200, batchView(batch));
  }],
  // The operator redeems on an account's behalf (support desk): no guessing throttle, same exactly-once claim.
  ['POST', '/admin/v1/accounts/:id/redeem', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const code = codeOf(await readJsonObject(req));
    const redemption = await redeemCode({ store: deps.store, codes: redemptionFor(deps).codes }, p.id!, code, deps.now());
    await deps.watcher.check();
    deps.alerts.schedule(p.id!);
    sendJson(res, 201, redemptionView(redemption, deps.now(), (await deps.wallet.balance(p.id!)).available));
  }],
  ['GET', '/admin/v1/accounts/:id/receipts', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const receipts = await receiptsOf(deps, p.id!);
    sendJson(res, 200, { object: 'list', data: receipts.map(receiptView), has_more: false });
  }],
];
