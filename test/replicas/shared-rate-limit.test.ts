// Two gateway replicas on one PostgreSQL database and one Redis enforce one combined rate limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisPair } from './redis-pair.js';
import { request } from 'undici';
import { openAccount } from '../../src/services/accounts.js';
import { issueKey } from '../../src/services/api-keys.js';
import { parseCredits } from '../../src/domain/money/pico.js';

test('two replicas sharing Redis let through exactly one tier limit, not one each', async (t) => {
  const pair = await startRedisPair(t, 'rl');
  if (!pair) return;
  const { a, b, upstream } = pair;
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
    await pair.close();
  }
});
