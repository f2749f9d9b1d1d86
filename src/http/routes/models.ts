// GET /v1/models and /v1/models/{id}: the upstream's list, narrowed to the models this gateway can price.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ModelNotFoundError } from '../errors.js';
import { sendBytes, sendJson } from '../respond.js';
import { parseJsonObject } from '../read-body.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { readAll } from '../../services/metered-call.js';
import { passThroughHeaders } from '../../upstream/upstream-client.js';
import type { RequestContext } from '../../services/usage-record.js';
import { canRequest } from '../../domain/policies/policy.js';

export async function listModels(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps): Promise<void> {
  await deps.watcher.check();
  const who = await deps.keys.projectKey(req.headers);
  const policy = await deps.policies.effective(who);
  const upstream = await deps.upstream.send({ method: 'GET', path: '/models' });
  const payload = await readAll(upstream.body);
  const headers = { ...passThroughHeaders(upstream.headers), 'x-request-id': ctx.requestId };
  const list = parseJsonObject(payload);
  if (upstream.statusCode !== 200 || !list || !Array.isArray(list.data)) {
    sendBytes(res, upstream.statusCode, payload, headers);
    return;
  }
  const now = deps.now();
  const priced = deps.prices.hasDefault(now)
    ? list.data
    : list.data.filter((m: unknown) => typeof (m as { id?: unknown }).id === 'string' && deps.prices.lookup((m as { id: string }).id, now));
  // A request policy narrows the list further to the models the key may ask for.
  const servable = priced.filter((m: unknown) => canRequest(policy, String((m as { id?: unknown }).id)));
  sendJson(res, 200, { ...list, data: servable }, headers);
}

export async function getModel(
  req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps, id: string,
): Promise<void> {
  await deps.watcher.check();
  const who = await deps.keys.projectKey(req.headers);
  if (!deps.prices.lookup(id, deps.now())) throw new ModelNotFoundError(id);
  if (!canRequest(await deps.policies.effective(who), id)) throw new ModelNotFoundError(id);
  const upstream = await deps.upstream.send({ method: 'GET', path: `/models/${encodeURIComponent(id)}` });
  const payload = await readAll(upstream.body);
  sendBytes(res, upstream.statusCode, payload, { ...passThroughHeaders(upstream.headers), 'x-request-id': ctx.requestId });
}
