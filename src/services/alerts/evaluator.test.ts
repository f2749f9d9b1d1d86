import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SqliteAlertStore } from '../../store/sqlite/alerts-store.js';
import type { AlertEvent } from '../../domain/alerts/alert-event.js';
import type { DaySpend } from '../../domain/alerts/facts.js';
import type { AlertChannel } from '../../domain/alerts/rule.js';
import { createLogger } from '../../observability/logger.js';
import { AlertEvaluator, type AlertFacts } from './evaluator.js';
import type { DeliveryRecord } from './alert-store.js';

const C = 1_000_000_000_000n;
const hook: AlertChannel = { type: 'webhook', url: 'http://127.0.0.1:9/a', secret: 'whsec_evaluator_test_1' };
const mail: AlertChannel = { type: 'email', recipients: ['ops@example.com'], subjectPrefix: null };

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  const main = new SqliteStore(join(dir, 'tollgate.db'));
  t.after(async () => {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { account } = await main.createAccount({ name: 'eval', now: 0 });
  return { store: new SqliteAlertStore(main.db), accountId: account.id };
}

/** Facts with call counters; `spend` is today's spend over a steady 10-credit week. */
function countingFacts(over: Partial<AlertFacts> = {}) {
  const calls = { balance: 0, budgetStatus: 0, grants: 0, dailySpend: [] as number[] };
  const state = { available: 100n * C, spend: 10n * C };
  const facts: AlertFacts = {
    balance: async () => { calls.balance++; return { available: state.available }; },
    budgetStatus: async () => { calls.budgetStatus++; return []; },
    grants: async () => { calls.grants++; return []; },
    monthSpend: async () => ({ month: '2026-11', spent: state.spend }),
    dailySpend: async (_account, days) => {
      calls.dailySpend.push(days);
      const history: DaySpend[] = Array.from({ length: days - 1 }, (_, i) => ({ day: `2026-11-${String(17 + i).padStart(2, '0')}`, spent: 10n * C }));
      return [...history, { day: '2026-11-25', spent: state.spend }];
    },
    ...over,
  };
  return { facts, calls, state };
}

test('each firing becomes one delivery per channel, created once; only the needed facts are read', async (t) => {
  const { store, accountId } = await setup(t);
  const { facts, calls, state } = countingFacts();
  const seen: DeliveryRecord[][] = [];
  const evaluator = new AlertEvaluator({ store, facts, now: () => 1_000_000, onDeliveries: (d) => seen.push([...d]) });
  const spike = await store.createRule({ accountId, kind: 'spend_spike', params: { factorMilli: 3000n, minAmount: 5n * C }, channels: [hook, mail] }, 0);
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 1n * C, rearmAt: null }, channels: [hook], enabled: false }, 0);

  let result = await evaluator.evaluate(accountId);
  assert.equal(result.rules, 1, 'the disabled rule is not evaluated');
  assert.deepEqual(result.firings, []);
  assert.deepEqual(calls, { balance: 0, budgetStatus: 0, grants: 0, dailySpend: [8] });

  state.spend = 30n * C; // 3 × the 10-credit average
  result = await evaluator.evaluate(accountId);
  assert.deepEqual(result.firings.map((f) => f.dedupeKey), [`spend_spike:${spike.id}:2026-11-25`]);
  assert.deepEqual(result.created.map((d) => d.channelKey).sort(), ['email:ops@example.com', 'webhook:http://127.0.0.1:9/a']);
  assert.equal(seen.length, 1);
  const event = JSON.parse(result.created[0]!.payload) as AlertEvent;
  assert.equal(event.id, result.created[0]!.eventId);
  assert.equal(result.created[1]!.eventId, event.id, 'both channels report the same event');
  assert.deepEqual(event.data, {
    day: '2026-11-25', spent: '30', trailing_total: '70', trailing_days: 7, trailing_daily_average: '10', factor: '3', min_amount: '5',
  });

  // A fresh evaluator (another replica, or after a restart) finds them in the store and creates nothing.
  const other = new AlertEvaluator({ store, facts, now: () => 2_000_000 });
  assert.deepEqual((await other.evaluate(accountId)).created, []);
  assert.deepEqual((await evaluator.evaluate(accountId)).created, []);
  assert.equal(seen.length, 1);
  assert.equal((await store.listDeliveries({ accountId })).length, 2);
});

