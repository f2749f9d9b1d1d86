// The response cache end to end, with the openai SDK against the simulated upstream (both stores): a repeated request
// is answered without the upstream and charged once, never across accounts; streams replay as valid streams; TTL,
// bypass headers, the non-determinism rule, the hit price and scope settings behave as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { CacheScope } from '../../src/domain/cache/settings.js';
import { runCli } from '../support/child-process.js';
import { startHarness, type FundedAccount, type Harness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';

const MESSAGES = [{ role: 'user' as const, content: 'Tell me about caches.' }];

async function enableCache(h: Harness, acct: FundedAccount, ttlSeconds = 600, scope: CacheScope = 'account', scopeId = acct.accountId, enabled = true): Promise<void> {
  const cache = h.gateway.deps.cache!;
  await cache.settingsStore.put({ accountId: acct.accountId, scope, scopeId, enabled, ttlSeconds, updatedAt: Date.now() });
  await cache.reload();
}

function upstreamCalls(h: Harness, path = '/chat/completions'): number {
  return h.upstream.requests.filter((r) => r.path.endsWith(path)).length;
}

async function rawChat(h: Harness, key: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${h.baseURL}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body,
  });
  return { status: res.statusCode, cache: res.headers['x-tollgate-cache'], cost: res.headers['x-tollgate-cost'], text: await res.body.text() };
}

test('the same request twice: one upstream call, charged once, the hit recorded with the credits it saved; another account misses', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const b = await h.account('10');
    await enableCache(h, a);
    await enableCache(h, b);
    const first = await h.client(a.key).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30 }).withResponse();
    assert.equal(first.response.headers.get('x-tollgate-cache'), 'miss');
    const before = await h.balance(a.accountId);
    // The same request with another key order and whitespace.
    const second = await rawChat(h, a.key, `{ "max_tokens": 30,\n "messages": [{"content": "Tell me about caches.", "role": "user"}], "model": "gpt-4o-mini" }`);
    assert.equal(second.status, 200);
    assert.equal(second.cache, 'hit');
    assert.equal(second.cost, '0');
    assert.deepEqual(JSON.parse(second.text), first.data, 'the stored answer, byte for byte');
    assert.equal(upstreamCalls(h), 1, 'the upstream saw one call');
    const after = await h.balance(a.accountId);
    assert.equal(after.available, before.available, 'the hit is free by default');

    const usage = await h.store.listUsage({ accountId: a.accountId });
    assert.equal(usage.length, 2);
    const hit = usage.find((u) => u.cacheHit);
    const miss = usage.find((u) => !u.cacheHit);
    assert.ok(hit && miss);
    assert.ok(miss.cost > 0n);
    assert.equal(hit.cost, 0n);
    assert.equal(hit.savedCost, miss.cost, 'saved = what the answer cost upstream');
    assert.equal(miss.savedCost ?? 0n, 0n);
    assert.equal(hit.status, 'ok');
    assert.equal(hit.outputTokens, miss.outputTokens);

    // Another account with the very same request is never answered from account a's entry.
    const other = await h.client(b.key).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30 }).withResponse();
    assert.equal(other.response.headers.get('x-tollgate-cache'), 'miss');
    assert.equal(upstreamCalls(h), 2);
    const [bRecord] = await h.store.listUsage({ accountId: b.accountId });
    assert.ok(bRecord && !bRecord.cacheHit && bRecord.cost === miss.cost, 'account b paid for its own upstream call');
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('a cached stream replays as a valid stream the openai SDK parses, with the usage chunk only when asked for', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    const client = h.client(a.key);
    const run = async (includeUsage: boolean) => {
      const { data: stream, response } = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30, stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      }).withResponse();
      let text = '';
      let usage: unknown = null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      return { cache: response.headers.get('x-tollgate-cache'), text, usage, chunks };
    };
    const first = await run(true);
    const replay = await run(true);
    assert.equal(first.cache, 'miss');
    assert.equal(replay.cache, 'hit');
    assert.ok(replay.text.length > 0);
    assert.equal(replay.text, first.text);
    assert.equal(replay.chunks, first.chunks);
    assert.ok(replay.usage, 'a client that asked for usage gets the usage chunk on replay too');
    assert.deepEqual(replay.usage, first.usage);
    assert.equal(upstreamCalls(h), 1);

    const plain = await run(false);
    const plainReplay = await run(false);
    assert.equal(plain.cache, 'miss', 'include_usage changes the stream, so it is part of the key');
    assert.equal(plainReplay.cache, 'hit');
    assert.equal(plainReplay.usage, null, 'the hidden usage chunk stays hidden on replay');
    assert.equal(plainReplay.text, plain.text);
    assert.equal(upstreamCalls(h), 2);

    // The raw replay ends with [DONE].
    const raw = await rawChat(h, a.key, JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30, stream: true }));
    assert.equal(raw.cache, 'hit');
    assert.match(raw.text, /data: \[DONE\]\s*$/);
    await h.gateway.deps.wallet.flush();
    const usage = await h.store.listUsage({ accountId: a.accountId });
    assert.equal(usage.filter((u) => u.cacheHit && u.stream).length, 3);
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});

