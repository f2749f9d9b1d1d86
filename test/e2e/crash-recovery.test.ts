// The real `tollgate serve` as a child process: SIGKILL it with requests in flight and restart it — the holds the
// crash left open are released, nothing is charged twice — and SIGTERM it mid-stream — the stream finishes and is
// charged before the process exits. Runs on the store TOLLGATE_TEST_STORE names (on PostgreSQL the restarted
// process keeps its replica id, so it releases its own holds at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { generateApiKey, hashApiKey, redactApiKey } from '../../src/domain/ids/api-key.js';
import { loadConfig } from '../../src/config/config.js';
import { parseCredits } from '../../src/domain/money/pico.js';
import { startSimulator, type SimulatedUpstream } from '../../src/simulator/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { startServe, waitFor } from '../support/child-process.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { captureCounts, entriesFor, ledgerSum, openHoldIds } from '../support/ledger-queries.js';
import { postJson, sseData } from '../support/raw-http.js';
import { createTestDatabase, testStoreKind } from '../support/test-database.js';

const UPSTREAM_KEY = 'sk-upstream-crash-test';
const MODEL = 'gpt-4o-mini';
const IN = 150_000n;
const OUT = 600_000n;

interface Setup {
  dir: string;
  store: Store;
  upstream: SimulatedUpstream;
  env: Record<string, string>;
  accountId: string;
  key: string;
  granted: bigint;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-crash-'));
  const database = testStoreKind() === 'postgres' ? await createTestDatabase() : undefined;
  const upstream = await startSimulator({ apiKey: UPSTREAM_KEY });
  const env: Record<string, string> = {
    TOLLGATE_DB: join(dir, 'tollgate.db'), OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: UPSTREAM_KEY,
    TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url, TOLLGATE_REPLICA_ID: 'crash-test-replica' } : {}),
  };
  const store = await openStore(loadConfig(env));
  const now = Date.now();
  const { account, project } = await store.createAccount({ name: 'crash test', now });
  const granted = parseCredits('10');
  await store.insertGrant({ accountId: account.id, source: 'purchase', amount: granted }, now);
  const key = generateApiKey();
  await store.createKey({
    accountId: account.id, projectId: project.id, kind: 'project', name: 'crash', secretHash: hashApiKey(key), redacted: redactApiKey(key),
  }, now);
  return {
    dir, store, upstream, env, accountId: account.id, key, granted,
    async close() {
      await store.close();
      await upstream.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A streamed request read incrementally: resolves `firstData` on the first body bytes, `done` when it ends. */
function openStream(url: string, key: string, body: unknown, dispatcher: Agent) {
  let gotFirst: () => void = () => {};
  const firstData = new Promise<void>((resolve) => { gotFirst = resolve; });
  const done = (async () => {
    let text = '';
    let requestId: string | undefined;
    try {
      const res = await request(`${url}/v1/chat/completions`, {
        method: 'POST', dispatcher, body: JSON.stringify(body),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
      requestId = String(res.headers['x-request-id']);
      for await (const chunk of res.body) {
        text += (chunk as Buffer).toString('utf8');
        gotFirst();
      }
      return { status: res.statusCode, requestId, text, error: undefined };
    } catch (err) {
      return { status: 0, requestId, text, error: err as Error };
    }
  })();
  return { firstData, done };
}

const chat = (content: string, extra: Record<string, unknown> = {}) =>
  ({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: 200, ...extra });

test('SIGKILL with requests in flight, then restart: open holds released as interrupted, completed ones charged once', async () => {
  const s = await setup();
  const agent = new Agent({ connections: 16 });
  let serve = await startServe(s.env);
  try {
    // Completed before the crash: one plain call, one stream.
    const plain = await postJson(`${serve.url}/v1`, '/chat/completions', s.key, chat('finished before the crash'), { dispatcher: agent });
    assert.equal(plain.status, 200, plain.text);
    const streamed = await openStream(serve.url, s.key, chat('streamed before the crash', { stream: true }), agent).done;
    assert.equal(streamed.status, 200);
    assert.ok(streamed.text.includes('data: [DONE]'));
    const completed = [String(plain.headers['x-request-id']), streamed.requestId!];
    const costBefore = await ledgerSum(s.store, s.accountId, 'capture');
    assert.ok(costBefore > 0n);

    // In flight when the process dies: two slow streams and two calls the upstream never answers.
    s.upstream.script(
      { kind: 'slow-stream', chunkDelayMs: 200, chunks: 100 },
      { kind: 'slow-stream', chunkDelayMs: 200, chunks: 100 },
      { kind: 'hang' },
      { kind: 'hang' },
    );
    const seenBefore = s.upstream.requests.length;
    const streams = [0, 1].map((i) => openStream(serve.url, s.key, chat(`slow stream ${i}`, { stream: true }), agent));
    await Promise.all(streams.map((st) => st.firstData));
    const hanging = [0, 1].map((i) => postJson(`${serve.url}/v1`, '/chat/completions', s.key, chat(`hanging ${i}`), { dispatcher: agent })
      .then((r) => ({ error: undefined, r }), (error: Error) => ({ error, r: undefined })));
    const inFlight = await waitFor('four holds written', async () => {
      const open = await s.store.openHolds();
      return open.length === 4 ? open : undefined;
    });
    // A hold is written before its upstream call goes out: wait until the upstream has all four, or a scripted `hang`
    // left unconsumed would be served to the request after the restart (seen on a loaded machine).
    await waitFor('four upstream calls in flight', () => (s.upstream.requests.length >= seenBefore + 4 ? true : undefined));

    serve.child.kill('SIGKILL');
    assert.equal(await serve.exited, 'SIGKILL');
    for (const st of streams) {
      const r = await st.done;
      assert.ok(!r.text.includes('[DONE]'), 'a stream cut by the crash never looks complete');
    }
    for (const r of await Promise.all(hanging)) assert.ok(r.error, 'a call in flight at the crash fails');
    // The crash left exactly these holds open, and nothing was captured for them.
    assert.deepEqual((await openHoldIds(s.store)).sort(), inFlight.map((h) => h.requestId).sort());

    serve = await startServe(s.env);
    const released = serve.logs.find((l) => l.msg === 'released holds left open by an earlier stop');
    assert.equal(released?.holds, 4, JSON.stringify(serve.logs));

    assert.deepEqual(await openHoldIds(s.store), [], 'no hold open after recovery');
    const usage = new Map((await s.store.listUsage({ accountId: s.accountId })).map((u) => [u.requestId, u]));
    const captures = await captureCounts(s.store, s.accountId);
    for (const hold of inFlight) {
      const id = hold.requestId;
      const u = usage.get(id);
      assert.equal(u?.status, 'interrupted', `usage record for ${id}`);
      assert.equal(u.cost, 0n);
      assert.equal(u.aborted, true);
      assert.equal(u.hold, hold.amount);
      assert.equal(captures.get(id), undefined, `nothing captured for interrupted ${id}`);
      assert.deepEqual(await entriesFor(s.store, s.accountId, id, 'release'), [hold.amount], `one full release for ${id}`);
    }
    for (const id of completed) {
      assert.equal(captures.get(id), 1, `exactly one capture for completed ${id}`);
      assert.equal(usage.get(id)?.status, 'ok');
    }
    assert.equal(await ledgerSum(s.store, s.accountId, 'capture'), costBefore, 'recovery captured nothing');
    const balance = await s.store.balance(s.accountId, Date.now());
    assert.equal(balance.held, 0n);
    assert.equal(balance.available, s.granted - costBefore, 'balance back to the grant minus the completed calls');
    await assertLedgerBalances(s.store);
    await assertNoOpenHolds(s.store);

    // The restarted server serves, and a second restart has nothing left to recover.
    const after = await postJson(`${serve.url}/v1`, '/chat/completions', s.key, chat('after the restart'), { dispatcher: agent });
    assert.equal(after.status, 200, after.text);
    serve.child.kill('SIGKILL');
    await serve.exited;
    serve = await startServe(s.env);
    assert.equal(serve.logs.find((l) => l.msg === 'released holds left open by an earlier stop'), undefined);
    assert.equal((await captureCounts(s.store, s.accountId)).get(String(after.headers['x-request-id'])), 1);
    for (const hold of inFlight) {
      assert.equal((await entriesFor(s.store, s.accountId, hold.requestId, 'release')).length, 1, `still one release for ${hold.requestId}`);
    }
    await assertLedgerBalances(s.store);
    await assertNoOpenHolds(s.store);
  } finally {
    serve.child.kill('SIGKILL');
    await serve.exited;
    await agent.close();
    await s.close();
  }
});

test('SIGTERM during a stream: the stream finishes, is charged exactly, and the process exits 0 right after', async () => {
  const s = await setup();
  // A client that keeps idle connections for a long time must not hold the shutdown open.
  const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
  const serve = await startServe(s.env);
  try {
    s.upstream.script({ kind: 'slow-stream', chunkDelayMs: 25, chunks: 24 });
    const st = openStream(serve.url, s.key, chat('drain me', { stream: true, stream_options: { include_usage: true } }), agent);
    await st.firstData;
    await waitFor('the hold written', async () => ((await s.store.openHolds()).length === 1 ? true : undefined));
    serve.child.kill('SIGTERM');
    const r = await st.done;
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 200);
    const data = sseData(r.text);
    assert.equal(data.at(-1), '[DONE]', 'the client got the whole stream');
    const usageChunk = data.slice(0, -1).map((d) => JSON.parse(d) as { usage?: { prompt_tokens: number; completion_tokens: number } | null })
      .find((c) => c.usage);
    assert.ok(usageChunk?.usage, 'the client asked for usage and got it');
    assert.equal(usageChunk.usage.completion_tokens, 72, '24 chunks of 3 tokens');
    const streamEnded = Date.now();
    assert.equal(await serve.exited, 0, 'graceful exit');
    const lingered = Date.now() - streamEnded;
    assert.ok(lingered < 3_000, `the process exited ${lingered} ms after its last response`);
    assert.ok(serve.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));

    const expected = BigInt(usageChunk.usage.prompt_tokens) * IN + BigInt(usageChunk.usage.completion_tokens) * OUT;
    const rows = await s.store.listUsage({ accountId: s.accountId });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.requestId, r.requestId);
    assert.equal(rows[0]!.status, 'ok');
    assert.equal(rows[0]!.cost, expected);
    assert.equal((await captureCounts(s.store, s.accountId)).get(r.requestId!), 1);
    assert.equal(await ledgerSum(s.store, s.accountId, 'capture'), expected);
    assert.deepEqual(await openHoldIds(s.store), []);
    const balance = await s.store.balance(s.accountId, Date.now());
    assert.equal(balance.available, s.granted - expected);
    await assertLedgerBalances(s.store);
  } finally {
    serve.child.kill('SIGKILL');
    await serve.exited;
    await agent.close();
    await s.close();
  }
});
