// Prepares a fresh SQLite file for the bench's gateway (one account on a usage tier whose rate limits are never
// reached, 1,000,000 credits, one project key) and, after the run, reads back what the gateway metered, to show that
// every answered request was charged.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/config.js';
import { generateApiKey, hashApiKey, redactApiKey } from '../src/domain/ids/api-key.js';
import { parseCredits } from '../src/domain/money/pico.js';
import { builtinPrices } from '../src/domain/pricing/catalog.js';
import { setCacheSetting } from '../src/services/cache/cache-settings-service.js';
import { SqliteCacheSettingsStore } from '../src/store/sqlite/cache-settings-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

export const BENCH_GRANT_CREDITS = '1000000';
export const BENCH_TIER = 'bench';

/**
 * The tier ladder the bench's gateway runs with (TOLLGATE_TIERS_FILE): the built-in free tier, and a `bench` tier
 * with limits far above any rate this machine reaches. The limiter still counts every request, as in production.
 */
export function writeBenchTierFile(path: string): void {
  writeFileSync(path, JSON.stringify({
    tiers: [
      { name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 },
      {
        name: BENCH_TIER, minPurchased: '1000000000', minDaysSinceFirstPurchase: 0,
        limits: { default: { rpm: 10_000_000_000, tpm: 10_000_000_000, rpd: 100_000_000 } },
      },
    ],
  }));
}

export interface FundedKey {
  accountId: string;
  key: string;
}

/** Creates the schema, the price catalog, an account on the bench tier with one generous grant and a project key. */
export async function prepareGatewayDb(dbPath: string): Promise<FundedKey> {
  const config = loadConfig({ TOLLGATE_DB: dbPath, TOLLGATE_SIGNUP_CREDITS: '0' });
  const store = new SqliteStore(dbPath, { synchronous: config.sqliteSynchronous });
  try {
    const now = Date.now();
    await store.insertPrices(builtinPrices(), 'builtin', now);
    // The store directly: openAccount checks the tier against the ladder of this process's environment, and the
    // built-in tiers would refuse the bench's rates (tier-5 allows gpt-4o-mini 30,000 requests per minute).
    const { account, project } = await store.createAccount({ name: 'bench', tier: BENCH_TIER, now });
    await store.insertGrant({ accountId: account.id, source: 'adjustment', amount: parseCredits(BENCH_GRANT_CREDITS) }, now);
    const key = generateApiKey();
    await store.createKey({
      accountId: account.id, projectId: project.id, kind: 'project', name: 'bench',
      secretHash: hashApiKey(key), redacted: redactApiKey(key),
    }, now);
    return { accountId: account.id, key };
  } finally {
    await store.close();
  }
}

/**
 * The response cache on for the account (TTL 1 h), and a second key of the same project with the cache off at key
 * scope; returns that key.
 */
export async function enableCache(dbPath: string, accountId: string): Promise<string> {
  const store = new SqliteStore(dbPath);
  try {
    const [first] = await store.listKeys(accountId);
    const key = generateApiKey();
    const record = await store.createKey({
      accountId, projectId: first!.projectId!, kind: 'project', name: 'bench-cache-off', secretHash: hashApiKey(key), redacted: redactApiKey(key),
    }, Date.now());
    const settings = new SqliteCacheSettingsStore(store.db);
    await setCacheSetting(store, settings, { accountId, enabled: true, ttlSeconds: 3600 }, Date.now());
    await setCacheSetting(store, settings, { accountId, keyId: record.id, enabled: false }, Date.now());
    return key;
  } finally {
    await store.close();
  }
}

export interface MeteredSummary {
  usageRecords: number;
  ok: number;
  otherStatus: number;
  openHolds: number;
  costPico: bigint;
}

/** What the gateway wrote, read after it stopped. */
export function meteredSummary(dbPath: string): MeteredSummary {
  const db = new Database(dbPath, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    const usage = db.prepare(`SELECT count(*) AS n, coalesce(sum(status = 'ok'), 0) AS ok, coalesce(sum(cost_pico), 0) AS cost
      FROM usage_records`).get() as { n: bigint; ok: bigint; cost: bigint };
    const holds = db.prepare('SELECT count(*) AS n FROM holds WHERE closed_at IS NULL').get() as { n: bigint };
    return {
      usageRecords: Number(usage.n), ok: Number(usage.ok), otherStatus: Number(usage.n - usage.ok),
      openHolds: Number(holds.n), costPico: usage.cost,
    };
  } finally {
    db.close();
  }
}

export interface CacheBenchFiles {
  dbPath: string;
  tiersFile: string;
  accountId: string;
  /** A key with the cache on (the account's setting). */
  key: string;
  /** A key of the same project with the cache off at key scope. */
  offKey: string;
}

/** The cache benches' SQLite file (funded account, cache on, a cache-off key) and tier ladder, in `workDir`. */
export async function prepareCacheBenchFiles(workDir: string): Promise<CacheBenchFiles> {
  const dbPath = join(workDir, 'tollgate.db');
  const { accountId, key } = await prepareGatewayDb(dbPath);
  const offKey = await enableCache(dbPath, accountId);
  const tiersFile = join(workDir, 'tiers.json');
  writeBenchTierFile(tiersFile);
  return { dbPath, tiersFile, accountId, key, offKey };
}
