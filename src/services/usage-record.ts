// Builds the usage record a metered request leaves behind, whatever its outcome.
import type { TokenUsage } from '../domain/pricing/cost.js';
import type { UsageRecord, UsageStatus } from '../store/records.js';
import type { KeyLookup } from '../store/store.js';
import type { RequestPlan } from './request-plan.js';

export interface RequestContext {
  requestId: string;
  startedAt: number;
}

export function usageRecord(
  ctx: RequestContext, who: KeyLookup, plan: Pick<RequestPlan, 'model' | 'endpoint' | 'stream' | 'price'>,
  outcome: { status: UsageStatus; httpStatus: number; tokens?: TokenUsage; aborted?: boolean; now: number },
): UsageRecord {
  const t = outcome.tokens;
  return {
    requestId: ctx.requestId,
    accountId: who.account.id,
    projectId: who.key.projectId,
    keyId: who.key.id,
    model: plan.model,
    endpoint: plan.endpoint,
    inputTokens: t?.inputTokens ?? 0,
    cachedInputTokens: t?.cachedInputTokens ?? 0,
    outputTokens: t?.outputTokens ?? 0,
    reasoningTokens: t?.reasoningTokens ?? 0,
    cost: 0n,
    uncollected: 0n,
    hold: 0n,
    priceEffectiveFrom: plan.price.effectiveFrom,
    cacheHit: false,
    status: outcome.status,
    httpStatus: outcome.httpStatus,
    stream: plan.stream,
    aborted: outcome.aborted ?? false,
    latencyMs: Math.max(0, outcome.now - ctx.startedAt),
    createdAt: outcome.now,
  };
}
