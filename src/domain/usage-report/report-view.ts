// Turns summed rollups into OpenAI's page of buckets: `organization.usage.completions.result`,
// `organization.usage.embeddings.result` or `organization.costs.result`, grouping fields null unless grouped by.
import { formatCredits, type Pico } from '../money/pico.js';
import { encodeCursor, pageBuckets } from './buckets.js';
import type { GroupField, ReportQuery } from './report-query.js';

/** One (bucket, group) sum read from the rollups; a field is null when the query did not group by it. */
export interface RollupSum {
  bucketStart: number;
  projectId: string | null;
  keyId: string | null;
  model: string | null;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  requests: number;
  charged: Pico;
}

/** The rollup columns a query must group by (the other OpenAI group fields are constants in Tollgate). */
export function storeGrouping(groupBy: readonly GroupField[]): { project: boolean; key: boolean; model: boolean } {
  return {
    project: groupBy.includes('project_id'),
    key: groupBy.includes('api_key_id'),
    model: groupBy.includes('model') || groupBy.includes('line_item'),
  };
}

/**
 * True when the query's filters exclude every Tollgate usage record: usage is not attributed to users
 * (user_ids matches nothing) and Tollgate runs no batch jobs (batch=true matches nothing).
 */
export function matchesNothing(q: ReportQuery): boolean {
  return q.userIds !== null || q.batch === true;
}

export function reportPage(q: ReportQuery, sums: readonly RollupSum[]) {
  const { buckets, next } = pageBuckets(q);
  const byBucket = new Map<number, RollupSum[]>();
  for (const s of sums) byBucket.set(s.bucketStart, [...(byBucket.get(s.bucketStart) ?? []), s]);
  return {
    object: 'page',
    data: buckets.map((b) => ({
      object: 'bucket',
      start_time: b.start,
      end_time: b.end,
      results: (byBucket.get(b.start) ?? []).sort(byGroup).map((s) => resultView(q, s)),
    })),
    has_more: next !== null,
    next_page: next !== null ? encodeCursor(next, q.end) : null,
  };
}

function resultView(q: ReportQuery, s: RollupSum) {
  const g = (field: GroupField) => q.groupBy.includes(field);
  if (q.kind === 'costs') {
    return {
      object: 'organization.costs.result',
      // The one place money becomes a JSON number: the exact decimal string of the pico-credit sum, read as a number.
      amount: { value: Number(formatCredits(s.charged)), currency: 'usd' },
      line_item: g('line_item') ? s.model : null,
      project_id: g('project_id') ? s.projectId : null,
      api_key_id: g('api_key_id') ? s.keyId : null,
      quantity: g('line_item') ? s.inputTokens + s.outputTokens : null,
      quantity_unit: g('line_item') ? 'tokens' : null,
    };
  }
  const groups = {
    project_id: g('project_id') ? s.projectId : null,
    user_id: null,
    api_key_id: g('api_key_id') ? s.keyId : null,
    model: g('model') ? s.model : null,
  };
  if (q.kind === 'embeddings') {
    return { object: 'organization.usage.embeddings.result', input_tokens: s.inputTokens, num_model_requests: s.requests, ...groups };
  }
  const uncached = s.inputTokens - s.cachedInputTokens;
  return {
    object: 'organization.usage.completions.result',
    input_tokens: s.inputTokens,
    input_cached_tokens: s.cachedInputTokens,
    input_cache_write_tokens: 0,
    input_uncached_tokens: uncached,
    output_tokens: s.outputTokens,
    input_text_tokens: uncached,
    output_text_tokens: s.outputTokens,
    input_cached_text_tokens: s.cachedInputTokens,
    input_audio_tokens: 0,
    input_cached_audio_tokens: 0,
    output_audio_tokens: 0,
    input_image_tokens: 0,
    input_cached_image_tokens: 0,
    output_image_tokens: 0,
    num_model_requests: s.requests,
    ...groups,
    batch: g('batch') ? false : null,
    service_tier: g('service_tier') ? 'default' : null,
  };
}

function byGroup(a: RollupSum, b: RollupSum): number {
  const key = (s: RollupSum) => `${s.projectId ?? ''}\u0000${s.keyId ?? ''}\u0000${s.model ?? ''}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