test('an entry expires after its TTL (injected clock), and a shorter TTL applies to entries already stored', async () => {
  let now = Date.now();
  const h = await startHarness({ now: () => now });
  try {
    const a = await h.account('10');
    await enableCache(h, a, 60);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss');
    now += 59_000;
    assert.equal((await rawChat(h, a.key, body)).cache, 'hit');
    now += 1_000;
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss', 'expired at 60 s');
    assert.equal(upstreamCalls(h), 2);
    now += 10_000;
    await enableCache(h, a, 5);
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss', 'stored 10 s ago, TTL now 5 s');
  } finally {
    await h.close();
  }
});

test('bypass: Cache-Control no-cache and x-tollgate-cache skip go upstream (and refresh), no-store neither reads nor writes', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, body, { 'x-tollgate-cache': 'skip' })).cache, 'miss');
    assert.equal((await rawChat(h, a.key, body, { 'cache-control': 'no-cache' })).cache, 'miss');
    assert.equal(upstreamCalls(h), 3);
    assert.equal((await rawChat(h, a.key, body)).cache, 'hit');
    const other = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 21 });
    assert.equal((await rawChat(h, a.key, other, { 'cache-control': 'no-store' })).cache, 'miss');
    assert.equal((await rawChat(h, a.key, other)).cache, 'miss', 'no-store stored nothing');
    assert.equal(upstreamCalls(h), 5);
  } finally {
    await h.close();
  }
});

test('non-deterministic requests (n > 1 at temperature ≠ 0) and failed answers are not cached; the cache is off without a setting', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const off = await rawChat(h, a.key, JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20 }));
    assert.equal(off.cache, undefined, 'no header when the cache is off for the key');
    await enableCache(h, a);
    const several = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20, n: 2 });
    assert.equal((await rawChat(h, a.key, several)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, several)).cache, 'miss');
    const greedy = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20, n: 2, temperature: 0 });
    assert.equal((await rawChat(h, a.key, greedy)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, greedy)).cache, 'hit', 'n > 1 at temperature 0 is deterministic enough');
    const failing = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 22 });
    h.upstream.script({ kind: 'status', status: 500 });
    assert.equal((await rawChat(h, a.key, failing)).status, 500);
    assert.equal((await rawChat(h, a.key, failing)).cache, 'miss', 'the error was not stored');
    assert.equal((await rawChat(h, a.key, failing)).cache, 'hit');
  } finally {
    await h.close();
  }
});

