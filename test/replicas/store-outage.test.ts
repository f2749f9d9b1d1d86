// PostgreSQL becomes unreachable under a running gateway (a TCP proxy between them is cut, the real server is never
// touched). New requests fail closed with an OpenAI-shaped 503 and never reach the upstream; requests already holding
// credit finish once the store is back, their settlement retried until durable — including one whose COMMIT reached
// the server but whose answer was lost — and committed exactly once; the gateway recovers by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Behaviour } from '../../src/simulator/index.js';
import { postgresAvailable } from '../support/test-database.js';
import {
  UPSTREAM_KEY, assertBooksClose, eventually, openFixture, openHoldsOf, raceAgent, requestSizes, startLoad, type Outcome,
} from './replica-fixture.js';
import { startTcpProxy, throughProxy } from './tcp-proxy.js';

const IN_FLIGHT = 6;
const UPSTREAM_DELAY_MS = 600;

function assertUnavailable(o: Outcome): void {
  assert.equal(o.status, 503, `${o.status} ${o.error ?? JSON.stringify(o.json)}`);
  const err = (o.json as { error?: Record<string, unknown> } | undefined)?.error;
  assert.equal(err?.type, 'server_error', JSON.stringify(o.json));
  assert.equal(err.code, 'service_unavailable');
  assert.equal(err.param, null);
  assert.equal(typeof err.message, 'string');
  assert.match(String(o.headers['content-type']), /application\/json/);
  assert.ok(o.requestId, '503 carries x-request-id');
}

async function captureIds(fx: Awaited<ReturnType<typeof openFixture>>, ids: readonly string[]): Promise<string[]> {
  const { rows } = await fx.store.pool.query(`SELECT DISTINCT request_id FROM ledger_entries WHERE kind = 'capture'
    AND request_id = ANY($1::text[])`, [ids]);
  return (rows as Array<{ request_id: string }>).map((r) => r.request_id);
}

test('store outage: 503 without reaching upstream, held requests settle exactly once after it, service resumes', { timeout: 60_000 }, async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const { hold } = requestSizes();
  const fx = await openFixture(hold * 100n);
  const direct = new URL(fx.database.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const logs: Array<Record<string, unknown>> = [];
  const config = loadConfig({
    TOLLGATE_PORT: '0', DATABASE_URL: throughProxy(fx.database.url, proxy), OPENAI_BASE_URL: fx.upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEY, TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_REPLICA_ID: 'outage', TOLLGATE_PG_POOL_MAX: '8',
    TOLLGATE_PG_CONNECT_TIMEOUT_MS: '500',
  });
  const gateway = await startGateway(config, { logger: createLogger('info', (line) => logs.push(JSON.parse(line) as Record<string, unknown>)) });
  const agent = raceAgent(32);
  const send = (total: number, concurrency = total) =>
    startLoad({ total, concurrency, targets: () => [gateway.url], key: fx.key, dispatcher: agent, timeoutMs: 20_000 });
  const served: Outcome[] = [];
  try {
    const warm = await send(3).done;
    assert.deepEqual(warm.map((o) => o.status), [200, 200, 200]);
    served.push(...warm);

    // Requests whose holds are placed and whose upstream calls are running when the store goes away.
    fx.upstream.script(...Array.from({ length: IN_FLIGHT }, (): Behaviour => ({ kind: 'ok', delayMs: UPSTREAM_DELAY_MS })));
    const upstreamBefore = fx.upstream.requests.length;
    const inFlight = send(IN_FLIGHT);
    const held = await eventually('the in-flight holds placed', async () => {
      const open = await openHoldsOf(fx.store);
      return open.length === IN_FLIGHT ? open : undefined;
    });
    await eventually('the upstream got the in-flight calls', async () =>
      (fx.upstream.requests.length === upstreamBefore + IN_FLIGHT ? true : undefined));

    // The first settlement's COMMIT reaches PostgreSQL; its answer never comes back. Then everything is cut.
    await Promise.race([
      proxy.muteAfter('COMMIT\0'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no settlement COMMIT seen')), 5_000).unref()),
    ]);
    const committedUnanswered = await eventually('the muted settlement committed', async () => {
      const ids = await captureIds(fx, held);
      return ids.length > 0 ? ids : undefined;
    }, 3_000);
    assert.equal(inFlight.finished(), 0, 'no in-flight request answered before its settlement is known to be durable');
    proxy.cut('refuse');
    const upstreamAtCut = fx.upstream.requests.length;

    // New requests fail closed, fast, without an upstream call: store refusing connections, then not answering at all.
    const startedRefused = Date.now();
    const refused = await send(8, 4).done;
    for (const o of refused) assertUnavailable(o);
    assert.ok(Date.now() - startedRefused < 5_000, 'refusals are quick');
    proxy.cut('blackhole');
    const startedHung = Date.now();
    const hung = await send(4).done;
    for (const o of hung) assertUnavailable(o);
    assert.ok(Date.now() - startedHung < 5_000, 'a store that does not answer fails within the connect timeout');
    assert.equal(fx.upstream.requests.length, upstreamAtCut, 'the upstream saw no call while the store was down');
    assert.equal(inFlight.finished(), 0, 'held requests wait for their settlement');
    assert.ok(logs.some((l) => l.msg === 'settlement batch failed; retrying'), 'settlement is being retried');

    proxy.restore();
    const after = await send(1).done;
    assert.equal(after[0]?.status, 200, `first request after the outage: ${after[0]?.status} ${JSON.stringify(after[0]?.json)}`);
    served.push(...after);
    const finished = await inFlight.done;
    assert.deepEqual(finished.map((o) => o.status), Array.from({ length: IN_FLIGHT }, () => 200),
      JSON.stringify(finished.map((o) => o.error ?? o.json)));
    assert.deepEqual(finished.map((o) => o.requestId).sort(), [...held].sort());
    served.push(...finished);
    assert.ok(committedUnanswered.every((id) => held.includes(id)));

    await eventually('no hold left open', async () => ((await openHoldsOf(fx.store)).length === 0 ? true : undefined));
    await gateway.deps.wallet.flush();
    await assertBooksClose(fx, served);
    const usage = await fx.store.pool.query('SELECT COUNT(*) AS n FROM usage_records');
    assert.equal((usage.rows[0] as { n: bigint }).n, BigInt(served.length), 'one usage record per served request, no 503 recorded as use');
  } finally {
    await gateway.close().catch(() => {});
    await agent.close();
    await proxy.close();
    await fx.close();
  }
});
