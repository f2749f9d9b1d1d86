// tollgate usage --account ID [--since ISO] [--json]: one record per request.
import { formatCredits } from '../domain/money/pico.js';
import type { UsageRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { iso, optional, parse, parseIsoTime, printJson, required } from './args.js';

export async function usageCommand(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
  const since = optional(v, 'since');
  const limit = optional(v, 'limit');
  const records = await store.listUsage({
    accountId: required(v, 'account'),
    ...(since ? { since: parseIsoTime(since, 'since') } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
  });
  const rows = records.map(usageJson);
  if (v.json) printJson(rows);
  else for (const r of rows) {
    process.stdout.write(`${r.created_at}\t${r.request_id}\t${r.endpoint}\t${r.model}\t${r.status}\tin ${r.input_tokens} (cached ${r.cached_input_tokens})\tout ${r.output_tokens}\t${r.cost} credits\n`);
  }
}

export function usageJson(u: UsageRecord) {
  return {
    request_id: u.requestId, account_id: u.accountId, project_id: u.projectId, api_key_id: u.keyId, model: u.model,
    endpoint: u.endpoint, input_tokens: u.inputTokens, cached_input_tokens: u.cachedInputTokens, output_tokens: u.outputTokens,
    reasoning_tokens: u.reasoningTokens, cost: formatCredits(u.cost), uncollected: formatCredits(u.uncollected),
    hold: formatCredits(u.hold), cache_hit: u.cacheHit, status: u.status, http_status: u.httpStatus, stream: u.stream,
    aborted: u.aborted, latency_ms: u.latencyMs, price_effective_from: iso(u.priceEffectiveFrom), created_at: iso(u.createdAt),
  };
}
