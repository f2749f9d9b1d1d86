// The ScopeSpend port: what one project or key of an account spent since a time (a budget's own burn rate).
// Adapters: src/store/sqlite/scope-spend.ts and src/store/postgres/scope-spend.ts (one SUM on usage_by_account_time).
import type { Pico } from '../../domain/money/pico.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgScopeSpend } from '../../store/postgres/scope-spend.js';
import { SqliteScopeSpend } from '../../store/sqlite/scope-spend.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';

export interface ScopeSpend {
  /** Captured spend (cost − uncollected) of the project or key from `since` on. */
  spentSince(accountId: string, scope: 'project' | 'key', scopeId: string, since: number): Promise<Pico>;
}

export function scopeSpendFor(store: Store): ScopeSpend {
  if (store instanceof SqliteStore) return new SqliteScopeSpend(store.db);
  if (store instanceof PgStore) return new PgScopeSpend(store.pool);
  throw new Error(`no scope spend for ${store.kind}`);
}
