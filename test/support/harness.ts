// Test harness: a simulated upstream plus a gateway on a fresh SQLite file, and helpers to open funded accounts.
// Every test builds its own and closes it; nothing is shared between tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadConfig, type Config } from '../../src/config/config.js';
import { generateApiKey, hashApiKey, redactApiKey } from '../../src/domain/ids/api-key.js';
import { parseCredits } from '../../src/domain/money/pico.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';
import { openAccount } from '../../src/services/accounts.js';
import { startSimulator, type SimulatedUpstream, type SimulatorOptions } from '../../src/simulator/index.js';
import type { BalanceView } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, testStoreKind, type TestDatabase } from './test-database.js';

export interface FundedAccount {
  accountId: string;
  projectId: string;
  key: string;
  keyId: string;
}

export interface Harness {
  dir: string;
  dbPath: string;
  config: Config;
  upstream: SimulatedUpstream;
  gateway: RunningGateway;
  /** Base URL for OpenAI clients, e.g. http://127.0.0.1:PORT/v1 */
  baseURL: string;
  /** The gateway's store: SQLite by default, PostgreSQL when TOLLGATE_TEST_STORE=postgres. */
  store: Store;
  storeKind: 'sqlite' | 'postgres';
  /** DATABASE_URL when on PostgreSQL. */
  databaseUrl: string | undefined;
  /**
   * Opens an account (no sign-up grant unless configured) and grants `credits` as one adjustment grant. The account
   * is on usage tier `tier-5` unless told otherwise, so rate limits stay out of tests about other things.
   */
  account(credits?: string, opts?: { tier?: string }): Promise<FundedAccount>;
  client(key: string, opts?: { maxRetries?: number; timeout?: number }): OpenAI;
  /** Balance after every pending posting is committed. */
  balance(accountId: string): Promise<BalanceView>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  simulator?: SimulatorOptions;
  now?: () => number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const dbPath = join(dir, 'tollgate.db');
  const upstream = await startSimulator({ apiKey: 'sk-upstream-test', ...opts.simulator });
  const storeKind = testStoreKind();
  const database: TestDatabase | undefined = storeKind === 'postgres' ? await createTestDatabase() : undefined;
  const config = loadConfig({
    TOLLGATE_PORT: '0', TOLLGATE_DB: dbPath, OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-upstream-test',
    TOLLGATE_SIGNUP_CREDITS: '0', ...(database ? { DATABASE_URL: database.url } : {}), ...opts.env,
  });
  const gateway = await startGateway(config, { logger: silentLogger, ...(opts.now ? { now: opts.now } : {}) });
  const store = gateway.deps.store;
  const now = opts.now ?? Date.now;
  return {
    dir, dbPath, config, upstream, gateway, store, storeKind, databaseUrl: database?.url, baseURL: `${gateway.url}/v1`,
    async account(credits = '10', o = {}) {
      const { account, project } = await openAccount(store, config, { name: 'test account', tier: o.tier ?? 'tier-5' }, now());
      const amount = parseCredits(credits);
      if (amount > 0n) await store.insertGrant({ accountId: account.id, source: 'adjustment', amount }, now());
      const key = generateApiKey();
      const record = await store.createKey({
        accountId: account.id, projectId: project.id, kind: 'project', name: 'test',
        secretHash: hashApiKey(key), redacted: redactApiKey(key),
      }, now());
      return { accountId: account.id, projectId: project.id, key, keyId: record.id };
    },
    client(key, o = {}) {
      return new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: o.maxRetries ?? 0, timeout: o.timeout ?? 30_000 });
    },
    async balance(accountId) {
      await gateway.deps.wallet.flush();
      return gateway.deps.wallet.balance(accountId);
    },
    async close() {
      await gateway.close();
      await upstream.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
