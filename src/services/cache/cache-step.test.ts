import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedAnswer } from '../../domain/cache/cached-answer.js';
import type { CacheSetting } from '../../domain/cache/settings.js';
import { silentLogger } from '../../observability/logger.js';
import type { KeyLookup } from '../../store/store.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { CacheBackend } from './cache-backend.js';
import type { CacheSettingsStore } from './cache-settings-store.js';
import { LruBackend } from './lru-backend.js';
import { lookupCache } from './cache-step.js';
import { ResponseCache } from './response-cache.js';

const who = { account: { id: 'acct_1' }, key: { id: 'key_1', projectId: 'proj_1' } } as unknown as KeyLookup;
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const served = { model: 'gpt-4o-mini', maxOutputTokens: 16_384 };

function settingsOf(rows: CacheSetting[]): CacheSettingsStore {
  return { listAll: async () => rows, list: async () => rows, put: async () => {} };
}

function fakeRes(): ServerResponse & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (k: string, v: string) => { headers[k] = v; } } as unknown as ServerResponse & { headers: Record<string, string> };
}

async function setup(backend: CacheBackend, enabled = true) {
  const cache = new ResponseCache({
    backend, hitPercent: 0,
    settings: settingsOf([{ accountId: 'acct_1', scope: 'account', scopeId: 'acct_1', enabled, ttlSeconds: 60, updatedAt: 0 }]),
  });
  await cache.reload();
  const deps = { cache, logger: silentLogger, now: () => 1_000 } as unknown as GatewayDeps;
  return { cache, deps };
}

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;

test('an unreachable backend is a miss that stores nothing, never an error', async () => {
  let writes = 0;
  const broken: CacheBackend = {
    kind: 'redis',
    get: async () => { throw new Error('Connection is closed.'); },
    set: () => { writes++; },
  };
  const { deps } = await setup(broken);
  const res = fakeRes();
  const step = await lookupCache(deps, 'chat.completions', req(), body, who, res, served);
  assert.equal(step, undefined, 'no remember: nothing is stored while the backend is down');
  assert.equal(res.headers['x-tollgate-cache'], 'miss');
  assert.equal(writes, 0);
});

test('the cache off for the scope: no header, and the backend is never asked', async () => {
  let reads = 0;
  const counting: CacheBackend = { kind: 'memory', get: () => { reads++; return undefined; }, set: () => {} };
  const { deps } = await setup(counting, false);
  const res = fakeRes();
  assert.equal(await lookupCache(deps, 'chat.completions', req(), body, who, res, served), undefined);
  assert.equal(res.headers['x-tollgate-cache'], undefined);
  assert.equal(reads, 0);
});

test('remember then lookup is a hit; skip reads nothing but still refreshes', async () => {
  const { deps } = await setup(new LruBackend(1 << 20, () => 1_000));
  const answer: Omit<CachedAnswer, 'storedAt'> = {
    status: 200, contentType: 'application/json', stream: false, body: Buffer.from('{"ok":true}'),
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0 },
  };
  const miss = await lookupCache(deps, 'chat.completions', req(), body, who, fakeRes(), served);
  assert.ok(miss && !miss.hit && miss.remember);
  miss.remember(answer);
  const hit = await lookupCache(deps, 'chat.completions', req(), { messages: body.messages, model: body.model }, who, fakeRes(), served);
  assert.equal(hit?.hit?.body.toString(), '{"ok":true}');
  const skipped = await lookupCache(deps, 'chat.completions', req({ 'x-tollgate-cache': 'skip' }), body, who, fakeRes(), served);
  assert.ok(skipped && !skipped.hit && skipped.remember);
  const substituted = await lookupCache(deps, 'chat.completions', req(), body, who, fakeRes(), { ...served, model: 'gpt-4.1-nano' });
  assert.ok(substituted && !substituted.hit, 'a policy serving another model for the same body misses');
  const shorter = await lookupCache(deps, 'chat.completions', req(), body, who, fakeRes(), { ...served, maxOutputTokens: 100 });
  assert.ok(shorter && !shorter.hit, 'a different output cap sent upstream misses');
  const other = { ...who, account: { id: 'acct_2' } } as unknown as KeyLookup;
  assert.equal(await lookupCache(deps, 'chat.completions', req(), body, other, fakeRes(), served), undefined, 'acct_2 has no setting');
});
