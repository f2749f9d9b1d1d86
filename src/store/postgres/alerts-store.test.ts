import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, postgresAvailable } from '../../../test/support/test-database.js';
import { PgStore } from './pg-store.js';
import { PgAlertStore } from './alerts-store.js';
import { runAlertStoreContract } from '../../services/alerts/alert-store.contract.js';
import { DeliveryWorker } from '../../services/alerts/delivery-worker.js';
import { AlertEvaluator, type AlertFacts } from '../../services/alerts/evaluator.js';
import { WebhookSender } from '../../services/alerts/webhook-sender.js';
import { newWebhookSecret, SIGNATURE_HEADER, verifyWebhookSignature } from '../../services/alerts/signature.js';
import { startWebhookReceiver } from '../../services/alerts/alert-test-receivers.js';

/** Two replicas' worth of stores on one fresh database, or undefined (skipped loudly) when PostgreSQL is unreachable. */
async function replicas(t: TestContext, count: number): Promise<PgStore[] | undefined> {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return undefined;
  }
  const database = await createTestDatabase();
  const stores: PgStore[] = [];
  t.after(async () => {
    for (const s of stores) await s.close();
    await database.drop();
  });
  for (let i = 0; i < count; i++) stores.push(await PgStore.open(database.url));
  return stores;
}

test('PostgreSQL alert store', async (t) => {
  const stores = await replicas(t, 1);
  if (!stores) return;
  const main = stores[0]!;
  await runAlertStoreContract(t, {
    store: new PgAlertStore(main.pool),
    newAccount: async () => (await main.createAccount({ name: 'alerts', now: 0 })).account.id,
  });
});

test('two workers on PostgreSQL never send the same delivery twice', { timeout: 60_000 }, async (t) => {
  const stores = await replicas(t, 2);
  if (!stores) return;
  const [a, b] = stores.map((s) => new PgAlertStore(s.pool)) as [PgAlertStore, PgAlertStore];
  const receiver = await startWebhookReceiver(async () => {
    await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 4)));
    return 204;
  });
  t.after(() => receiver.close());
  const secret = newWebhookSecret();
  const { account } = await stores[0]!.createAccount({ name: 'race', now: 0 });
  const rule = await a.createRule({
    accountId: account.id, kind: 'grant_expiring', params: { withinDays: 3 },
    channels: [{ type: 'webhook', url: receiver.url, secret }],
  }, 0);
  const N = 120;
  for (let i = 0; i < N; i++) {
    await a.createDelivery({
      accountId: account.id, ruleId: rule.id, kind: 'grant_expiring', eventId: `evt_${i}`, dedupeKey: `grant_expiring:g${i}:3d`,
      channelKey: `webhook:${receiver.url}`, channelType: 'webhook', payload: JSON.stringify({ n: i }), now: 1_000,
    });
  }
  const workers = [a, b].map((store) => new DeliveryWorker({
    store, senders: { webhook: new WebhookSender() }, now: () => 2_000, batchSize: 4,
  }));
  const passes = await Promise.all(workers.map((w) => w.drain()));

  assert.equal(receiver.received.length, N, 'every delivery sent exactly once in total');
  const ids = receiver.received.map((h) => h.headers['tollgate-delivery-id']);
  assert.equal(new Set(ids).size, N, 'no delivery sent twice');
  assert.deepEqual(passes.map((p) => p.lost), [0, 0]);
  assert.equal(passes[0]!.delivered + passes[1]!.delivered, N);
  assert.ok(passes[0]!.delivered > 0 && passes[1]!.delivered > 0, `both workers worked: ${passes.map((p) => p.delivered).join(' + ')}`);
  for (const hit of receiver.received) assert.equal(verifyWebhookSignature(hit.body, hit.headers[SIGNATURE_HEADER], secret).valid, true);
  const log = await a.listDeliveries({ accountId: account.id, limit: 500 });
  assert.equal(log.length, N);
  assert.ok(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.attemptLog.length === 1));
});

test('evaluators on two replicas open one low-balance episode between them', async (t) => {
  const stores = await replicas(t, 2);
  if (!stores) return;
  const alertStores = stores.map((s) => new PgAlertStore(s.pool));
  const { account } = await stores[0]!.createAccount({ name: 'race', now: 0 });
  await alertStores[0]!.createRule({
    accountId: account.id, kind: 'low_balance', params: { threshold: 5n, rearmAt: null },
    channels: [
      { type: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'whsec_pg_race_secret_1' },
      { type: 'email', recipients: ['ops@example.com'], subjectPrefix: null },
    ],
  }, 0);
  const facts: AlertFacts = {
    balance: async () => ({ available: 0n }),
    budgetStatus: async () => [], grants: async () => [], dailySpend: async () => [], monthSpend: async () => ({ month: '2026-11', spent: 0n }),
  };
  for (let round = 0; round < 3; round++) {
    const evaluators = Array.from({ length: 6 }, (_, i) =>
      new AlertEvaluator({ store: alertStores[i % 2]!, facts, now: () => 1_000 * (round + 1) + i }));
    await Promise.all(evaluators.map((e) => e.evaluate(account.id)));
  }
  const log = await alertStores[1]!.listDeliveries({ accountId: account.id });
  assert.equal(log.length, 2, 'one delivery per channel');
  assert.equal(new Set(log.map((d) => d.dedupeKey)).size, 1);
});
