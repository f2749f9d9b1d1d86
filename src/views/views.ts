// Wire views of stored records, shared by the CLI's --json output and the admin API.
import { formatCredits } from '../domain/money/pico.js';
import { picoPerTokenToUsdPerMillion, type Price } from '../domain/pricing/price.js';
import type { ApiKeyRecord, BalanceView, GrantRecord, UsageRecord } from '../store/records.js';
import type { BudgetStatus } from '../store/store.js';

export function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

export function grantView(g: GrantRecord, now = Date.now()) {
  const status = g.voidedAt !== null ? 'voided'
    : g.expiredAt !== null || (g.expiresAt !== null && g.expiresAt <= now) ? 'expired'
      : g.effectiveAt > now ? 'pending' : 'active';
  return {
    id: g.id, source: g.source, amount: formatCredits(g.amount), remaining: formatCredits(g.remaining),
    priority: g.priority, status, effective_at: iso(g.effectiveAt), expires_at: iso(g.expiresAt), created_at: iso(g.createdAt),
  };
}

export function balanceView(view: BalanceView, now = Date.now()) {
  return {
    account_id: view.accountId,
    available: formatCredits(view.available),
    held: formatCredits(view.held),
    grants: view.grants.map((g) => grantView(g, now)),
  };
}

export function usageView(u: UsageRecord) {
  return {
    request_id: u.requestId, account_id: u.accountId, project_id: u.projectId, api_key_id: u.keyId, model: u.model,
    endpoint: u.endpoint, input_tokens: u.inputTokens, cached_input_tokens: u.cachedInputTokens, output_tokens: u.outputTokens,
    reasoning_tokens: u.reasoningTokens, cost: formatCredits(u.cost), uncollected: formatCredits(u.uncollected),
    hold: formatCredits(u.hold), cache_hit: u.cacheHit, saved: formatCredits(u.savedCost ?? 0n), status: u.status, http_status: u.httpStatus, stream: u.stream,
    aborted: u.aborted, latency_ms: u.latencyMs, price_effective_from: iso(u.priceEffectiveFrom), created_at: iso(u.createdAt),
  };
}

export function budgetView(s: BudgetStatus, withStatus: boolean) {
  const b = s.budget;
  return {
    id: b.id, account_id: b.accountId, scope: b.scope, scope_id: b.scopeId, period: b.period, timezone: b.timeZone,
    limit: formatCredits(b.limit), thresholds: b.thresholds,
    ...(withStatus ? { period_key: s.periodKey, spent: formatCredits(s.spent), held: formatCredits(s.held) } : {}),
  };
}

export function priceView(p: Price) {
  return {
    model: p.model, effective_from: iso(p.effectiveFrom), input: picoPerTokenToUsdPerMillion(p.inputPerToken),
    cached_input: picoPerTokenToUsdPerMillion(p.cachedInputPerToken), output: picoPerTokenToUsdPerMillion(p.outputPerToken),
    max_output_tokens: p.maxOutputTokens, max_input_tokens: p.maxInputTokens, mode: p.mode, unit: 'USD per 1M tokens',
  };
}

export function keyView(k: ApiKeyRecord) {
  return {
    id: k.id, name: k.name, kind: k.kind, account_id: k.accountId, project_id: k.projectId, redacted_value: k.redacted,
    created_at: iso(k.createdAt), revoked_at: iso(k.revokedAt),
  };
}
