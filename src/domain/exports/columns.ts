// The columns of the usage and ledger exports: amounts as exact decimal credits, times ISO 8601 UTC.
import { formatCredits } from '../money/pico.js';
import type { LedgerEntry, UsageRecord } from '../../store/records.js';
import type { CsvColumn } from './csv.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export const USAGE_COLUMNS: readonly CsvColumn<UsageRecord>[] = [
  { name: 'created_at', kind: 'plain', value: (u) => iso(u.createdAt) },
  { name: 'request_id', kind: 'plain', value: (u) => u.requestId },
  { name: 'account_id', kind: 'plain', value: (u) => u.accountId },
  { name: 'project_id', kind: 'plain', value: (u) => u.projectId },
  { name: 'api_key_id', kind: 'plain', value: (u) => u.keyId },
  { name: 'model', kind: 'text', value: (u) => u.model },
  { name: 'endpoint', kind: 'text', value: (u) => u.endpoint },
  { name: 'status', kind: 'plain', value: (u) => u.status },
  { name: 'http_status', kind: 'plain', value: (u) => u.httpStatus },
  { name: 'input_tokens', kind: 'plain', value: (u) => u.inputTokens },
  { name: 'cached_input_tokens', kind: 'plain', value: (u) => u.cachedInputTokens },
  { name: 'output_tokens', kind: 'plain', value: (u) => u.outputTokens },
  { name: 'reasoning_tokens', kind: 'plain', value: (u) => u.reasoningTokens },
  { name: 'cost', kind: 'plain', value: (u) => formatCredits(u.cost) },
  { name: 'uncollected', kind: 'plain', value: (u) => formatCredits(u.uncollected) },
  { name: 'hold', kind: 'plain', value: (u) => formatCredits(u.hold) },
  { name: 'cache_hit', kind: 'plain', value: (u) => u.cacheHit },
  { name: 'stream', kind: 'plain', value: (u) => u.stream },
  { name: 'aborted', kind: 'plain', value: (u) => u.aborted },
  { name: 'latency_ms', kind: 'plain', value: (u) => u.latencyMs },
  { name: 'price_effective_from', kind: 'plain', value: (u) => iso(u.priceEffectiveFrom) },
];

export const LEDGER_COLUMNS: readonly CsvColumn<LedgerEntry>[] = [
  { name: 'seq', kind: 'plain', value: (e) => e.seq },
  { name: 'created_at', kind: 'plain', value: (e) => iso(e.createdAt) },
  { name: 'account_id', kind: 'plain', value: (e) => e.accountId },
  { name: 'kind', kind: 'plain', value: (e) => e.kind },
  { name: 'amount', kind: 'plain', value: (e) => formatCredits(e.amount) },
  { name: 'grant_id', kind: 'plain', value: (e) => e.grantId },
  { name: 'request_id', kind: 'plain', value: (e) => e.requestId },
  { name: 'idempotency_key', kind: 'text', value: (e) => e.idempotencyKey },
];
