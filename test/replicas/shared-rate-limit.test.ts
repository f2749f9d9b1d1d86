// Two gateway replicas on one PostgreSQL database and one Redis enforce one combined rate limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';
import { openAccount } from '../../src/services/accounts.js';
import { issueKey } from '../../src/services/api-keys.js';
import { parseCredits } from '../../src/domain/money/pico.js';
import { startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, postgresAvailable } from '../support/test-database.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

test('two replicas sharing Redis let through exactly one tier limit, not one each', async (t) => {
  if (!(await postgresAvailable()) || !(await redisAvailable())) {
    t.skip('PostgreSQL or Redis unreachable (outside CI)');
    return;
  }
  const db = await createTestDatabase();
  const upstream = await startSimulator({ apiKey: 'sk-up' });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-rl-'));
  const env = (id: string) => loadConfig({
    TOLLGATE_PORT: '0', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-up',
    TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_REPLICA_ID: id, TOLLGATE_DB: join(dir, `${id}.db`),
  });
  const a = await startGateway(env('rl-a'), { logger: silentLogger });
  const b = await startGateway(env('rl-b'), { logger: silentLogger });
  try {
    const { account } = await openAccount(a.deps.store, a.deps.config, { name: 'shared', tier: 'free' }, Date.now());
    await a.deps.store.insertGrant({ accountId: account.id, source: 'adjustment', amount: parseCredits('5') }, Date.now());
    const { secret } = await issueKey(a.deps.store, { accountId: account.id }, Date.now());
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => request(`${(i % 2 ? a : b).url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    }).then(async (r) => {
      await r.body.dump();
      return r.statusCode;
    })));
    assert.equal(statuses.filter((s) => s === 200).length, 3, `statuses ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
  } finally {
    await a.close();
    await b.close();
    await upstream.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
