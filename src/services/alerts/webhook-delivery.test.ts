// Alerts end to end on a SQLite file: evaluator -> delivery log -> worker -> a local webhook receiver.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SqliteAlertStore } from '../../store/sqlite/alerts-store.js';
import type { AlertEvent } from '../../domain/alerts/alert-event.js';
import type { BudgetStatus } from '../../domain/alerts/facts.js';
import type { AlertChannel } from '../../domain/alerts/rule.js';
import { AlertEvaluator, type AlertFacts } from './evaluator.js';
import { DeliveryWorker } from './delivery-worker.js';
import { WebhookSender } from './webhook-sender.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, newWebhookSecret, verifyWebhookSignature } from './signature.js';
import { startWebhookReceiver, type ReceivedWebhook } from './alert-test-receivers.js';

const C = 1_000_000_000_000n;

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  const main = new SqliteStore(join(dir, 'tollgate.db'));
  t.after(async () => {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new SqliteAlertStore(main.db);
  const { account } = await main.createAccount({ name: 'alerts', now: 0 });
  const clock = { now: 1_764_000_000_000 };
  const state = { available: 10n * C, budgets: [] as BudgetStatus[] };
  const facts: AlertFacts = {
    balance: async () => ({ available: state.available }),
    budgetStatus: async () => state.budgets,
    grants: async () => [],
    dailySpend: async () => [], monthSpend: async () => ({ month: '2026-11', spent: 0n }),
  };
  const evaluator = new AlertEvaluator({ store, facts, now: () => clock.now });
  return { store, accountId: account.id, clock, state, evaluator };
}

function verified(hit: ReceivedWebhook, secret: string): AlertEvent {
  const check = verifyWebhookSignature(hit.body, hit.headers[SIGNATURE_HEADER], secret);
  assert.equal(check.valid, true, `signature verifies: ${JSON.stringify(check)}`);
  const event = JSON.parse(hit.body) as AlertEvent;
  assert.equal(hit.headers[EVENT_ID_HEADER], event.id);
  assert.equal(hit.headers['content-type'], 'application/json');
  return event;
}

test('a webhook receiver gets exactly one signed delivery per low-balance crossing', async (t) => {
  const { store, accountId, clock, state, evaluator } = await setup(t);
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  const secret = newWebhookSecret();
  const channels: AlertChannel[] = [{ type: 'webhook', url: receiver.url, secret }];
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: 5n * C, rearmAt: null }, channels }, clock.now);
  const worker = new DeliveryWorker({ store, senders: { webhook: new WebhookSender() }, now: () => clock.now });

  const step = async (available: bigint) => {
    state.available = available;
    clock.now += 1_000;
    await evaluator.evaluate(accountId);
    await worker.drain();
  };
  await step(10n * C);
  assert.equal(receiver.received.length, 0);
  await step(4n * C); // crossing 1
  await step(3n * C);
  await step(2n * C);
  assert.equal(receiver.received.length, 1, 'still low: no second alert');
  await step(6n * C); // back above: re-armed
  await step(6n * C);
  assert.equal(receiver.received.length, 1);
  await step(1n * C); // crossing 2
  await step(1n * C);
  assert.equal(receiver.received.length, 2);

  const [first, second] = receiver.received.map((hit) => verified(hit, secret));
  assert.equal(first?.type, 'low_balance');
  assert.equal(first?.account_id, accountId);
  assert.deepEqual(first?.data, { threshold: '5', available: '4', since: Math.floor((1_764_000_000_000 + 2_000) / 1000) });
  assert.equal(second?.data.available, '1');
  assert.notEqual(first?.id, second?.id);
  assert.notEqual(first?.dedupe_key, second?.dedupe_key);

  // The documented scheme rejects what was not sent by Tollgate.
  const hit = receiver.received[0]!;
  assert.deepEqual(verifyWebhookSignature(hit.body.replace('"4"', '"400"'), hit.headers[SIGNATURE_HEADER], secret),
    { valid: false, reason: 'bad_signature' });
  assert.deepEqual(verifyWebhookSignature(hit.body, hit.headers[SIGNATURE_HEADER], newWebhookSecret()),
    { valid: false, reason: 'bad_signature' });
  assert.deepEqual(verifyWebhookSignature(hit.body, hit.headers[SIGNATURE_HEADER], secret, { now: Date.now() + 301_000 }),
    { valid: false, reason: 'stale_timestamp' });

  const log = await store.listDeliveries({ accountId });
  assert.deepEqual(log.map((d) => [d.status, d.attempts, d.attemptLog.map((a) => a.statusCode)]), [
    ['delivered', 1, [204]], ['delivered', 1, [204]],
  ]);
});

test('budget thresholds alert once each per period, and again in the next period', async (t) => {
  const { store, accountId, clock, state, evaluator } = await setup(t);
  const receiver = await startWebhookReceiver(() => 200);
  t.after(() => receiver.close());
  const secret = newWebhookSecret();
  await store.createRule({
    accountId, kind: 'budget_threshold', params: { budgetId: 'bud_1', percents: [50, 80, 100] },
    channels: [{ type: 'webhook', url: receiver.url, secret }],
  }, clock.now);
  const worker = new DeliveryWorker({ store, senders: { webhook: new WebhookSender() }, now: () => clock.now });
  const spend = async (periodStart: string, spent: bigint) => {
    state.budgets = [{ budgetId: 'bud_1', periodStart, limit: 100n * C, spent }];
    clock.now += 1_000;
    await evaluator.evaluate(accountId);
    await worker.drain();
  };
  for (const spent of [10n, 55n, 60n, 79n, 85n, 90n, 101n, 150n]) await spend('2026-11', spent * C);
  await spend('2026-12', 1n * C);
  await spend('2026-12', 51n * C);
  const events = receiver.received.map((hit) => verified(hit, secret));
  assert.deepEqual(events.map((e) => e.dedupe_key), [
    'budget:bud_1:2026-11:50', 'budget:bud_1:2026-11:80', 'budget:bud_1:2026-11:100', 'budget:bud_1:2026-12:50',
  ]);
  assert.deepEqual(events[1]?.data, { budget_id: 'bud_1', period_start: '2026-11', percent: 80, limit: '100', spent: '85' });
});

