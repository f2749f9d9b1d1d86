// Admin API for request policies: list an account's, set one scope's (replacing it), delete one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { policyTarget, policyView, rulesFromWire, targetFromWire } from '../../services/policies/policy-wire.js';
import { NotFoundError } from '../errors.js';
import { readJsonObject } from '../json-body.js';
import { sendJson } from '../respond.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

export const adminPolicyRoutes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/accounts/:id/policies', async (_req, res, p, deps) => {
    if (!(await deps.store.getAccount(p.id!))) throw new NotFoundError(`No account ${p.id}.`);
    const list = await deps.policies.store.listPolicies(p.id!);
    sendJson(res, 200, { object: 'list', data: list.map(policyView) });
  }],
  ['PUT', '/admin/v1/accounts/:id/policies', async (req, res, p, deps) => {
    const body = await readJsonObject(req);
    const target = await policyTarget(deps.store, p.id!, targetFromWire(body));
    const policy = await deps.policies.store.setPolicy(target, rulesFromWire(body), deps.now());
    deps.policies.invalidate();
    sendJson(res, 200, policyView(policy));
  }],
  ['DELETE', '/admin/v1/accounts/:id/policies', async (_req, res, p, deps, url) => {
    const target = await policyTarget(deps.store, p.id!, targetFromWire({
      scope: url.searchParams.get('scope') ?? 'account', scope_id: url.searchParams.get('scope_id'),
    }));
    if (!(await deps.policies.store.deletePolicy(target.scope, target.scopeId))) {
      throw new NotFoundError(`No policy on ${target.scope} ${target.scopeId}.`);
    }
    deps.policies.invalidate();
    sendJson(res, 200, { object: 'tollgate.policy.deleted', scope: target.scope, scope_id: target.scopeId, deleted: true });
  }],
];
