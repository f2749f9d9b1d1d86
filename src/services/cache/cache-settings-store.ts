// The CacheSettingsStore port: per-scope cache settings (migration 006). Adapters: src/store/sqlite/cache-settings-store.ts
// and src/store/postgres/cache-settings-store.ts, chosen in cache-settings-store-for.ts.
import type { CacheSetting } from '../../domain/cache/settings.js';

export interface CacheSettingsStore {
  /** Every setting of every account (a small table: one row per scope that set the cache). */
  listAll(): Promise<CacheSetting[]>;
  list(accountId: string): Promise<CacheSetting[]>;
  /** Creates or replaces the setting of its scope, and tells every gateway process to reload. */
  put(setting: CacheSetting): Promise<void>;
}
