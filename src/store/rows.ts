// Row <-> record mapping shared by the store adapters (64-bit integers arrive as bigint; booleans as 0/1 or true/false).
import type { Price } from '../domain/pricing/price.js';
import type { GrantSource } from '../domain/ledger/lots.js';
import type {
  Account, ApiKeyRecord, GrantRecord, KeyKind, LedgerEntry, LedgerKind, OpenHold, Project, UsageRecord, UsageStatus,
} from './records.js';
import type { RateLimitOverride } from './store.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v as bigint);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v as bigint));
const big = (v: unknown): bigint => BigInt(v as bigint);
const str = (v: unknown): string => v as string;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

export const toAccount = (r: Row): Account => ({
  id: str(r.id), name: str(r.name), tier: str(r.tier), createdAt: num(r.created_at),
});

export const toProject = (r: Row): Project => ({
  id: str(r.id), accountId: str(r.account_id), name: str(r.name), createdAt: num(r.created_at),
});

export const toKey = (r: Row): ApiKeyRecord => ({
  id: str(r.id),
  accountId: str(r.account_id),
  projectId: strOrNull(r.project_id),
  kind: str(r.kind) as KeyKind,
  name: str(r.name),
  redacted: str(r.redacted),
  createdAt: num(r.created_at),
  revokedAt: numOrNull(r.revoked_at),
});

export const toGrant = (r: Row): GrantRecord => ({
  id: str(r.id),
  accountId: str(r.account_id),
  source: str(r.source) as GrantSource,
  amount: big(r.amount_pico),
  remaining: big(r.remaining_pico),
  priority: num(r.priority),
  effectiveAt: num(r.effective_at),
  expiresAt: numOrNull(r.expires_at),
  voidedAt: numOrNull(r.voided_at),
  expiredAt: numOrNull(r.expired_at),
  idempotencyKey: str(r.idempotency_key),
  note: strOrNull(r.note),
  createdAt: num(r.created_at),
});

export const toLedgerEntry = (r: Row): LedgerEntry => ({
  seq: num(r.seq),
  accountId: str(r.account_id),
  kind: str(r.kind) as LedgerKind,
  amount: big(r.amount_pico),
  grantId: strOrNull(r.grant_id),
  requestId: strOrNull(r.request_id),
  idempotencyKey: str(r.idempotency_key),
  createdAt: num(r.created_at),
});

export const toUsage = (r: Row): UsageRecord => ({
  requestId: str(r.request_id),
  accountId: str(r.account_id),
  projectId: strOrNull(r.project_id),
  keyId: strOrNull(r.key_id),
  model: str(r.model),
  endpoint: str(r.endpoint),
  inputTokens: num(r.input_tokens),
  cachedInputTokens: num(r.cached_input_tokens),
  outputTokens: num(r.output_tokens),
  reasoningTokens: num(r.reasoning_tokens),
  cost: big(r.cost_pico),
  uncollected: big(r.uncollected_pico),
  hold: big(r.hold_pico),
  priceEffectiveFrom: numOrNull(r.price_effective_from),
  cacheHit: num(r.cache_hit) === 1,
  savedCost: r.saved_pico === undefined || r.saved_pico === null ? 0n : big(r.saved_pico),
  status: str(r.status) as UsageStatus,
  httpStatus: num(r.http_status),
  stream: num(r.stream) === 1,
  aborted: num(r.aborted) === 1,
  latencyMs: num(r.latency_ms),
  createdAt: num(r.created_at),
});

export const usageParams = (u: UsageRecord) => ({
  request_id: u.requestId,
  account_id: u.accountId,
  project_id: u.projectId,
  key_id: u.keyId,
  model: u.model,
  endpoint: u.endpoint,
  input_tokens: u.inputTokens,
  cached_input_tokens: u.cachedInputTokens,
  output_tokens: u.outputTokens,
  reasoning_tokens: u.reasoningTokens,
  cost_pico: u.cost,
  uncollected_pico: u.uncollected,
  hold_pico: u.hold,
  price_effective_from: u.priceEffectiveFrom,
  cache_hit: u.cacheHit ? 1 : 0,
  saved_pico: u.savedCost ?? 0n,
  status: u.status,
  http_status: u.httpStatus,
  stream: u.stream ? 1 : 0,
  aborted: u.aborted ? 1 : 0,
  latency_ms: u.latencyMs,
  created_at: u.createdAt,
});

/** Idempotent per request id; any other constraint violation still fails (OR IGNORE would drop the row silently). */
export const USAGE_INSERT = `INSERT INTO usage_records (request_id, account_id, project_id, key_id, model, endpoint,
  input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_pico, uncollected_pico, hold_pico,
  price_effective_from, cache_hit, status, http_status, stream, aborted, latency_ms, created_at, saved_pico)
  VALUES (@request_id, @account_id, @project_id, @key_id, @model, @endpoint, @input_tokens, @cached_input_tokens,
  @output_tokens, @reasoning_tokens, @cost_pico, @uncollected_pico, @hold_pico, @price_effective_from, @cache_hit,
  @status, @http_status, @stream, @aborted, @latency_ms, @created_at, @saved_pico)
  ON CONFLICT (request_id) DO NOTHING`;

export const toPrice = (r: Row): Price => ({
  model: str(r.model),
  effectiveFrom: num(r.effective_from),
  inputPerToken: big(r.input_pico_per_token),
  cachedInputPerToken: big(r.cached_input_pico_per_token),
  outputPerToken: big(r.output_pico_per_token),
  maxOutputTokens: numOrNull(r.max_output_tokens),
  maxInputTokens: numOrNull(r.max_input_tokens),
  mode: str(r.mode) as Price['mode'],
});

export const toOverride = (r: Row): RateLimitOverride => ({
  family: str(r.family),
  rpm: numOrNull(r.rpm),
  tpm: numOrNull(r.tpm),
  rpd: numOrNull(r.rpd),
});

export const toOpenHold = (r: Row): OpenHold => ({
  requestId: str(r.request_id),
  accountId: str(r.account_id),
  amount: big(r.amount_pico),
  createdAt: num(r.created_at),
  projectId: strOrNull(r.project_id),
  keyId: strOrNull(r.key_id),
  model: str(r.model),
  endpoint: str(r.endpoint),
  stream: r.stream === true || Number(r.stream) === 1,
});
