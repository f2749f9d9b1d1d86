// GET /health: whether the store answers; for load balancers and operators.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../respond.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';

export async function health(res: ServerResponse, deps: GatewayDeps): Promise<void> {
  try {
    await deps.store.changeToken();
    sendJson(res, 200, { status: 'ok', store: { kind: deps.store.kind, ok: true } });
  } catch (err) {
    sendJson(res, 503, { status: 'unavailable', store: { kind: deps.store.kind, ok: false, error: (err as Error).message } });
  }
}