test('a priced hit (TOLLGATE_CACHE_HIT_PERCENT) is held and settled; embeddings and responses are cached too', async () => {
  const h = await startHarness({ env: { TOLLGATE_CACHE_HIT_PERCENT: '25' } });
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    const client = h.client(a.key);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30 });
    const before = (await h.balance(a.accountId)).available;
    const hit = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30 }).withResponse();
    assert.equal(hit.response.headers.get('x-tollgate-cache'), 'hit');
    const usage = await h.store.listUsage({ accountId: a.accountId });
    const full = usage.find((u) => !u.cacheHit)!.cost;
    const record = usage.find((u) => u.cacheHit)!;
    assert.equal(record.cost, (full * 25n) / 100n);
    assert.equal(record.savedCost, full - record.cost);
    assert.equal(record.hold, record.cost, 'held exactly the hit price, then captured');
    assert.equal((await h.balance(a.accountId)).available, before - record.cost);

    for (let i = 0; i < 2; i++) await client.embeddings.create({ model: 'text-embedding-3-small', input: 'cache me' });
    assert.equal(upstreamCalls(h, '/embeddings'), 1);
    for (let i = 0; i < 2; i++) await client.responses.create({ model: 'gpt-4o-mini', input: 'cache me', max_output_tokens: 20 });
    assert.equal(upstreamCalls(h, '/responses'), 1);
    assert.equal(upstreamCalls(h), 1);
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('tollgate cache set: the most specific scope wins, and a change applies on the very next request', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const cli = async (args: string[]) => {
      const r = await runCli(args, { TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url, ...(h.databaseUrl ? { DATABASE_URL: h.databaseUrl } : {}) });
      assert.equal(r.code, 0, `tollgate ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20 });
    await cli(['cache', 'set', '--account', a.accountId, '--ttl', '600']);
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, body)).cache, 'hit');
    await cli(['cache', 'set', '--account', a.accountId, '--key', a.keyId, '--off']);
    assert.equal((await rawChat(h, a.key, body)).cache, undefined, 'the key is off although its account is on');
    const listed = JSON.parse(await cli(['cache', 'list', '--account', a.accountId, '--json'])) as Array<{ scope: string; enabled: boolean }>;
    assert.deepEqual(listed.map((s) => [s.scope, s.enabled]).sort(), [['account', true], ['key', false]]);
    const bad = await runCli(['cache', 'set', '--account', a.accountId, '--ttl', '0'], { TOLLGATE_DB: h.dbPath, ...(h.databaseUrl ? { DATABASE_URL: h.databaseUrl } : {}) });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /TTL must be a whole number/);
  } finally {
    await h.close();
  }
});

test('the admin API sets and lists cache settings; a bad TTL is a 400; the setting applies on the next request', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: 'admin-secret' } });
  try {
    const a = await h.account('10');
    const admin = async (method: string, body?: unknown) => {
      const res = await request(`${h.gateway.url}/admin/v1/accounts/${a.accountId}/cache`, {
        method, headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
    };
    assert.equal((await admin('PUT', { enabled: true, ttl_seconds: 0 })).status, 400);
    assert.equal((await admin('PUT', { enabled: true, project_id: 'proj_nope', ttl_seconds: 5 })).status, 404);
    const set = await admin('PUT', { enabled: true, project_id: a.projectId, ttl_seconds: 120 });
    assert.equal(set.status, 200);
    assert.deepEqual([set.json.scope, set.json.scope_id, set.json.ttl_seconds], ['project', a.projectId, 120]);
    const listed = await admin('GET');
    assert.equal((listed.json.data as unknown[]).length, 1);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, body)).cache, 'hit');
    await admin('PUT', { enabled: false, project_id: a.projectId });
    assert.equal((await rawChat(h, a.key, body)).cache, undefined);
  } finally {
    await h.close();
  }
});

test('a cut-off stream is not stored, and the in-process cache stays under TOLLGATE_CACHE_MAX_BYTES', async () => {
  const h = await startHarness({ env: { TOLLGATE_CACHE_MAX_BYTES: '6000' } });
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 30, stream: true });
    h.upstream.script({ kind: 'reset-mid-stream', afterChunks: 2 });
    await rawChat(h, a.key, streamBody).catch(() => undefined);
    assert.equal((await rawChat(h, a.key, streamBody)).cache, 'miss', 'the broken stream was not stored');
    assert.equal((await rawChat(h, a.key, streamBody)).cache, 'hit');

    const lru = h.gateway.deps.cache!.backend as unknown as { bytesUsed(): number; size(): number };
    for (let i = 0; i < 30; i++) {
      const r = await rawChat(h, a.key, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 20 }));
      assert.equal(r.cache, 'miss');
      assert.ok(lru.bytesUsed() <= 6000, `${lru.bytesUsed()} bytes after ${i + 1} answers`);
    }
    assert.ok(lru.size() > 1 && lru.size() < 30, `entries kept: ${lru.size()}`);
    const latest = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'question 29' }], max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, latest)).cache, 'hit', 'the most recent answer is still there');
    const oldest = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'question 0' }], max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, oldest)).cache, 'miss', 'the least recently used was evicted');
  } finally {
    await h.close();
  }
});

test('a hit counts as one request and no tokens: served with the token limit used up, refused by the request limit', async () => {
  // The clock stands still, so no window refills during the test.
  const now = Date.now();
  const h = await startHarness({ now: () => now });
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    await h.store.setRateLimitOverride(a.projectId, { family: 'gpt-4o-mini', rpm: 2, tpm: 100, rpd: null }, now);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 60 });
    const first = await rawChat(h, a.key, body);
    assert.equal(first.status, 200);
    assert.equal(first.cache, 'miss');
    // Another request that needs more tokens than the minute has left is refused on tokens.
    const bigger = await rawChat(h, a.key, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Something else.' }], max_tokens: 90 }));
    assert.equal(bigger.status, 429);
    assert.equal(JSON.parse(bigger.text).error.type, 'tokens');
    // The repeated request would count ~70 tokens if it went upstream; as a hit it counts none, so it is served.
    const hit = await rawChat(h, a.key, body);
    assert.equal(hit.status, 200, hit.text);
    assert.equal(hit.cache, 'hit');
    // It did count as a request: the limit of 2 per minute is reached, and the next hit is refused.
    const third = await rawChat(h, a.key, body);
    assert.equal(third.status, 429);
    assert.equal(JSON.parse(third.text).error.type, 'requests');
    assert.equal(upstreamCalls(h), 1);
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('an answer stored before a lower prompt cap is not served: the request is refused with the policy 400', async () => {
  const ADMIN = 'admin-token-cache';
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
  try {
    const a = await h.account('10');
    await enableCache(h, a);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'word '.repeat(40) }], max_tokens: 20 });
    assert.equal((await rawChat(h, a.key, body)).cache, 'miss');
    assert.equal((await rawChat(h, a.key, body)).cache, 'hit');
    const put = await request(`${h.gateway.url}/admin/v1/accounts/${a.accountId}/policies`, {
      method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'account', max_prompt_tokens: 20 }),
    });
    assert.equal(put.statusCode, 200, await put.body.text());
    const refused = await rawChat(h, a.key, body);
    assert.equal(refused.status, 400);
    assert.equal(JSON.parse(refused.text).error.code, 'context_length_exceeded');
    assert.equal(upstreamCalls(h), 1, 'neither served from the cache nor sent upstream');
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});
