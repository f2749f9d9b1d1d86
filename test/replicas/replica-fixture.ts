// Shared set-up for the multi-replica tests: a fresh PostgreSQL database with one funded account and key, an
// in-process simulated upstream, `tollgate serve` child processes on that database, a bounded load driver, and the
// book-keeping assertions — asked of the database in SQL, not of the code under test.
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { generateApiKey, hashApiKey, redactApiKey } from '../../src/domain/ids/api-key.js';
import { builtinPrices } from '../../src/domain/pricing/catalog.js';
import type { Price } from '../../src/domain/pricing/price.js';
import { formatCredits } from '../../src/domain/money/pico.js';
import { openAccount } from '../../src/services/accounts.js';
import { REPLY_TOKENS, startSimulator, type SimulatedUpstream } from '../../src/simulator/index.js';
import { countChatPrompt } from '../../src/simulator/tokens.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { startServe, type ServeProcess } from '../support/child-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

export const MODEL = 'gpt-4o-mini';
export const MAX_TOKENS = 100;
export const UPSTREAM_KEY = 'sk-upstream-replicas-test';
const CONTENT = 'Count to three, please.';

/** The one request body every load sends: its hold and its cost are known in advance. */
export const CHAT_BODY = { model: MODEL, messages: [{ role: 'user', content: CONTENT }], max_tokens: MAX_TOKENS } as const;

export function modelPrice(): Price {
  const now = Date.now();
  const rows = builtinPrices().filter((p) => p.model === MODEL && p.effectiveFrom <= now).sort((a, b) => b.effectiveFrom - a.effectiveFrom);
  assert.ok(rows[0], `no built-in price for ${MODEL}`);
  return rows[0];
}

/** Hold and cost of CHAT_BODY: the simulator answers REPLY_TOKENS (< MAX_TOKENS) tokens, so cost < hold. */
export function requestSizes(): { prompt: bigint; hold: bigint; cost: bigint } {
  const price = modelPrice();
  const prompt = BigInt(countChatPrompt(MODEL, [{ role: 'user', text: CONTENT }]));
  return {
    prompt,
    hold: prompt * price.inputPerToken + BigInt(MAX_TOKENS) * price.outputPerToken,
    cost: prompt * price.inputPerToken + BigInt(REPLY_TOKENS) * price.outputPerToken,
  };
}

export interface ReplicaFixture {
  database: TestDatabase;
  /** A direct connection (never through a test proxy) for set-up and checks. */
  store: PgStore;
  upstream: SimulatedUpstream;
  accountId: string;
  key: string;
  granted: bigint;
  /** Environment for a `tollgate serve` child on this database; `extra` overrides. */
  env(replicaId: string, extra?: Record<string, string>): Record<string, string>;
  /** Starts a replica and remembers it, so close() kills it if the test did not. */
  serve(replicaId: string, extra?: Record<string, string>): Promise<ServeProcess>;
  close(): Promise<void>;
}

export async function openFixture(granted: bigint): Promise<ReplicaFixture> {
  const database = await createTestDatabase();
  const children: ServeProcess[] = [];
  let store: PgStore | undefined;
  let upstream: SimulatedUpstream | undefined;
  try {
    store = await PgStore.open(database.url, { max: 4 });
    upstream = await startSimulator({ apiKey: UPSTREAM_KEY });
    const now = Date.now();
    const { account, project } = await openAccount(store, { signupCredits: '0', signupExpiryDays: 90 }, { name: 'replicas', tier: 'tier-5' }, now);
    await store.insertGrant({ accountId: account.id, source: 'purchase', amount: granted }, now);
    const key = generateApiKey();
    await store.createKey({
      accountId: account.id, projectId: project.id, kind: 'project', name: 'replicas', secretHash: hashApiKey(key), redacted: redactApiKey(key),
    }, now);
    const sim = upstream;
    const env = (replicaId: string, extra: Record<string, string> = {}) => ({
      DATABASE_URL: database.url, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: UPSTREAM_KEY, TOLLGATE_REPLICA_ID: replicaId,
      TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_PG_POOL_MAX: '8', TOLLGATE_LOG_LEVEL: 'info', ...extra,
    });
    const opened = store;
    return {
      database, store, upstream, accountId: account.id, key, granted, env,
      async serve(replicaId, extra) {
        const child = await startServe(env(replicaId, extra));
        children.push(child);
        return child;
      },
      async close() {
        for (const c of children) {
          c.child.kill('SIGKILL');
          await c.exited;
        }
        await opened.close();
        await sim.close();
        await database.drop();
      },
    };
  } catch (err) {
    for (const c of children) c.child.kill('SIGKILL');
    await store?.close().catch(() => {});
    await upstream?.close().catch(() => {});
    await database.drop().catch(() => {});
    throw err;
  }
}

