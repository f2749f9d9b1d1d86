// OpenAI's usage and costs API for an account admin key: GET /v1/organization/usage/completions,
// /v1/organization/usage/embeddings and /v1/organization/costs, read from the per-minute usage rollups.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseReportQuery, ReportQueryError, type ReportKind, type ReportQuery } from '../../domain/usage-report/report-query.js';
import { matchesNothing, reportPage, storeGrouping, type RollupSum } from '../../domain/usage-report/report-view.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import type { RollupKind } from '../../services/usage-report/usage-rollup-store.js';
import { usageRollupsFor } from '../../services/usage-report/usage-rollups.js';
import type { RequestContext } from '../../services/usage-record.js';
import { InvalidRequestError, MethodNotAllowedError } from '../errors.js';
import { sendJson } from '../respond.js';

const PATHS: Record<string, ReportKind> = {
  '/v1/organization/usage/completions': 'completions',
  '/v1/organization/usage/embeddings': 'embeddings',
  '/v1/organization/costs': 'costs',
};

const KINDS: Record<ReportKind, readonly RollupKind[]> = {
  completions: ['completions'],
  embeddings: ['embeddings'],
  costs: ['completions', 'embeddings'],
};

export function organizationUsageRoute(method: string, path: string):
  ((req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>) | undefined {
  const kind = PATHS[path];
  if (!kind) return undefined;
  if (method !== 'GET') return async () => { throw new MethodNotAllowedError(method, path); };
  return async (req, res, _ctx, deps) => {
    await deps.watcher.check();
    const who = await deps.keys.adminKey(req.headers);
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    let q: ReportQuery;
    try {
      q = parseReportQuery(kind, params, Math.floor(deps.now() / 1000));
    } catch (err) {
      if (err instanceof ReportQueryError) throw new InvalidRequestError(err.message, err.param, err.code);
      throw err;
    }
    sendJson(res, 200, reportPage(q, await readSums(deps, who.account.id, q)));
  };
}

async function readSums(deps: GatewayDeps, accountId: string, q: ReportQuery): Promise<RollupSum[]> {
  if (matchesNothing(q)) return [];
  return usageRollupsFor(deps.store).sums({
    accountId, kinds: KINDS[q.kind],
    from: q.pageStart, to: Math.min(q.pageStart + q.limit * q.widthSec, q.end),
    origin: q.origin, widthSec: q.widthSec, group: storeGrouping(q.groupBy),
    projectIds: q.projectIds, keyIds: q.apiKeyIds, models: q.models,
  });
}
