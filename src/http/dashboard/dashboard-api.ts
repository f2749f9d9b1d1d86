// The dashboard's JSON API under /dashboard/api: session sign-in and sign-up, and the signed-in member's own
// account only (every id in a path or body is checked against the session's account; another account's id is 404).
// Roles: reader reads; member also manages keys, uses the playground and redeems codes; owner also sets budgets, lists and invites members.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BUDGET_PERIODS, type BudgetPeriod } from '../../domain/budgets/period.js';
import { issueKey } from '../../services/api-keys.js';
import { requireSession, dashboardState, openSession, signIn, signOut, type Session } from '../../services/dashboard/dashboard-auth.js';
import { isRole } from '../../services/dashboard/member-store.js';
import { issueInvite, signUp } from '../../services/dashboard/sign-up.js';
import { usageSeries, type GroupBy } from '../../services/dashboard/usage-series.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import type { RequestContext } from '../../services/usage-record.js';
import { balanceView, budgetView, keyView } from '../../views/views.js';
import { ApiError, InvalidRequestError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import { credits, readJsonObject, str } from '../json-body.js';
import { matchPath } from '../path-match.js';
import { sendJson } from '../respond.js';
import { dashboardCreditRoutes } from './dashboard-credits-api.js';
import { playground } from './playground.js';

type Params = Record<string, string>;
type Handler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, ctx: RequestContext, url: URL) => Promise<void>;
const DAY_MS = 86_400_000;

function meView(s: Session, accountName: string) {
  return {
    email: s.member.email, role: s.member.role, account_id: s.member.accountId, account_name: accountName, csrf_token: s.session.csrfToken,
  };
}

async function me(deps: GatewayDeps, s: Session) {
  return meView(s, (await deps.store.getAccount(s.member.accountId))?.name ?? '');
}

