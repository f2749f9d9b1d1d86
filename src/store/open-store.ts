// Chooses the store adapter from the configuration: PostgreSQL when DATABASE_URL is set, else the SQLite file.
import type { Config } from '../config/config.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL is set, but the PostgreSQL store is not available in this build.');
  }
  return new SqliteStore(config.sqlitePath, { synchronous: config.sqliteSynchronous });
}
