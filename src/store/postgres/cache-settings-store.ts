// CacheSettingsStore on PostgreSQL. A write bumps the change log (NOTIFY), so every replica reloads its settings.
import type pg from 'pg';
import type { CacheScope, CacheSetting } from '../../domain/cache/settings.js';
import type { CacheSettingsStore } from '../../services/cache/cache-settings-store.js';
import { bumpChangeLog } from './pg-store.js';
import { inTransaction } from './pool.js';

type Row = Record<string, unknown>;

export class PgCacheSettingsStore implements CacheSettingsStore {
  /** `pool` is the store's pool (PgStore.pool), migrated with migrations/postgres/006_response_cache.sql. */
  constructor(private readonly pool: pg.Pool) {}

  async listAll(): Promise<CacheSetting[]> {
    return (await this.pool.query('SELECT * FROM cache_settings ORDER BY account_id, scope, scope_id')).rows.map(toSetting);
  }

  async list(accountId: string): Promise<CacheSetting[]> {
    return (await this.pool.query('SELECT * FROM cache_settings WHERE account_id = $1 ORDER BY scope, scope_id', [accountId])).rows.map(toSetting);
  }

  async put(s: CacheSetting): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO cache_settings (account_id, scope, scope_id, enabled, ttl_seconds, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (account_id, scope, scope_id) DO UPDATE SET enabled = excluded.enabled, ttl_seconds = excluded.ttl_seconds,
        updated_at = excluded.updated_at`, [s.accountId, s.scope, s.scopeId, s.enabled, s.ttlSeconds, s.updatedAt]);
      await bumpChangeLog(c);
    });
  }
}

function toSetting(r: Row): CacheSetting {
  return {
    accountId: String(r.account_id), scope: String(r.scope) as CacheScope, scopeId: String(r.scope_id),
    enabled: r.enabled === true, ttlSeconds: Number(r.ttl_seconds), updatedAt: Number(r.updated_at),
  };
}