test('a fact that cannot be read skips its rules (logged) and the others still fire', async (t) => {
  const { store, accountId } = await setup(t);
  const lines: string[] = [];
  const { facts } = countingFacts({ grants: async () => { throw new Error('grants table on fire'); } });
  const evaluator = new AlertEvaluator({ store, facts, logger: createLogger('debug', (l) => lines.push(l)) });
  await store.createRule({ accountId, kind: 'grant_expiring', params: { withinDays: 3 }, channels: [hook] }, 0);
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 200n * C, rearmAt: null }, channels: [hook] }, 0);
  const result = await evaluator.evaluate(accountId);
  assert.equal(result.errors, 1);
  assert.equal(result.created.length, 1);
  assert.ok(lines.some((l) => l.includes('grants table on fire') && l.includes('"level":"error"')));
});

test('racing evaluators open one low-balance episode: one delivery per channel', async (t) => {
  const { store, accountId } = await setup(t);
  const { facts, state } = countingFacts();
  state.available = 0n;
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 1n * C, rearmAt: null }, channels: [hook, mail] }, 0);
  const evaluators = Array.from({ length: 4 }, (_, i) => new AlertEvaluator({ store, facts, now: () => 1_000 + i }));
  const results = await Promise.all(evaluators.map((e) => e.evaluate(accountId)));
  assert.equal(results.reduce((n, r) => n + r.created.length, 0), 2);
  const keys = new Set(results.flatMap((r) => r.firings.map((f) => f.dedupeKey)));
  assert.equal(keys.size, 1, `one episode, not ${[...keys].join(' ')}`);
});

test('schedule() coalesces bursts and evaluates an account at most once per interval', async (t) => {
  const { store, accountId } = await setup(t);
  const { facts, calls } = countingFacts();
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 1n * C, rearmAt: null }, channels: [hook] }, 0);
  // When each evaluation starts: its first step is reading the account's rules (a later step, such as reading the
  // balance, would add the first read's latency to the measured gap, and a slow first read made the gap look short).
  const starts: number[] = [];
  const listRules = store.listRules.bind(store);
  store.listRules = (id?: string) => { starts.push(performance.now()); return listRules(id); };
  const evaluator = new AlertEvaluator({ store, facts, minIntervalMs: 150 });
  t.after(() => evaluator.close());

  for (let i = 0; i < 100; i++) evaluator.schedule(accountId);
  await evaluator.idle();
  assert.equal(calls.balance, 1, '100 requests, one evaluation');

  for (let i = 0; i < 100; i++) evaluator.schedule(accountId);
  await evaluator.idle();
  assert.equal(calls.balance, 2);
  assert.ok(starts[1]! - starts[0]! >= 149, `second evaluation waited out the interval (${starts[1]! - starts[0]!} ms)`);

  // Another account is not held back by the first one.
  const before = performance.now();
  evaluator.schedule('acct_other');
  await evaluator.idle();
  assert.ok(performance.now() - before < 100);
});

test('a request during a running evaluation runs once more afterwards; close() cancels what is waiting', async (t) => {
  const { store, accountId } = await setup(t);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let calls = 0;
  const { facts } = countingFacts({ balance: async () => { calls++; if (calls === 1) await gate; return { available: 100n * C }; } });
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 1n * C, rearmAt: null }, channels: [hook] }, 0);
  const evaluator = new AlertEvaluator({ store, facts, minIntervalMs: 20 });
  evaluator.schedule(accountId);
  while (calls === 0) await new Promise((r) => setImmediate(r));
  evaluator.schedule(accountId);
  evaluator.schedule(accountId);
  release();
  await evaluator.idle();
  assert.equal(calls, 2, 'the requests made while running were merged into one more evaluation');

  const closing = new AlertEvaluator({ store, facts, minIntervalMs: 60_000 });
  closing.schedule(accountId);
  await closing.idle();
  closing.schedule(accountId); // waits a minute
  await closing.close();
  closing.schedule(accountId);
  await closing.idle();
  assert.equal(calls, 3);
});
