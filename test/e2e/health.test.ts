// GET /health reports the store (and Redis when configured) and the run mode, for load balancers and operators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startHarness } from '../support/harness.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

test('health reports the store and, with REDIS_URL, Redis', async () => {
  const plain = await startHarness();
  try {
    const res = await request(`${plain.gateway.url}/health`);
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { status: string; mode: string; store: { kind: string; ok: boolean }; redis: { configured: boolean } };
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.store, { kind: plain.storeKind, ok: true });
    assert.equal(body.redis.configured, false);
    assert.match(body.mode, plain.storeKind === 'sqlite' ? /single process on SQLite/ : /replicas on PostgreSQL/);
  } finally {
    await plain.close();
  }
  if (!(await redisAvailable())) return;
  const shared = await startHarness({ env: { REDIS_URL: TEST_REDIS_URL } });
  try {
    const body = (await (await request(`${shared.gateway.url}/health`)).body.json()) as { redis: { configured: boolean; ok: boolean }; mode: string };
    assert.deepEqual(body.redis, { configured: true, ok: true });
    assert.match(body.mode, /Redis/);
  } finally {
    await shared.close();
  }
});
