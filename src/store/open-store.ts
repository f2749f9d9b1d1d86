// Chooses the store adapter from the configuration: PostgreSQL when DATABASE_URL is set, else the SQLite file.
import type { Config } from '../config/config.js';
import { PgStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    return PgStore.open(config.databaseUrl, { max: config.pgPoolMax, connectionTimeoutMillis: config.pgConnectTimeoutMs });
  }
  return new SqliteStore(config.sqlitePath, { synchronous: config.sqliteSynchronous });
}
