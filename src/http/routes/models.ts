// GET /v1/models and /v1/models/{id}: the upstream's list, narrowed to the models this gateway can price.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ModelNotFoundError } from '../errors.js';
import { sendBytes, sendJson } from '../respond.js';
import { parseJsonObject } from '../read-body.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { readAll } from '../../services/metered-call.js';
import { passThroughHeaders } from '../../upstream/upstream-client.js';
import type { RequestContext } from '../../services/usage-record.js';

export async function listModels(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps): Promise<void> {
  await deps.watcher.check();
  await deps.keys.projectKey(req.headers);
  const upstream = await deps.upstream.send({ method: 'GET', path: '/models' });
  const payload = await readAll(upstream.body);
  const headers = { ...passThroughHeaders(upstream.headers), 'x-request-id': ctx.requestId };
  const list = parseJsonObject(payload);
  if (upstream.statusCode !== 200 || !list || !Array.isArray(list.data)) {
    sendBytes(res, upstream.statusCode, payload, headers);
    return;
  }
  const now = deps.now();
  const servable = deps.prices.hasDefault(now)
    ? list.data
    : list.data.filter((m: unknown) => typeof (m as { id?: unknown }).id === 'string' && deps.prices.lookup((m as { id: string }).id, now));
  sendJson(res, 200, { ...list, data: servable }, headers);
}

export async function getModel(
  req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps, id: string,
): Promise<void> {
  await deps.watcher.check();
  await deps.keys.projectKey(req.headers);
  if (!deps.prices.lookup(id, deps.now())) throw new ModelNotFoundError(id);
  const upstream = await deps.upstream.send({ method: 'GET', path: `/models/${encodeURIComponent(id)}` });
  const payload = await readAll(upstream.body);
  sendBytes(res, upstream.statusCode, payload, { ...passThroughHeaders(upstream.headers), 'x-request-id': ctx.requestId });
}
