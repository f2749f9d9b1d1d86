// Two gateway replicas on one PostgreSQL database and one Redis share one response cache: an answer stored through
// one replica is a hit on the other, and the upstream is called once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisPair } from './redis-pair.js';
import { request } from 'undici';
import { openAccount } from '../../src/services/accounts.js';
import { issueKey } from '../../src/services/api-keys.js';
import { parseCredits } from '../../src/domain/money/pico.js';

test('two replicas sharing Redis share the response cache', async (t) => {
  const pair = await startRedisPair(t, 'cache');
  if (!pair) return;
  const { a, b, upstream } = pair;
  try {
    assert.equal(a.deps.cache?.backend.kind, 'redis');
    const { account } = await openAccount(a.deps.store, a.deps.config, { name: 'shared', tier: 'tier-5' }, Date.now());
    await a.deps.store.insertGrant({ accountId: account.id, source: 'adjustment', amount: parseCredits('5') }, Date.now());
    const { secret } = await issueKey(a.deps.store, { accountId: account.id }, Date.now());
    await a.deps.cache!.settingsStore.put({ accountId: account.id, scope: 'account', scopeId: account.id, enabled: true, ttlSeconds: 60, updatedAt: Date.now() });
    const chat = async (url: string, stream = false) => {
      const res = await request(`${url}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 10, stream, messages: [{ role: 'user', content: 'shared?' }] }),
      });
      return { status: res.statusCode, cache: res.headers['x-tollgate-cache'], text: await res.body.text() };
    };
    await a.deps.cache!.reload();
    await b.deps.cache!.reload();
    const redis = a.deps.redis!;
    const pattern = `${a.deps.cache!.prefix}{${account.id}}:*`;
    // The Redis write is not awaited by the request that stored it: wait until it landed.
    const stored = async (n: number) => {
      for (let i = 0; i < 100 && (await redis.keys(pattern)).length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const first = await chat(a.url);
    assert.equal(first.cache, 'miss');
    await stored(1);
    const second = await chat(b.url);
    assert.equal(second.cache, 'hit', 'replica b answered from what replica a stored');
    assert.equal(second.text, first.text);
    const stream = await chat(b.url, true);
    assert.equal(stream.cache, 'miss');
    await stored(2);
    const replay = await chat(a.url, true);
    assert.equal(replay.cache, 'hit');
    assert.equal(replay.text, stream.text);
    assert.equal(upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 2, 'one upstream call per distinct request');
    await redis.del(...(await redis.keys(pattern)));
  } finally {
    await pair.close();
  }
});
