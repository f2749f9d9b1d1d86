// Admin API for alerts: an account's rules (create, list, delete) and the delivery log (per account or all).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRuleFromWire, deliveryView, ruleOfAccount, ruleView } from '../../services/alerts/alert-rules.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { NotFoundError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { sendJson } from '../respond.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

async function mustAccount(deps: GatewayDeps, id: string): Promise<void> {
  if (!(await deps.store.getAccount(id))) throw new NotFoundError(`No account ${id}.`);
}

export const adminAlertRoutes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/accounts/:id/alert_rules', async (_req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const rules = await deps.alerts.store.listRules(p.id!);
    sendJson(res, 200, { object: 'list', data: rules.map((r) => ruleView(r, { revealSecrets: false })) });
  }],
  ['POST', '/admin/v1/accounts/:id/alert_rules', async (req, res, p, deps) => {
    await mustAccount(deps, p.id!);
    const { rule } = await createRuleFromWire(deps.alerts.store, p.id!, await readJsonObject(req), deps.now());
    deps.alerts.schedule(p.id!);
    sendJson(res, 201, ruleView(rule, { revealSecrets: true }));
  }],
  ['DELETE', '/admin/v1/accounts/:id/alert_rules/:rule', async (_req, res, p, deps) => {
    await ruleOfAccount(deps.alerts.store, p.id!, p.rule!);
    await deps.alerts.store.deleteRule(p.rule!);
    sendJson(res, 200, { id: p.rule, object: 'alert_rule.deleted', deleted: true });
  }],
  ['GET', '/admin/v1/alert_deliveries', async (_req, res, _p, deps, url) => {
    const accountId = url.searchParams.get('account_id') ?? undefined;
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const list = await deps.alerts.store.listDeliveries({
      ...(accountId ? { accountId } : {}), limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50,
    });
    sendJson(res, 200, { object: 'list', data: list.map(deliveryView) });
  }],
];
