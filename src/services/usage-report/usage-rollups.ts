// Picks the usage rollup adapter that matches the gateway's store (SQLite or PostgreSQL), once per store.
import { PgUsageRollups } from '../../store/postgres/usage-rollups.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqliteUsageRollups } from '../../store/sqlite/usage-rollups.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { UsageRollupStore } from './usage-rollup-store.js';

const adapters = new WeakMap<Store, UsageRollupStore>();

export function usageRollupsFor(store: Store): UsageRollupStore {
  let found = adapters.get(store);
  if (!found) {
    if (store instanceof SqliteStore) found = new SqliteUsageRollups(store.db);
    else if (store instanceof PgStore) found = new PgUsageRollups(store.pool);
    else throw new Error('usage rollups: unsupported store');
    adapters.set(store, found);
  }
  return found;
}

