// The rollups on both stores: migration 009 backfills existing usage records, the trigger adds new ones in the
// inserting transaction (refusals left out, replays counted once), and the adapters sum them by bucket and group.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, postgresAvailable } from '../../../test/support/test-database.js';
import type { UsageRecord } from '../../store/records.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { RollupQuery } from './usage-rollup-store.js';
import { usageRollupsFor } from './usage-rollups.js';

const dir = (store: 'sqlite' | 'postgres') => fileURLToPath(new URL(`../../../migrations/${store}/`, import.meta.url));
const files = (store: 'sqlite' | 'postgres') => readdirSync(dir(store)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
const before009 = (store: 'sqlite' | 'postgres') => files(store).filter((f) => f < '009_');

const INSERT = `INSERT INTO usage_records (request_id, account_id, project_id, key_id, model, endpoint, input_tokens,
  cached_input_tokens, output_tokens, cost_pico, uncollected_pico, status, http_status, created_at)`;
const OLD_ROWS = `VALUES ('r1', 'acct_a', 'proj_a', 'key_a', 'gpt-4o', 'chat.completions', 100, 40, 10, 5000, 0, 'ok', 200, 60000),
  ('r2', 'acct_a', 'proj_a', 'key_a', 'gpt-4o', 'responses', 50, 0, 5, 3000, 1000, 'cut_off', 499, 119999),
  ('r3', 'acct_a', NULL, 'key_a', 'text-embedding-3-small', 'embeddings', 7, 0, 0, 70, 0, 'ok', 200, 61000),
  ('r4', 'acct_a', 'proj_a', 'key_a', 'gpt-4o', 'chat.completions', 0, 0, 0, 0, 0, 'insufficient_quota', 429, 60500),
  ('r5', 'acct_b', 'proj_b', 'key_b', 'gpt-4o', 'chat.completions', 1, 0, 1, 9, 0, 'ok', 200, 60000)`;

const query = (o: Partial<RollupQuery> = {}): RollupQuery => ({
  accountId: 'acct_a', kinds: ['completions'], from: 0, to: 600, origin: 0, widthSec: 60,
  group: { project: false, key: false, model: false }, projectIds: null, keyIds: null, models: null, ...o,
});

const record = (o: Partial<UsageRecord>): UsageRecord => ({
  requestId: 'new', accountId: 'acct_a', projectId: 'proj_a', keyId: 'key_a', model: 'gpt-4o', endpoint: 'chat.completions',
  inputTokens: 10, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, cost: 8_000_000_000_000_000_000n, uncollected: 0n,
  hold: 0n, priceEffectiveFrom: null, cacheHit: false, status: 'ok', httpStatus: 200, stream: false, aborted: false,
  latencyMs: 1, createdAt: 130_000, ...o,
});

async function checks(store: Store) {
  const rollups = usageRollupsFor(store);
  // Backfilled: minute 60 holds r1 (and r2 is in minute 60 too: 119999 ms); the refusal and account b are not counted.
  assert.deepEqual(await rollups.sums(query()), [{
    bucketStart: 60, projectId: null, keyId: null, model: null, inputTokens: 150, cachedInputTokens: 40, outputTokens: 15,
    requests: 2, charged: 7000n,
  }]);
  const embeddings = await rollups.sums(query({ kinds: ['embeddings'], group: { project: true, key: true, model: true } }));
  assert.deepEqual(embeddings.map((s) => [s.projectId, s.keyId, s.model, s.requests]), [[null, 'key_a', 'text-embedding-3-small', 1]]);

  // New records through the store's own insert: counted once however often replayed; a refusal is not counted.
  await store.recordUsage(record({ requestId: 'n1' }));
  await store.recordUsage(record({ requestId: 'n1' }));
  await store.recordUsage(record({ requestId: 'n2' }));
  await store.recordUsage(record({ requestId: 'n3', status: 'rate_limited', cost: 0n }));
  const hour = await rollups.sums(query({ widthSec: 3_600, to: 3_600, group: { project: true, key: false, model: true } }));
  // Two records of 8 million credits each sum past 64 bits in the adapter without loss.
  assert.deepEqual(hour, [{
    bucketStart: 0, projectId: 'proj_a', keyId: null, model: 'gpt-4o', inputTokens: 170, cachedInputTokens: 40, outputTokens: 19,
    requests: 4, charged: 7000n + 16_000_000_000_000_000_000n,
  }]);
  assert.deepEqual(await rollups.sums(query({ projectIds: ['proj_b'] })), []);
  assert.deepEqual((await rollups.sums(query({ accountId: 'acct_b' }))).map((s) => s.requests), [1]);
  assert.deepEqual(await rollups.sums(query({ from: 120, to: 180, origin: 120 })), [{
    bucketStart: 120, projectId: null, keyId: null, model: null, inputTokens: 20, cachedInputTokens: 0, outputTokens: 4,
    requests: 2, charged: 16_000_000_000_000_000_000n,
  }]);
}

test('SQLite: migration 009 backfills, the trigger keeps rollups, the adapter sums them', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tollgate-rollups-'));
  const path = join(tmp, 'tollgate.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const f of before009('sqlite')) {
    raw.exec(readFileSync(dir('sqlite') + f, 'utf8'));
    raw.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(f.replace(/\.sql$/, ''));
  }
  raw.exec(`${INSERT} ${OLD_ROWS}`);
  raw.close();
  const store = new SqliteStore(path);
  try {
    await checks(store);
  } finally {
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('PostgreSQL: migration 009 backfills, the statement trigger keeps rollups, the adapter sums them', async (t: TestContext) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const database = await createTestDatabase();
  const raw = new pg.Client({ connectionString: database.url });
  await raw.connect();
  await raw.query('CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const f of before009('postgres')) {
    await raw.query(readFileSync(dir('postgres') + f, 'utf8'));
    await raw.query('INSERT INTO schema_migrations VALUES ($1, 0)', [f.replace(/\.sql$/, '')]);
  }
  await raw.query(`${INSERT} ${OLD_ROWS}`);
  await raw.end();
  const store = await PgStore.open(database.url);
  try {
    await checks(store);
  } finally {
    await store.close();
    await database.drop();
  }
});
