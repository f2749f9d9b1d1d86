// The response cache as the gateway holds it: the backend (in process or Redis), every account's cache settings in
// memory (reloaded when the store changes, so a CLI change applies on the next request), and the hit price.
import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.js';
import { governingSetting, type CacheSetting } from '../../domain/cache/settings.js';
import type { Logger } from '../../observability/logger.js';
import { PgCacheSettingsStore } from '../../store/postgres/cache-settings-store.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqliteCacheSettingsStore } from '../../store/sqlite/cache-settings-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { KeyLookup, Store } from '../../store/store.js';
import type { CacheBackend } from './cache-backend.js';
import type { CacheSettingsStore } from './cache-settings-store.js';
import { LruBackend } from './lru-backend.js';
import { RedisBackend } from './redis-backend.js';

export const DEFAULT_CACHE_PREFIX = 'tollgate:cache:';

export interface ResponseCacheOptions {
  backend: CacheBackend;
  settings: CacheSettingsStore;
  /** What a hit costs, as a whole percentage (0..100) of the cached answer's full price now. */
  hitPercent: number;
  prefix?: string;
}

export class ResponseCache {
  readonly backend: CacheBackend;
  readonly settingsStore: CacheSettingsStore;
  readonly hitPercent: number;
  readonly prefix: string;
  private byAccount = new Map<string, CacheSetting[]>();

  constructor(opts: ResponseCacheOptions) {
    this.backend = opts.backend;
    this.settingsStore = opts.settings;
    this.hitPercent = opts.hitPercent;
    this.prefix = opts.prefix ?? DEFAULT_CACHE_PREFIX;
  }

  /** Loads every setting (call at start and whenever the store changed). If it fails, the old settings stay. */
  async reload(): Promise<void> {
    const next = new Map<string, CacheSetting[]>();
    for (const s of await this.settingsStore.listAll()) {
      const list = next.get(s.accountId);
      if (list) list.push(s);
      else next.set(s.accountId, [s]);
    }
    this.byAccount = next;
  }

  /** The setting governing this key's requests, or undefined when the cache is off for it. Synchronous: no I/O. */
  settingFor(who: KeyLookup): CacheSetting | undefined {
    const s = governingSetting(this.byAccount.get(who.account.id), who.key.projectId, who.key.id);
    return s?.enabled && s.ttlSeconds > 0 ? s : undefined;
  }
}

/** The cache for a gateway: Redis when REDIS_URL is set, else an LRU of TOLLGATE_CACHE_MAX_BYTES. */
export function createResponseCache(store: Store, config: Config, redis: Redis | undefined, now: () => number, logger: Logger): ResponseCache {
  return new ResponseCache({
    backend: redis ? new RedisBackend(redis, logger) : new LruBackend(config.cacheMaxBytes, now),
    settings: cacheSettingsStoreFor(store),
    hitPercent: config.cacheHitPercent,
  });
}

export function cacheSettingsStoreFor(store: Store): CacheSettingsStore {
  if (store instanceof SqliteStore) return new SqliteCacheSettingsStore(store.db);
  if (store instanceof PgStore) return new PgCacheSettingsStore(store.pool);
  throw new Error('the response cache has no settings adapter for this store');
}