/** SIGTERM: the replica drains, settles and exits 0. */
export async function stopGracefully(replica: ServeProcess): Promise<void> {
  replica.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const how = await Promise.race([
    replica.exited,
    new Promise<string>((resolve) => { timer = setTimeout(() => resolve('still running after 10 s'), 10_000); }),
  ]);
  clearTimeout(timer);
  assert.equal(how, 0, `graceful stop: ${String(how)}`);
}

export interface Outcome {
  index: number;
  target: string;
  /** 0 when no HTTP response arrived (connection refused or reset, e.g. the replica was killed). */
  status: number;
  requestId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
  error: string | undefined;
}

export interface Load {
  done: Promise<Outcome[]>;
  /** Requests finished so far. */
  finished(): number;
}

/**
 * Sends `total` copies of CHAT_BODY, at most `concurrency` in flight, request i to targets()[i % n] (the list is read
 * at each send, so a test can drop a killed replica and add a restarted one). Each request is bounded by timeoutMs.
 */
export function startLoad(opts: {
  total: number; concurrency: number; targets: () => readonly string[]; key: string; dispatcher: Agent; timeoutMs?: number;
}): Load {
  const outcomes: Outcome[] = [];
  let next = 0;
  let finished = 0;
  const body = JSON.stringify(CHAT_BODY);
  const one = async (index: number): Promise<Outcome> => {
    const targets = opts.targets();
    const target = targets[index % targets.length];
    assert.ok(target, 'no replica to send to');
    try {
      const res = await request(`${target}/v1/chat/completions`, {
        method: 'POST', dispatcher: opts.dispatcher, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
        headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
      const id = res.headers['x-request-id'];
      return { index, target, status: res.statusCode, requestId: typeof id === 'string' ? id : undefined, headers: res.headers, json, error: undefined };
    } catch (err) {
      return { index, target, status: 0, requestId: undefined, headers: {}, json: undefined, error: (err as Error).message };
    }
  };
  const worker = async () => {
    while (next < opts.total) {
      const index = next++;
      outcomes.push(await one(index));
      finished++;
    }
  };
  const done = Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.total) }, worker))
    .then(() => outcomes.sort((a, b) => a.index - b.index));
  return { done, finished: () => finished };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined; bounded by timeoutMs. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Snapshot {
  remaining: bigint;
  held: bigint;
  openHolds: bigint;
  captured: bigint;
}

/** Remaining, held, Σ open holds and Σ captured of one account, read in one statement (one consistent snapshot). */
export async function snapshot(store: PgStore, accountId: string): Promise<Snapshot> {
  const { rows } = await store.pool.query(`SELECT
      (SELECT COALESCE(SUM(remaining_pico), 0) FROM grants WHERE account_id = $1) AS remaining,
      (SELECT held_pico FROM account_balances WHERE account_id = $1) AS held,
      (SELECT COALESCE(SUM(amount_pico), 0) FROM holds WHERE account_id = $1 AND closed_at IS NULL) AS open_holds,
      (SELECT COALESCE(SUM(amount_pico), 0) FROM ledger_entries WHERE account_id = $1 AND kind = 'capture') AS captured`, [accountId]);
  const r = rows[0] as { remaining: bigint; held: bigint; open_holds: bigint; captured: bigint };
  return { remaining: r.remaining, held: r.held, openHolds: r.open_holds, captured: r.captured };
}

