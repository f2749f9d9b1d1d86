// The operator's management API under /admin/v1 (bearer TOLLGATE_ADMIN_TOKEN): accounts, keys, credits, budgets,
// prices, usage. JSON in and out, snake_case, credits as decimal strings; errors in OpenAI's shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GRANT_SOURCES, type GrantSource } from '../../domain/ledger/lots.js';
import { BUDGET_PERIODS, isValidTimeZone, type BudgetPeriod } from '../../domain/budgets/period.js';
import type { BudgetScope } from '../../domain/budgets/budget.js';
import { openAccount } from '../../services/accounts.js';
import { issueKey } from '../../services/api-keys.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { renderMetrics } from '../../observability/metrics.js';
import { balanceView, budgetView, grantView, keyView, priceView, usageView } from '../../views/views.js';
import { InvalidRequestError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import { credits, int, readJsonObject, str, time } from '../json-body.js';
import { matchPath } from '../path-match.js';
import { sendBytes, sendJson } from '../respond.js';
import { requireAdmin } from './admin-auth.js';
import { isTier } from '../../domain/rate-limits/tiers.js';
import { adminAlertRoutes } from './admin-alert-routes.js';
import { adminPolicyRoutes } from './admin-policy-routes.js';
import { adminRedemptionRoutes } from './admin-redemption-routes.js';
import { adminCacheRoutes } from './admin-cache-routes.js';
import { adminInsightRoutes } from '../routes/insights.js';
import { adminPaymentRoutes } from './admin-payment-routes.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

const routes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/accounts', async (_req, res, _p, deps) => {
    const accounts = await deps.store.listAccounts();
    sendJson(res, 200, { object: 'list', data: accounts.map((a) => ({ id: a.id, name: a.name, tier: a.tier, created_at: new Date(a.createdAt).toISOString() })) });
  }],
  ['POST', '/admin/v1/accounts', async (req, res, _p, deps) => {
    const body = await readJsonObject(req);
    const tier = str(body, 'tier');
    const { account, project, signupGrant } = await openAccount(deps.store, deps.config,
      { name: str(body, 'name', { required: true })!, ...(tier ? { tier } : {}) }, deps.now());
    sendJson(res, 201, {
      id: account.id, name: account.name, tier: account.tier, default_project_id: project.id,
      signup_grant: signupGrant ? grantView(signupGrant, deps.now()) : null,
    });
  }],
  ['GET', '/admin/v1/accounts/:id', async (_req, res, p, deps) => {
    const account = await mustAccount(deps, p.id!);
    const projects = await deps.store.listProjects(account.id);
    sendJson(res, 200, {
      id: account.id, name: account.name, tier: account.tier, created_at: new Date(account.createdAt).toISOString(),
      projects: projects.map((pr) => ({ id: pr.id, name: pr.name })),
    });
  }],
  ['PUT', '/admin/v1/accounts/:id/tier', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const tier = str(await readJsonObject(req), 'tier', { required: true })!;
    if (!isTier(deps.limits.ladder, tier)) throw new InvalidRequestError(`Unknown tier ${JSON.stringify(tier)}.`, 'tier');
    await deps.store.setAccountTier(p.id!, tier);
    sendJson(res, 200, { account_id: p.id, tier, effective_tier: await deps.limits.tierOf(p.id!, tier, deps.now()) });
  }],
  ['GET', '/admin/v1/projects/:id/rate_limits', async (_req, res, p, deps) => {
    if (!(await deps.store.getProject(p.id!))) throw new NotFoundError(`No project ${p.id}.`);
    sendJson(res, 200, { object: 'list', data: await deps.store.listRateLimitOverrides(p.id!) });
  }],
  ['PUT', '/admin/v1/projects/:id/rate_limits', async (req, res, p, deps) => {
    if (!(await deps.store.getProject(p.id!))) throw new NotFoundError(`No project ${p.id}.`);
    const body = await readJsonObject(req);
    const override = {
      family: str(body, 'model') ?? '*', rpm: int(body, 'rpm', { min: 1 }) ?? null, tpm: int(body, 'tpm', { min: 1 }) ?? null,
      rpd: int(body, 'rpd', { min: 1 }) ?? null,
    };
    await deps.store.setRateLimitOverride(p.id!, override, deps.now());
    sendJson(res, 200, { project_id: p.id, ...override });
  }],
  ['GET', '/admin/v1/accounts/:id/balance', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 200, balanceView(await deps.wallet.balance(p.id!), deps.now()));
  }],
  ['POST', '/admin/v1/accounts/:id/grants', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const body = await readJsonObject(req);
    const source = (str(body, 'source') ?? 'adjustment') as GrantSource;
    if (!GRANT_SOURCES.includes(source)) throw new InvalidRequestError(`Invalid 'source': one of ${GRANT_SOURCES.join(', ')}.`, 'source');
    const amount = credits(body, 'amount', { required: true })!;
    if (amount <= 0n) throw new InvalidRequestError("Invalid 'amount': must be above zero.", 'amount');
    const expiresAt = time(body, 'expires_at');
    if (expiresAt && expiresAt <= deps.now()) throw new InvalidRequestError("Invalid 'expires_at': in the past.", 'expires_at');
    const priority = int(body, 'priority');
    const key = str(body, 'idempotency_key') ?? (typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined);
    const note = str(body, 'note');
    const { grant, created } = await deps.store.insertGrant({
      accountId: p.id!, source, amount, expiresAt: expiresAt ?? null,
      ...(priority !== undefined ? { priority } : {}), ...(key ? { idempotencyKey: key } : {}), ...(note ? { note } : {}),
    }, deps.now());
    deps.alerts.schedule(p.id!);
    sendJson(res, created ? 201 : 200, { ...grantView(grant, deps.now()), created });
  }],
  ['POST', '/admin/v1/grants/:id/void', async (_req, res, p, deps) => {
    const grant = await deps.store.voidGrant(p.id!, deps.now());
    if (!grant) throw new NotFoundError(`No grant ${p.id}.`);
    sendJson(res, 200, grantView(grant, deps.now()));
  }],
  ['GET', '/admin/v1/accounts/:id/keys', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    sendJson(res, 200, { object: 'list', data: (await deps.store.listKeys(p.id!)).map(keyView) });
  }],
  ['POST', '/admin/v1/accounts/:id/keys', async (req, res, p, deps) => {
    const body = await readJsonObject(req);
    const { record, secret } = await issueKey(deps.store, {
      accountId: p.id!, projectId: str(body, 'project_id'), admin: body.admin === true, name: str(body, 'name'),
    }, deps.now());
    sendJson(res, 201, { ...keyView(record), key: secret });
  }],
  ['DELETE', '/admin/v1/keys/:id', async (_req, res, p, deps) => {
    if (!(await deps.store.revokeKey(p.id!, deps.now()))) throw new NotFoundError(`No active key ${p.id}.`);
    sendJson(res, 200, { id: p.id, object: 'api_key.revoked', revoked: true });
  }],
  ['GET', '/admin/v1/accounts/:id/budgets', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const status = await deps.store.budgetStatus(p.id!, deps.now());
    sendJson(res, 200, { object: 'list', data: status.map((s) => budgetView(s, true)) });
  }],
  ['PUT', '/admin/v1/accounts/:id/budgets', async (req, res, p, deps) => {
    const account = await mustAccount(deps, p.id!);
    const body = await readJsonObject(req);
    const scope = (str(body, 'scope') ?? 'account') as BudgetScope;
    if (!['account', 'project', 'key'].includes(scope)) throw new InvalidRequestError("Invalid 'scope': account, project or key.", 'scope');
    const scopeId = scope === 'account' ? account.id : str(body, 'scope_id', { required: true })!;
    if (scope === 'project' && (await deps.store.getProject(scopeId))?.accountId !== account.id) throw new NotFoundError(`No project ${scopeId} in this account.`);
    if (scope === 'key' && !(await deps.store.listKeys(account.id)).some((k) => k.id === scopeId)) throw new NotFoundError(`No key ${scopeId} in this account.`);
    const period = (str(body, 'period') ?? 'month') as BudgetPeriod;
    if (!BUDGET_PERIODS.includes(period)) throw new InvalidRequestError(`Invalid 'period': one of ${BUDGET_PERIODS.join(', ')}.`, 'period');
    const timeZone = str(body, 'timezone') ?? 'UTC';
    if (!isValidTimeZone(timeZone)) throw new InvalidRequestError(`Invalid 'timezone': unknown time zone ${JSON.stringify(timeZone)}.`, 'timezone');
    const thresholds = body.thresholds ?? [50, 80, 100];
    if (!Array.isArray(thresholds) || thresholds.some((t) => typeof t !== 'number' || !Number.isInteger(t) || t <= 0 || t > 1000)) {
      throw new InvalidRequestError("Invalid 'thresholds': whole percentages, e.g. [50, 80, 100].", 'thresholds');
    }
    const budget = await deps.store.setBudget({
      accountId: account.id, scope, scopeId, period, timeZone, limit: credits(body, 'limit', { required: true })!,
      thresholds: [...new Set(thresholds as number[])].sort((a, b) => a - b),
    }, deps.now());
    sendJson(res, 200, budgetView({ budget, periodKey: '', spent: 0n, held: 0n }, false));
  }],
  ['DELETE', '/admin/v1/budgets/:id', async (_req, res, p, deps) => {
    if (!(await deps.store.deleteBudget(p.id!, deps.now()))) throw new NotFoundError(`No budget ${p.id}.`);
    sendJson(res, 200, { id: p.id, object: 'budget.deleted', deleted: true });
  }],
  ['GET', '/admin/v1/accounts/:id/usage', async (_req, res, p, deps, url) => {
    await mustAccount(deps, p.id!);
    await deps.wallet.flush();
    const since = url.searchParams.get('since');
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    const rows = await deps.store.listUsage({
      accountId: p.id!, ...(since ? { since: Date.parse(since) || 0 } : {}), limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 1000,
    });
    sendJson(res, 200, { object: 'list', data: rows.map(usageView) });
  }],
  ['GET', '/admin/v1/prices', async (_req, res, _p, deps) => {
    sendJson(res, 200, { object: 'list', data: (await deps.store.listPrices()).map(priceView) });
  }],
  ['GET', '/admin/v1/tiers', async (_req, res, _p, deps) => {
    sendJson(res, 200, { object: 'list', data: deps.limits.ladder.tiers.map((t) => ({ name: t.name })) });
  }],
  ['GET', '/admin/v1/metrics', async (_req, res) => {
    sendBytes(res, 200, Buffer.from(renderMetrics()), { 'content-type': 'text/plain; version=0.0.4' });
  }],
];

const allRoutes = [
  ...routes, ...adminAlertRoutes, ...adminPolicyRoutes, ...adminRedemptionRoutes, ...adminCacheRoutes, ...adminInsightRoutes,
  ...adminPaymentRoutes,
];

export function adminRoute(method: string, path: string): ((req: IncomingMessage, res: ServerResponse, deps: GatewayDeps) => Promise<void>) | undefined {
  let pathMatched = false;
  for (const [m, pattern, handler] of allRoutes) {
    const params = matchPath(pattern, path);
    if (!params) continue;
    pathMatched = true;
    if (m !== method) continue;
    return async (req, res, deps) => {
      requireAdmin(req.headers, deps.config.adminToken);
      await deps.watcher.check();
      await handler(req, res, params, deps, new URL(req.url ?? '/', 'http://localhost'));
    };
  }
  if (pathMatched) {
    return async (req, _res, deps) => {
      requireAdmin(req.headers, deps.config.adminToken);
      throw new MethodNotAllowedError(method, path);
    };
  }
  return undefined;
}

async function mustAccount(deps: GatewayDeps, id: string) {
  const account = await deps.store.getAccount(id);
  if (!account) throw new NotFoundError(`No account ${id}.`);
  return account;
}
