// The rate-limit step of the request path: check-and-count before the hold (headers on every answer, OpenAI's
// 429 rate_limit_exceeded when a limit is hit), and the token correction once real usage is known.
import type { ServerResponse } from 'node:http';
import { rateLimitHeaders } from '../domain/rate-limits/headers.js';
import { ServiceUnavailableError } from '../http/errors.js';
import { metrics } from '../observability/metrics.js';
import type { KeyLookup } from '../store/store.js';
import type { GatewayDeps } from './gateway-deps.js';
import { MAX_TOKENS_PER_REQUEST, type RateLimitScope } from './rate-limit/rate-limiter.js';
import { rateLimitExceeded } from './rate-limit/refusal-error.js';
import type { RequestShape } from './request-plan.js';
import { usageRecord, type RequestContext } from './usage-record.js';

export interface RateTicket {
  scope: RateLimitScope;
  estimatedTokens: number;
}

/**
 * Counts the request against its limits, or throws the 429. Store/Redis failures fail closed (503).
 * `estimatedTokens` is what it counts against TPM until `correctRateLimit` replaces it with the tokens really used:
 * `estimatedTokens(plan)` for a call that goes upstream, 0 for a cache hit (it reaches no upstream).
 */
export async function admitRateLimit(
  deps: GatewayDeps, who: KeyLookup, shape: RequestShape, estimatedTokens: number, res: ServerResponse, ctx: RequestContext,
): Promise<RateTicket> {
  const now = deps.now();
  const limits = await deps.limits.resolve(who, shape.model, now);
  const scope: RateLimitScope = { accountId: who.account.id, projectId: who.key.projectId ?? '', model: limits.group };
  let outcome;
  try {
    outcome = await deps.limiter.check(scope, limits, estimatedTokens, now);
  } catch (err) {
    metrics.storeFailures.inc();
    deps.logger.warn('rate limiter unavailable', { requestId: ctx.requestId, error: (err as Error).message });
    throw new ServiceUnavailableError('The rate limiter is unavailable right now. No credit was charged; please retry.');
  }
  for (const [name, value] of Object.entries(rateLimitHeaders(outcome.status))) res.setHeader(name, value);
  if (!outcome.allowed) {
    metrics.rateLimited.inc();
    deps.wallet.recordUnheld(usageRecord(ctx, who, shape, { status: 'rate_limited', httpStatus: 429, now }));
    throw rateLimitExceeded(outcome, scope);
  }
  return { scope, estimatedTokens };
}

/** Replaces the estimate with the tokens actually used (0 for a call that was refused or failed upstream). */
export function correctRateLimit(deps: GatewayDeps, ticket: RateTicket, actualTokens: number): void {
  const tokens = Math.min(Math.max(0, actualTokens), MAX_TOKENS_PER_REQUEST);
  if (tokens === ticket.estimatedTokens) return;
  Promise.resolve(deps.limiter.correct(ticket.scope, ticket.estimatedTokens, tokens, deps.now())).catch((err: Error) => {
    metrics.storeFailures.inc();
    deps.logger.warn('rate-limit correction failed', { error: err.message });
  });
}