/**
 * Samples the account while a load runs: the available balance (remaining − held) is never below zero, held equals
 * Σ open holds, and remaining + captured is always the grant, to the unit.
 */
export function startSampler(fx: ReplicaFixture): { finish(): Promise<{ samples: number; failures: string[]; minAvailable: bigint }> } {
  let stop = false;
  let samples = 0;
  let minAvailable: bigint | undefined;
  const failures: string[] = [];
  const done = (async () => {
    while (!stop) {
      const s = await snapshot(fx.store, fx.accountId);
      const available = s.remaining - s.held;
      if (minAvailable === undefined || available < minAvailable) minAvailable = available;
      if (available < 0n) failures.push(`available ${available} < 0 (remaining ${s.remaining}, held ${s.held})`);
      if (s.held !== s.openHolds) failures.push(`held ${s.held} != Σ open holds ${s.openHolds}`);
      if (s.remaining + s.captured !== fx.granted) failures.push(`remaining ${s.remaining} + captured ${s.captured} != granted ${fx.granted}`);
      samples++;
      await sleep(5);
    }
  })();
  return {
    async finish() {
      stop = true;
      await done;
      return { samples, failures, minAvailable: minAvailable ?? 0n };
    },
  };
}

interface HoldRow {
  request_id: string;
  amount_pico: bigint;
  replica_id: string;
  closed_at: bigint | null;
}

export async function holdRows(store: PgStore): Promise<HoldRow[]> {
  return (await store.pool.query('SELECT request_id, amount_pico, replica_id, closed_at FROM holds ORDER BY created_at, request_id')).rows as HoldRow[];
}

export async function openHoldsOf(store: PgStore, replicaId?: string): Promise<string[]> {
  const { rows } = replicaId === undefined
    ? await store.pool.query('SELECT request_id FROM holds WHERE closed_at IS NULL ORDER BY request_id')
    : await store.pool.query('SELECT request_id FROM holds WHERE closed_at IS NULL AND replica_id = $1 ORDER BY request_id', [replicaId]);
  return (rows as Array<{ request_id: string }>).map((r) => r.request_id);
}

async function perRequest(store: PgStore, kind: string): Promise<Map<string, { n: number; sum: bigint }>> {
  const { rows } = await store.pool.query(`SELECT request_id, COUNT(*) AS n, SUM(amount_pico) AS s FROM ledger_entries
    WHERE kind = $1 GROUP BY request_id`, [kind]);
  return new Map((rows as Array<{ request_id: string; n: bigint; s: bigint }>).map((r) => [r.request_id, { n: Number(r.n), sum: r.s }]));
}

export interface UsageRow {
  request_id: string;
  status: string;
  cost_pico: bigint;
  uncollected_pico: bigint;
  hold_pico: bigint;
}

export async function usageRows(store: PgStore): Promise<Map<string, UsageRow>> {
  const { rows } = await store.pool.query('SELECT request_id, status, cost_pico, uncollected_pico, hold_pico FROM usage_records');
  return new Map((rows as UsageRow[]).map((r) => [r.request_id, r]));
}

