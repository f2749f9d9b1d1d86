// CacheSettingsStore on the SQLite file. A commit by the CLI changes PRAGMA data_version, which the server's
// ChangeWatcher notices on its next request.
import type { CacheScope, CacheSetting } from '../../domain/cache/settings.js';
import type { CacheSettingsStore } from '../../services/cache/cache-settings-store.js';
import type { SqliteDb } from './database.js';

type Row = Record<string, unknown>;

export class SqliteCacheSettingsStore implements CacheSettingsStore {
  /** `db` is the store's open database (SqliteStore.db), migrated with migrations/sqlite/006_response_cache.sql. */
  constructor(private readonly db: SqliteDb) {}

  async listAll(): Promise<CacheSetting[]> {
    return (this.db.prepare('SELECT * FROM cache_settings ORDER BY account_id, scope, scope_id').all() as Row[]).map(toSetting);
  }

  async list(accountId: string): Promise<CacheSetting[]> {
    return (this.db.prepare('SELECT * FROM cache_settings WHERE account_id = ? ORDER BY scope, scope_id').all(accountId) as Row[]).map(toSetting);
  }

  async put(s: CacheSetting): Promise<void> {
    this.db.prepare(`INSERT INTO cache_settings (account_id, scope, scope_id, enabled, ttl_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, scope, scope_id) DO UPDATE SET enabled = excluded.enabled, ttl_seconds = excluded.ttl_seconds,
      updated_at = excluded.updated_at`).run(s.accountId, s.scope, s.scopeId, s.enabled ? 1 : 0, s.ttlSeconds, s.updatedAt);
  }
}

function toSetting(r: Row): CacheSetting {
  return {
    accountId: String(r.account_id), scope: String(r.scope) as CacheScope, scopeId: String(r.scope_id),
    enabled: Number(r.enabled) === 1, ttlSeconds: Number(r.ttl_seconds), updatedAt: Number(r.updated_at),
  };
}
