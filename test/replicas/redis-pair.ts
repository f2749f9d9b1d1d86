// Two in-process gateway replicas on one fresh PostgreSQL database and the machine's Redis, in front of one simulated
// upstream: the set-up the shared-state tests (rate limits, response cache) have in common. Outside CI an unreachable
// server skips the test loudly; under CI=true it fails it (test-database.ts, test-redis.ts).
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startSimulator, type SimulatedUpstream } from '../../src/simulator/index.js';
import { createTestDatabase, postgresAvailable } from '../support/test-database.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

export interface RedisPair {
  a: RunningGateway;
  b: RunningGateway;
  upstream: SimulatedUpstream;
  close(): Promise<void>;
}

/** Starts the pair, or skips the test (returns undefined) when PostgreSQL or Redis is unreachable outside CI. */
export async function startRedisPair(t: TestContext, name: string): Promise<RedisPair | undefined> {
  if (!(await postgresAvailable()) || !(await redisAvailable())) {
    t.skip('PostgreSQL or Redis unreachable (outside CI)');
    return undefined;
  }
  const db = await createTestDatabase();
  const upstream = await startSimulator({ apiKey: 'sk-up' });
  const dir = mkdtempSync(join(tmpdir(), `tollgate-${name}-`));
  const env = (id: string) => loadConfig({
    TOLLGATE_PORT: '0', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-up',
    TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_REPLICA_ID: id, TOLLGATE_DB: join(dir, `${id}.db`),
  });
  const a = await startGateway(env(`${name}-a`), { logger: silentLogger });
  const b = await startGateway(env(`${name}-b`), { logger: silentLogger });
  return {
    a, b, upstream,
    async close() {
      await a.close();
      await b.close();
      await upstream.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
