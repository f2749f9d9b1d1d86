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
    mode: runMode(deps.store.kind, deps.redis !== undefined),
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

/** How this replica runs, as the start-up log and /health say it. */
export function runMode(store: 'sqlite' | 'postgres', redis: boolean): string {
  if (store === 'sqlite') return redis ? 'single process on SQLite (Redis for rate limits)' : 'single process on SQLite';
  return redis ? 'replicas on PostgreSQL, sharing Redis' : 'replicas on PostgreSQL, rate limits per replica (no Redis)';
}