test('a failing receiver is retried with backoff; the log shows every attempt until it succeeds', async (t) => {
  const { store, accountId, clock, state, evaluator } = await setup(t);
  const receiver = await startWebhookReceiver((n) => (n <= 2 ? 500 : 204));
  t.after(() => receiver.close());
  const secret = newWebhookSecret();
  await store.createRule({
    accountId, kind: 'low_balance', params: { threshold: 5n * C, rearmAt: null },
    channels: [{ type: 'webhook', url: receiver.url, secret }],
  }, clock.now);
  const worker = new DeliveryWorker({ store, senders: { webhook: new WebhookSender() }, now: () => clock.now });
  state.available = 1n * C;
  const t0 = clock.now;
  assert.equal((await evaluator.evaluate(accountId)).created.length, 1);

  assert.deepEqual(await worker.runOnce(), { claimed: 1, delivered: 0, retrying: 1, failed: 0, lost: 0 });
  clock.now = t0 + 29_999;
  assert.equal((await worker.runOnce()).claimed, 0, 'not before 30 s');
  clock.now = t0 + 30_000;
  assert.deepEqual(await worker.runOnce(), { claimed: 1, delivered: 0, retrying: 1, failed: 0, lost: 0 });
  clock.now = t0 + 30_000 + 119_999;
  assert.equal((await worker.runOnce()).claimed, 0, 'then not before 2 more minutes');
  clock.now = t0 + 150_000;
  assert.deepEqual(await worker.runOnce(), { claimed: 1, delivered: 1, retrying: 0, failed: 0, lost: 0 });

  assert.equal(receiver.received.length, 3);
  const events = receiver.received.map((hit) => verified(hit, secret));
  assert.equal(new Set(events.map((e) => e.id)).size, 1, 'every attempt carries the same event');
  assert.deepEqual(receiver.received.map((h) => h.headers['tollgate-delivery-attempt']), ['1', '2', '3']);

  const [delivery] = await store.listDeliveries({ accountId });
  assert.equal(delivery?.status, 'delivered');
  assert.equal(delivery?.deliveredAt, t0 + 150_000);
  assert.deepEqual(delivery?.attemptLog.map((a) => [a.attempt, a.at, a.ok, a.statusCode, a.error]), [
    [1, t0, false, 500, 'HTTP 500: receiver says no'],
    [2, t0 + 30_000, false, 500, 'HTTP 500: receiver says no'],
    [3, t0 + 150_000, true, 204, null],
  ]);
});

test('after the last attempt a delivery fails for good; unreachable and removed destinations are logged', async (t) => {
  const { store, accountId, clock, state, evaluator } = await setup(t);
  const receiver = await startWebhookReceiver(() => 503);
  t.after(() => receiver.close());
  const gone = await startWebhookReceiver();
  await gone.close(); // its port now refuses connections
  const secret = newWebhookSecret();
  const rule = await store.createRule({
    accountId, kind: 'low_balance', params: { threshold: 5n * C, rearmAt: null },
    channels: [{ type: 'webhook', url: receiver.url, secret }, { type: 'webhook', url: gone.url, secret }],
  }, clock.now);
  const worker = new DeliveryWorker({
    store, senders: { webhook: new WebhookSender() }, now: () => clock.now, retry: { scheduleMs: [10, 20], maxAttempts: 3 },
  });
  state.available = 0n;
  await evaluator.evaluate(accountId);
  for (let i = 0; i < 5; i++) {
    await worker.drain();
    clock.now += 20;
  }
  const log = await store.listDeliveries({ accountId });
  assert.equal(log.length, 2);
  for (const d of log) {
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3);
    assert.equal(d.nextAttemptAt, null);
  }
  const byUrl = new Map(log.map((d) => [d.channelKey, d]));
  assert.deepEqual(byUrl.get(`webhook:${receiver.url}`)?.attemptLog.map((a) => a.statusCode), [503, 503, 503]);
  const unreachable = byUrl.get(`webhook:${gone.url}`)!;
  assert.deepEqual(unreachable.attemptLog.map((a) => a.statusCode), [null, null, null]);
  assert.match(unreachable.lastError ?? '', /fetch failed|ECONNREFUSED/);
  assert.equal(receiver.received.length, 3);

  // A delivery whose rule was deleted is not sent: it fails at once with the reason.
  state.available = 10n * C;
  await evaluator.evaluate(accountId);
  state.available = 0n;
  await evaluator.evaluate(accountId);
  await store.deleteRule(rule.id);
  await worker.drain();
  const after = await store.listDeliveries({ accountId, status: 'failed' });
  const deleted = after.filter((d) => d.attemptLog.some((a) => a.error === 'rule deleted'));
  assert.equal(deleted.length, 2);
  assert.equal(receiver.received.length, 3, 'nothing sent for a deleted rule');
});