const routes: Array<[string, string, Handler]> = [
  ['POST', '/dashboard/api/session', async (req, res, _p, deps) => {
    const body = await readJsonObject(req);
    const s = await signIn(req, res, deps, str(body, 'email', { required: true })!, str(body, 'password', { required: true })!);
    sendJson(res, 200, await me(deps, s));
  }],
  ['DELETE', '/dashboard/api/session', async (req, res, _p, deps) => {
    await requireSession(req, deps, 'reader');
    await signOut(req, res, deps);
    sendJson(res, 200, { signed_out: true });
  }],
  ['GET', '/dashboard/api/config', async (_req, res, _p, deps) => {
    sendJson(res, 200, { signup_mode: deps.config.signupMode, admin_api: deps.config.adminToken !== undefined });
  }],
  ['POST', '/dashboard/api/signup', async (req, res, _p, deps) => {
    const body = await readJsonObject(req);
    const member = await signUp(deps, dashboardState(deps).members, {
      email: str(body, 'email', { required: true })!, password: str(body, 'password', { required: true })!,
      inviteToken: str(body, 'invite_token'), accountName: str(body, 'account_name'),
    });
    sendJson(res, 201, await me(deps, await openSession(req, res, deps, member)));
  }],
  ['POST', '/dashboard/api/invites', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'owner');
    const body = await readJsonObject(req);
    const role = str(body, 'role') ?? 'member';
    if (!isRole(role)) throw new InvalidRequestError("Invalid 'role': owner, member or reader.", 'role');
    const { token, expiresAt } = await issueInvite(dashboardState(deps).members,
      { accountId: s.member.accountId, email: str(body, 'email', { required: true })!, role }, deps.now());
    sendJson(res, 201, { token, link: `/dashboard/#/join/${token}`, role, expires_at: new Date(expiresAt).toISOString() });
  }],
  ['GET', '/dashboard/api/me', async (req, res, _p, deps) => {
    sendJson(res, 200, await me(deps, await requireSession(req, deps, 'reader')));
  }],
  ['GET', '/dashboard/api/balance', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    await deps.wallet.flush();
    sendJson(res, 200, balanceView(await deps.wallet.balance(s.member.accountId), deps.now()));
  }],
  ['GET', '/dashboard/api/projects', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    sendJson(res, 200, { object: 'list', data: (await deps.store.listProjects(s.member.accountId)).map((p) => ({ id: p.id, name: p.name })) });
  }],
  ['GET', '/dashboard/api/usage', async (req, res, _p, deps, _ctx, url) => {
    const s = await requireSession(req, deps, 'reader');
    const by = (url.searchParams.get('group_by') ?? 'model') as GroupBy;
    if (!['model', 'project', 'key'].includes(by)) throw new InvalidRequestError("Invalid 'group_by': model, project or key.", 'group_by');
    const days = Number(url.searchParams.get('days') ?? 30);
    if (!Number.isSafeInteger(days) || days < 1 || days > 366) throw new InvalidRequestError("Invalid 'days': 1 to 366.", 'days');
    await deps.wallet.flush();
    const until = deps.now();
    const since = (Math.floor(until / DAY_MS) - days + 1) * DAY_MS;
    const rows = await deps.store.listUsage({ accountId: s.member.accountId, since, limit: 100_000 });
    sendJson(res, 200, usageSeries(rows, by, since, until));
  }],
  ['GET', '/dashboard/api/keys', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    sendJson(res, 200, { object: 'list', data: (await deps.store.listKeys(s.member.accountId)).map(keyView) });
  }],
  ['POST', '/dashboard/api/keys', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'member');
    const body = await readJsonObject(req);
    const { record, secret } = await issueKey(deps.store, {
      accountId: s.member.accountId, projectId: str(body, 'project_id'), name: str(body, 'name'),
    }, deps.now());
    sendJson(res, 201, { ...keyView(record), key: secret });
  }],
  ['DELETE', '/dashboard/api/keys/:id', async (req, res, p, deps) => {
    const s = await requireSession(req, deps, 'member');
    const key = (await deps.store.listKeys(s.member.accountId)).find((k) => k.id === p.id && k.revokedAt === null);
    if (!key || !(await deps.store.revokeKey(key.id, deps.now()))) throw new NotFoundError(`No active key ${p.id} in this account.`);
    deps.keys.invalidate();
    sendJson(res, 200, { id: p.id, object: 'api_key.revoked', revoked: true });
  }],
  ['GET', '/dashboard/api/budgets', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    const status = await deps.store.budgetStatus(s.member.accountId, deps.now());
    sendJson(res, 200, { object: 'list', data: status.map((b) => budgetView(b, true)) });
  }],
  ['PUT', '/dashboard/api/budgets', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'owner');
    const accountId = s.member.accountId;
    const body = await readJsonObject(req);
    const scope = str(body, 'scope') ?? 'account';
    if (scope !== 'account' && scope !== 'project') throw new InvalidRequestError("Invalid 'scope': account or project.", 'scope');
    const scopeId = scope === 'account' ? accountId : str(body, 'scope_id', { required: true })!;
    if (scope === 'project' && (await deps.store.getProject(scopeId))?.accountId !== accountId) throw new NotFoundError(`No project ${scopeId} in this account.`);
    const period = (str(body, 'period') ?? 'month') as BudgetPeriod;
    if (!BUDGET_PERIODS.includes(period)) throw new InvalidRequestError(`Invalid 'period': one of ${BUDGET_PERIODS.join(', ')}.`, 'period');
    const limit = credits(body, 'limit', { required: true })!;
    if (limit <= 0n) throw new InvalidRequestError("Invalid 'limit': must be above zero.", 'limit');
    const budget = await deps.store.setBudget({ accountId, scope, scopeId, period, timeZone: 'UTC', limit, thresholds: [50, 80, 100] }, deps.now());
    sendJson(res, 200, budgetView({ budget, periodKey: '', spent: 0n, held: 0n }, false));
  }],
  ['DELETE', '/dashboard/api/budgets/:id', async (req, res, p, deps) => {
    const s = await requireSession(req, deps, 'owner');
    const mine = (await deps.store.listBudgets(s.member.accountId)).some((b) => b.id === p.id);
    if (!mine || !(await deps.store.deleteBudget(p.id!, deps.now()))) throw new NotFoundError(`No budget ${p.id} in this account.`);
    sendJson(res, 200, { id: p.id, object: 'budget.deleted', deleted: true });
  }],
  ['GET', '/dashboard/api/alerts', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'reader');
    const rules = await deps.alerts.store.listRules(s.member.accountId);
    const deliveries = await deps.alerts.store.listDeliveries({ accountId: s.member.accountId, limit: 100 });
    sendJson(res, 200, {
      rules: rules.map((r) => ({ id: r.id, kind: r.kind, enabled: r.enabled, channels: r.channels.map((c) => c.type) })),
      deliveries: deliveries.map((d) => ({
        id: d.id, rule_id: d.ruleId, kind: d.kind, channel: d.channelType, status: d.status,
        attempts: d.attempts, created_at: new Date(d.createdAt).toISOString(),
      })),
    });
  }],
  ['GET', '/dashboard/api/members', async (req, res, _p, deps) => {
    const s = await requireSession(req, deps, 'owner');
    const rows = await dashboardState(deps).members.listMembers(s.member.accountId);
    sendJson(res, 200, { object: 'list', data: rows.map((m) => ({ id: m.id, email: m.email, role: m.role, created_at: new Date(m.createdAt).toISOString() })) });
  }],
  ['POST', '/dashboard/api/playground/chat', async (req, res, _p, deps, ctx) => {
    await playground(req, res, deps, ctx, await requireSession(req, deps, 'member'));
  }],
  ...dashboardCreditRoutes,
];

export function dashboardApiRoute(method: string, path: string):
  ((req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>) | undefined {
  let pathMatched = false;
  for (const [m, pattern, handler] of routes) {
    const params = matchPath(pattern, path);
    if (!params) continue;
    pathMatched = true;
    if (m !== method) continue;
    return async (req, res, ctx, deps) => {
      res.setHeader('cache-control', 'no-store');
      await deps.watcher.check();
      await handler(req, res, params, deps, ctx, new URL(req.url ?? '/', 'http://localhost'));
    };
  }
  if (pathMatched) return async () => { throw new MethodNotAllowedError(method, path); };
  return undefined;
}
