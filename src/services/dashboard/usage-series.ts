// Aggregates an account's usage records into per-day series by model, project or key, for the dashboard's chart.
// One small function on purpose: it can be switched to precomputed rollups later without touching the routes. Not yet:
// usage_rollup_minutes counts only requests that ran, sums the charged amount (cost less uncollected) and has neither
// cache hits nor saved credits, so it cannot give this series' numbers.
import { formatCredits } from '../../domain/money/pico.js';
import type { UsageRecord } from '../../store/records.js';

export type GroupBy = 'model' | 'project' | 'key';
const DAY_MS = 86_400_000;

export interface UsageSeries {
  days: string[];
  group_by: GroupBy;
  series: Array<{ name: string; cost: string[]; tokens: number[]; requests: number; saved_cost: string }>;
  /** saved_cost: credits the response cache saved (what the cache hits would have cost upstream). */
  totals: { cost: string; input_tokens: number; output_tokens: number; requests: number; cache_hits: number; saved_cost: string };
}

export function usageSeries(rows: readonly UsageRecord[], groupBy: GroupBy, since: number, until: number): UsageSeries {
  const first = Math.floor(since / DAY_MS);
  const count = Math.max(1, Math.floor(until / DAY_MS) - first + 1);
  const days = Array.from({ length: count }, (_, i) => new Date((first + i) * DAY_MS).toISOString().slice(0, 10));
  const groups = new Map<string, { cost: bigint[]; tokens: number[]; requests: number; saved: bigint }>();
  const totals = { cost: 0n, input_tokens: 0, output_tokens: 0, requests: 0, cache_hits: 0, saved_cost: 0n };
  for (const r of rows) {
    const day = Math.floor(r.createdAt / DAY_MS) - first;
    if (day < 0 || day >= count) continue;
    const name = (groupBy === 'model' ? r.model : groupBy === 'project' ? r.projectId : r.keyId) ?? '(none)';
    let g = groups.get(name);
    if (!g) {
      g = { cost: Array.from({ length: count }, () => 0n), tokens: Array.from({ length: count }, () => 0), requests: 0, saved: 0n };
      groups.set(name, g);
    }
    g.cost[day] = g.cost[day]! + r.cost;
    g.tokens[day] = g.tokens[day]! + r.inputTokens + r.outputTokens;
    g.requests++;
    g.saved += r.savedCost ?? 0n;
    totals.saved_cost += r.savedCost ?? 0n;
    totals.cost += r.cost;
    totals.input_tokens += r.inputTokens;
    totals.output_tokens += r.outputTokens;
    totals.requests++;
    if (r.cacheHit) totals.cache_hits++;
  }
  return {
    days, group_by: groupBy,
    series: [...groups].sort(([a], [b]) => a.localeCompare(b))
      .map(([name, g]) => ({ name, cost: g.cost.map(formatCredits), tokens: g.tokens, requests: g.requests, saved_cost: formatCredits(g.saved) })),
    totals: { ...totals, cost: formatCredits(totals.cost), saved_cost: formatCredits(totals.saved_cost) },
  };
}