/** What a 200 response says it cost: its reported usage at the model's price (the simulator reports no cached tokens). */
export function responseCost(json: unknown): bigint {
  const usage = (json as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | undefined)?.usage;
  assert.ok(usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number', 'a 200 carries usage');
  const price = modelPrice();
  return BigInt(usage.prompt_tokens) * price.inputPerToken + BigInt(usage.completion_tokens) * price.outputPerToken;
}

export function assertQuotaRefusal(o: Outcome): void {
  const err = (o.json as { error?: { type?: unknown; code?: unknown; param?: unknown; message?: unknown } } | undefined)?.error;
  assert.equal(err?.type, 'insufficient_quota', `429 body: ${JSON.stringify(o.json)}`);
  assert.equal(err.code, 'insufficient_quota');
  assert.equal(err.param, null);
  assert.equal(typeof err.message, 'string');
  assert.equal(o.headers['x-should-retry'], 'false');
}

/**
 * The books after every replica has settled: no hold open; every hold closed by exactly one release and at most one
 * capture (the account has one grant); every 200 has exactly one capture, equal to the usage it reported; no capture
 * without a hold; Σ usage cost = Σ captured = granted − remaining, to the unit; the ledger balances.
 * Returns the number of holds the crash left that were released without a capture.
 */
export async function assertBooksClose(fx: ReplicaFixture, outcomes: readonly Outcome[]): Promise<{ interrupted: number }> {
  assert.deepEqual(await openHoldsOf(fx.store), [], 'no hold left open');
  const s = await snapshot(fx.store, fx.accountId);
  assert.equal(s.held, 0n, 'nothing held');

  const captures = await perRequest(fx.store, 'capture');
  const releases = await perRequest(fx.store, 'release');
  const holds = await holdRows(fx.store);
  const usage = await usageRows(fx.store);
  const held = new Set(holds.map((h) => h.request_id));
  let interrupted = 0;
  for (const h of holds) {
    assert.notEqual(h.closed_at, null, `hold ${h.request_id} closed`);
    assert.equal(releases.get(h.request_id)?.n, 1, `one release for hold ${h.request_id}`);
    const c = captures.get(h.request_id);
    assert.ok(c === undefined || c.n === 1, `at most one capture for ${h.request_id}, got ${c?.n}`);
    assert.ok(c === undefined || c.sum <= h.amount_pico, `capture of ${h.request_id} within its hold`);
    const u = usage.get(h.request_id);
    assert.ok(u, `usage record for hold ${h.request_id}`);
    if (c === undefined) {
      assert.ok(u.status === 'interrupted' || u.status === 'upstream_error', `uncaptured hold ${h.request_id} is ${u.status}`);
      if (u.status === 'interrupted') interrupted++;
    } else {
      assert.equal(u.status, 'ok');
      assert.equal(u.cost_pico, c.sum, `usage cost of ${h.request_id} = its capture`);
    }
  }
  for (const id of captures.keys()) assert.ok(held.has(id), `capture ${id} has a hold`);

  for (const o of outcomes) {
    if (o.status !== 200) continue;
    assert.ok(o.requestId, 'a 200 carries x-request-id');
    const c = captures.get(o.requestId);
    assert.equal(c?.n, 1, `exactly one capture for served request ${o.requestId}`);
    const cost = responseCost(o.json);
    assert.equal(c.sum, cost, `capture of ${o.requestId} = the usage it reported`);
    assert.equal(o.headers['x-tollgate-cost'], formatCredits(cost));
  }

  let capturedTotal = 0n;
  for (const c of captures.values()) capturedTotal += c.sum;
  let costTotal = 0n;
  let uncollected = 0n;
  for (const u of usage.values()) {
    costTotal += u.cost_pico;
    uncollected += u.uncollected_pico;
  }
  assert.equal(uncollected, 0n, 'nothing uncollected (cost < hold)');
  assert.equal(capturedTotal, s.captured);
  assert.equal(costTotal, fx.granted - s.remaining, 'Σ usage costs = Σ grants − remaining');
  assert.equal(capturedTotal, fx.granted - s.remaining, 'Σ captured = Σ grants − remaining');

  const t = await fx.store.ledgerTotals(fx.accountId);
  assert.equal(t.granted, fx.granted);
  assert.equal(t.granted - t.expired - t.voided - t.captured, t.remaining, 'the ledger balances');
  assert.equal(t.openHolds, 0n);
  return { interrupted };
}

export function raceAgent(connections: number): Agent {
  return new Agent({ connections, pipelining: 1, keepAliveTimeout: 2_000 });
}
