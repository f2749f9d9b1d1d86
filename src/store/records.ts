// The persisted records every store adapter reads and writes (camelCase here; snake_case in SQL and on the wire).
import type { Pico } from '../domain/money/pico.js';
import type { GrantSource } from '../domain/ledger/lots.js';

export interface Account {
  id: string;
  name: string;
  tier: string;
  createdAt: number;
}

export interface Project {
  id: string;
  accountId: string;
  name: string;
  createdAt: number;
}

export type KeyKind = 'project' | 'admin';

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  projectId: string | null;
  kind: KeyKind;
  name: string;
  redacted: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface GrantRecord {
  id: string;
  accountId: string;
  source: GrantSource;
  amount: Pico;
  remaining: Pico;
  priority: number;
  effectiveAt: number;
  expiresAt: number | null;
  voidedAt: number | null;
  expiredAt: number | null;
  idempotencyKey: string;
  note: string | null;
  createdAt: number;
}

export interface NewGrant {
  accountId: string;
  source: GrantSource;
  amount: Pico;
  priority?: number;
  effectiveAt?: number;
  expiresAt?: number | null;
  idempotencyKey?: string;
  note?: string;
}

export type LedgerKind = 'grant' | 'hold' | 'capture' | 'release' | 'expire' | 'void' | 'refund' | 'adjustment';

export interface LedgerEntry {
  seq: number;
  accountId: string;
  kind: LedgerKind;
  amount: Pico;
  grantId: string | null;
  requestId: string | null;
  idempotencyKey: string;
  createdAt: number;
}

export type UsageStatus =
  | 'ok'                  // upstream answered 2xx, usage reported and charged
  | 'cut_off'             // a stream that ended early: prompt + delivered output charged
  | 'upstream_error'      // upstream failed before any response: free
  | 'insufficient_quota'  // refused before the upstream call: free
  | 'rate_limited'        // refused by a rate limit before the upstream call: free
  | 'interrupted';        // the gateway stopped mid-request; the hold was released on restart

export interface UsageRecord {
  requestId: string;
  accountId: string;
  projectId: string | null;
  keyId: string | null;
  model: string;
  endpoint: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cost: Pico;
  /** Part of the cost that no active grant could cover (only possible when actual usage exceeded the hold). */
  uncollected: Pico;
  hold: Pico;
  priceEffectiveFrom: number | null;
  cacheHit: boolean;
  /** Credits a cache hit saved: the full price of the cached answer minus what the hit was charged (absent = 0). */
  savedCost?: Pico;
  status: UsageStatus;
  httpStatus: number;
  stream: boolean;
  aborted: boolean;
  latencyMs: number;
  createdAt: number;
}

export interface OpenHold {
  requestId: string;
  accountId: string;
  amount: Pico;
  createdAt: number;
  projectId: string | null;
  keyId: string | null;
  model: string;
  endpoint: string;
  stream: boolean;
}

export interface BalanceView {
  accountId: string;
  available: Pico;
  held: Pico;
  grants: GrantRecord[];
}
