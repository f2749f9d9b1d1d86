// The cache step of the request path (after the request is shaped, before its prompt is counted): look the request
// up, answer a hit without the upstream, and hand the miss path a `remember` that stores a completed 2xx answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedAnswer } from '../../domain/cache/cached-answer.js';
import { cacheKey, storageKey, type ServedAs } from '../../domain/cache/cache-key.js';
import { uncacheableReason } from '../../domain/cache/cacheable.js';
import { hitCharge } from '../../domain/cache/hit-price.js';
import type { Endpoint } from '../../domain/metering/endpoint.js';
import { formatCredits } from '../../domain/money/pico.js';
import { costOf } from '../../domain/pricing/cost.js';
import { sendBytes } from '../../http/respond.js';
import { metrics } from '../../observability/metrics.js';
import type { KeyLookup } from '../../store/store.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { afterSpend } from '../after-spend.js';
import { correctRateLimit, type RateTicket } from '../rate-limit-gate.js';
import type { RequestShape } from '../request-plan.js';
import { usageRecord, type RequestContext } from '../usage-record.js';

export const CACHE_HEADER = 'x-tollgate-cache';

/** Stores a completed answer (the miss path calls it once the answer was delivered in full). */
export type Remember = (answer: Omit<CachedAnswer, 'storedAt'>) => void;

export interface CacheLookup {
  hit: CachedAnswer | undefined;
  remember: Remember | undefined;
}

type Directive = 'use' | 'refresh' | 'no-store';

/**
 * Undefined when the cache is off for this key (no header, no hashing, no I/O). Otherwise the response says
 * `x-tollgate-cache: miss` until a hit replaces it. An unreachable Redis is a miss that stores nothing.
 */
export async function lookupCache(
  deps: GatewayDeps, endpoint: Endpoint, req: IncomingMessage, body: Record<string, unknown>, who: KeyLookup, res: ServerResponse,
  served: ServedAs,
): Promise<CacheLookup | undefined> {
  const cache = deps.cache;
  const setting = cache?.settingFor(who);
  if (!cache || !setting) return undefined;
  res.setHeader(CACHE_HEADER, 'miss');
  const directive = directiveOf(req);
  if (directive === 'no-store' || uncacheableReason(endpoint, body)) return undefined;
  // The model that serves the request and the output cap sent upstream are part of the key too: a request policy
  // (substitution, default output cap) can change either without the client's body changing.
  const key = storageKey(cache.prefix, cacheKey(who.account.id, endpoint, served, body));
  const ttlMs = setting.ttlSeconds * 1000;
  let hit: CachedAnswer | undefined;
  if (directive === 'use') {
    try {
      const got = cache.backend.get(key);
      hit = got instanceof Promise ? await got : got;
    } catch (err) {
      metrics.cacheUnavailable.inc();
      deps.logger.warn('response cache unreachable; serving without it', { error: (err as Error).message });
      return undefined;
    }
    // A TTL shortened since the answer was stored applies at once.
    if (hit && hit.storedAt + ttlMs <= deps.now()) hit = undefined;
  }
  return { hit, remember: (answer) => cache.backend.set(key, { ...answer, storedAt: deps.now() }, ttlMs) };
}

/**
 * Answers from the cache: no upstream call. A free hit leaves a usage record without a hold; a priced hit is held
 * and settled like any call. False (nothing sent, nothing charged) when the priced hold is refused: the normal path
 * then refuses the request with its own message.
 */
export async function serveCachedAnswer(
  deps: GatewayDeps, hit: CachedAnswer, ctx: RequestContext, who: KeyLookup, plan: RequestShape, ticket: RateTicket, res: ServerResponse,
): Promise<boolean> {
  const { cost, saved } = hitCharge(costOf(hit.usage, plan.price), deps.cache?.hitPercent ?? 0);
  const usage = {
    ...usageRecord(ctx, who, plan, { status: 'ok', httpStatus: hit.status, tokens: hit.usage, now: deps.now() }),
    cacheHit: true, savedCost: saved,
  };
  if (cost === 0n) {
    deps.wallet.recordUnheld(usage);
  } else {
    const held = await deps.wallet.hold({
      requestId: ctx.requestId, accountId: who.account.id, amount: cost,
      meta: { projectId: who.key.projectId, keyId: who.key.id, model: plan.model, endpoint: plan.endpoint, stream: plan.stream },
    });
    if (!held.ok) return false;
    await deps.wallet.settle({ requestId: ctx.requestId, accountId: who.account.id, cost, usage });
    afterSpend(deps, who.account.id);
  }
  // The upstream processed no tokens for a hit; only the request itself counts against the rate limit.
  correctRateLimit(deps, ticket, 0);
  metrics.cacheHits.inc();
  res.setHeader(CACHE_HEADER, 'hit');
  sendBytes(res, hit.status, hit.body, {
    'content-type': hit.contentType, 'x-request-id': ctx.requestId, 'x-tollgate-cost': formatCredits(cost),
    ...(hit.stream ? { 'cache-control': 'no-cache' } : {}),
  });
  return true;
}

/**
 * `Cache-Control: no-cache` or `x-tollgate-cache: skip`: do not answer from the cache, but store the fresh answer.
 * `Cache-Control: no-store`: neither read nor write.
 */
function directiveOf(req: IncomingMessage): Directive {
  const control = req.headers['cache-control'];
  const skip = req.headers[CACHE_HEADER];
  if (control === undefined && skip === undefined) return 'use';
  const c = String(control ?? '').toLowerCase();
  if (c.includes('no-store')) return 'no-store';
  if (c.includes('no-cache') || String(skip ?? '').trim().toLowerCase() === 'skip') return 'refresh';
  return 'use';
}
