// Picks the wallet that fits the store: in-memory holds for the single SQLite process, database holds for PostgreSQL.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { MemoryWallet } from './memory-wallet.js';
import { PgWallet } from './pg-wallet.js';
import type { RecoveryReport, Wallet } from './wallet.js';

export async function openWallet(
  store: Store, config: Config, now: () => number, logger: Logger,
): Promise<{ wallet: Wallet; recovery: RecoveryReport }> {
  if (store instanceof SqliteStore) {
    const wallet = new MemoryWallet(store, now, logger);
    return { wallet, recovery: await wallet.recover() };
  }
  if (store instanceof PgStore) {
    if (config.databaseUrl) await store.startChangeFeed(config.databaseUrl);
    const replicaId = config.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const wallet = new PgWallet(store, now, logger, { replicaId, replicaTimeoutMs: config.replicaTimeoutMs });
    const own = await wallet.start();
    const others = await wallet.recover();
    return { wallet, recovery: { released: own.released + others.released, releasedAmount: own.releasedAmount + others.releasedAmount } };
  }
  throw new Error(`no wallet for store ${store.kind}`);
}
