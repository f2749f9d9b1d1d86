// GET /health: whether the store (and Redis, when configured) answer; 503 when either does not. For load balancers.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../respond.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { redisReachable } from '../../store/redis/redis.js';

export async function health(res: ServerResponse, deps: GatewayDeps): Promise<void> {
  const store = await storeReachable(deps);
  const redis = deps.redis ? { configured: true, ok: await redisReachable(deps.redis) } : { configured: false, ok: true };
  const ok = store.ok && redis.ok;
  sendJson(res, ok ? 200 : 503, {
    status: ok ? 'ok' : 'unavailable',
    mode: deps.redis ? 'replicated (redis)' : deps.store.kind === 'postgres' ? 'replicated (postgres only)' : 'single process',
    store: { kind: deps.store.kind, ...store },
    redis,
  });
}

async function storeReachable(deps: GatewayDeps): Promise<{ ok: boolean; error?: string }> {
  try {
    await deps.store.ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
