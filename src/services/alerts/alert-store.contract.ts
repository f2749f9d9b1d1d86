// The behaviour every AlertStore adapter must have; run by src/store/{sqlite,postgres}/alerts-store.test.ts.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { AlertChannel } from '../../domain/alerts/rule.js';
import type { AlertStore, NewDelivery } from './alert-store.js';

export interface AlertStoreFixture {
  store: AlertStore;
  /** Creates an account in the underlying store and returns its id. */
  newAccount(): Promise<string>;
}

const hook: AlertChannel = { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'whsec_contract_secret_1' };
/** Deliveries created at this time are never due during the claim tests, which use earlier times of their own. */
const FAR_FUTURE = 9_000_000_000_000_000;
const mail: AlertChannel = { type: 'email', recipients: ['ops@example.com'], subjectPrefix: null };

export async function runAlertStoreContract(t: TestContext, fx: AlertStoreFixture): Promise<void> {
  const { store } = fx;
  const delivery = (accountId: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
    accountId, ruleId: 'alert_x', kind: 'low_balance', eventId: 'evt_1', dedupeKey: 'low_balance:alert_x:1',
    channelKey: 'webhook:http://127.0.0.1:9/hook', channelType: 'webhook', payload: '{"a":1}', now: 1_000, ...over,
  });

  await t.test('rules: create, read, list, update, delete', async () => {
    const a = await fx.newAccount();
    const b = await fx.newAccount();
    const r1 = await store.createRule({ accountId: a, kind: 'low_balance', params: { threshold: 5n, rearmAt: null }, channels: [hook, mail] }, 10);
    const r2 = await store.createRule({ accountId: a, kind: 'grant_expiring', params: { withinDays: 3 }, channels: [mail], enabled: false }, 11);
    const r3 = await store.createRule({ accountId: b, kind: 'spend_spike', params: { factorMilli: 2500n, minAmount: 7n }, channels: [hook] }, 12);
    assert.match(r1.id, /^alert_/);
    assert.deepEqual(r1, {
      id: r1.id, accountId: a, kind: 'low_balance', params: { threshold: 5n, rearmAt: null }, channels: [hook, mail],
      enabled: true, state: {}, stateVersion: 0, createdAt: 10, updatedAt: 10,
    });
    assert.deepEqual(await store.getRule(r2.id), r2);
    assert.equal(r2.enabled, false);
    assert.deepEqual((await store.listRules(a)).map((r) => r.id), [r1.id, r2.id]);
    assert.deepEqual((await store.listRules()).map((r) => r.id).filter((id) => [r1.id, r2.id, r3.id].includes(id)), [r1.id, r2.id, r3.id]);

    assert.equal(await store.updateRuleState(r1.id, 0, { lowSince: 99 }), true);
    const disabled = await store.updateRule(r1.id, { enabled: false, channels: [mail] }, 20);
    assert.deepEqual(disabled && { ...disabled }, { ...r1, enabled: false, channels: [mail], state: { lowSince: 99 }, stateVersion: 1, updatedAt: 20 });
    const redefined = await store.updateRule(r1.id, { definition: { kind: 'budget_threshold', params: { budgetId: null, percents: [90] } } }, 30);
    assert.equal(redefined?.kind, 'budget_threshold');
    assert.deepEqual(redefined?.params, { budgetId: null, percents: [90] });
    assert.deepEqual(redefined?.state, {}, 'a new definition starts its state over');
    assert.equal(redefined?.stateVersion, 2);

    assert.equal(await store.updateRule('alert_missing', { enabled: true }, 1), undefined);
    assert.equal(await store.deleteRule(r2.id), true);
    assert.equal(await store.deleteRule(r2.id), false);
    assert.equal(await store.getRule(r2.id), undefined);
  });

  await t.test('rule state is a compare-and-set: only one of two racing evaluators wins', async () => {
    const a = await fx.newAccount();
    const rule = await store.createRule({ accountId: a, kind: 'low_balance', params: { threshold: 5n, rearmAt: null }, channels: [hook] }, 1);
    const results = await Promise.all([
      store.updateRuleState(rule.id, 0, { lowSince: 111 }),
      store.updateRuleState(rule.id, 0, { lowSince: 222 }),
    ]);
    assert.deepEqual(results.filter(Boolean).length, 1);
    const after = await store.getRule(rule.id);
    assert.equal(after?.stateVersion, 1);
    assert.deepEqual(after?.state, { lowSince: results[0] ? 111 : 222 });
    assert.equal(await store.updateRuleState(rule.id, 0, {}), false);
    assert.equal(await store.updateRuleState(rule.id, 1, {}), true);
    assert.deepEqual((await store.getRule(rule.id))?.state, {});
  });

  await t.test('a delivery is created once per (account, dedupe key, channel), even by racing callers', async () => {
    const a = await fx.newAccount();
    const b = await fx.newAccount();
    const N = FAR_FUTURE; // never due while the claim tests run
    const racing = await Promise.all(Array.from({ length: 20 }, () => store.createDelivery(delivery(a, { now: N }))));
    assert.equal(racing.filter((r) => r.created).length, 1);
    assert.equal(new Set(racing.map((r) => r.delivery.id)).size, 1);
    const first = racing[0]!.delivery;
    assert.match(first.id, /^adel_/);
    assert.deepEqual({ ...first }, {
      id: first.id, accountId: a, ruleId: 'alert_x', kind: 'low_balance', eventId: 'evt_1', dedupeKey: 'low_balance:alert_x:1',
      channelKey: 'webhook:http://127.0.0.1:9/hook', channelType: 'webhook', payload: '{"a":1}', status: 'pending', attempts: 0,
      nextAttemptAt: N, lastStatusCode: null, lastError: null, createdAt: N, updatedAt: N, deliveredAt: null,
    });
    assert.equal((await store.createDelivery(delivery(a, { channelKey: 'email:ops@example.com', channelType: 'email', now: N }))).created, true);
    assert.equal((await store.createDelivery(delivery(a, { dedupeKey: 'low_balance:alert_x:2', now: N }))).created, true);
    assert.equal((await store.createDelivery(delivery(b, { now: N }))).created, true, 'another account is another delivery');
    assert.equal((await store.listDeliveries({ accountId: a })).length, 3);
  });

  await t.test('due deliveries are claimed for a lease; attempts are recorded only under the claim', async () => {
    const a = await fx.newAccount();
    const T = 5_000_000_000_000; // far from the other tests' times, so only this test's deliveries are due
    const { delivery: d } = await store.createDelivery(delivery(a, { dedupeKey: 'k:claim', now: T }));
    assert.deepEqual(await store.dueDeliveries({ now: T - 1, limit: 10, leaseMs: 1_000 }), [], 'not due yet');
    const [claimed, ...others] = await store.dueDeliveries({ now: T, limit: 10, leaseMs: 1_000 });
    assert.equal(claimed?.id, d.id);
    assert.deepEqual(others, []);
    assert.equal(claimed.leaseUntil, T + 1_000);
    assert.deepEqual(await store.dueDeliveries({ now: T + 999, limit: 10, leaseMs: 1_000 }), [], 'claimed within its lease');

    // The lease ran out (the worker died): another claim takes it, and the old claim can no longer record.
    const [reclaimed] = await store.dueDeliveries({ now: T + 1_000, limit: 10, leaseMs: 1_000 });
    assert.equal(reclaimed?.id, d.id);
    assert.notEqual(reclaimed.claimToken, claimed.claimToken);
    const attempt = { deliveryId: d.id, at: T + 1_100, ok: false, statusCode: 500, error: 'HTTP 500', durationMs: 12.4, retryAt: T + 31_100 };
    assert.equal(await store.recordAttempt({ ...attempt, claimToken: claimed.claimToken }), false);
    assert.equal(await store.recordAttempt({ ...attempt, claimToken: reclaimed.claimToken }), true);
    assert.equal(await store.recordAttempt({ ...attempt, claimToken: reclaimed.claimToken }), false, 'a claim records once');

    let row = await store.getDelivery(d.id);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.attempts, 1);
    assert.equal(row?.nextAttemptAt, T + 31_100);
    assert.equal(row?.lastStatusCode, 500);
    assert.deepEqual(await store.dueDeliveries({ now: T + 31_099, limit: 10, leaseMs: 1_000 }), []);

    const [second] = await store.dueDeliveries({ now: T + 31_100, limit: 10, leaseMs: 1_000 });
    assert.equal(second?.attempts, 1);
    assert.equal(await store.recordAttempt({
      deliveryId: d.id, claimToken: second!.claimToken, at: T + 31_200, ok: true, statusCode: 204, error: null, durationMs: 3, retryAt: null,
    }), true);
    row = await store.getDelivery(d.id);
    assert.equal(row?.status, 'delivered');
    assert.equal(row?.deliveredAt, T + 31_200);
    assert.equal(row?.nextAttemptAt, null);
    assert.deepEqual(row?.attemptLog, [
      { attempt: 1, at: T + 1_100, ok: false, statusCode: 500, error: 'HTTP 500', durationMs: 12 },
      { attempt: 2, at: T + 31_200, ok: true, statusCode: 204, error: null, durationMs: 3 },
    ]);
    assert.deepEqual(await store.dueDeliveries({ now: T + 100_000_000, limit: 10, leaseMs: 1_000 }), [], 'delivered is never due again');
  });

  await t.test('giving up marks the delivery failed; the log lists newest first, per account and by status', async () => {
    const a = await fx.newAccount();
    const T = 6_000_000_000_000;
    const { delivery: d1 } = await store.createDelivery(delivery(a, { dedupeKey: 'k:1', now: T }));
    const { delivery: d2 } = await store.createDelivery(delivery(a, { dedupeKey: 'k:2', now: T + 1 }));
    const claimed = await store.dueDeliveries({ now: T + 1, limit: 1, leaseMs: 60_000 });
    assert.deepEqual(claimed.map((c) => c.id), [d1.id], 'oldest due first, limited');
    assert.equal(await store.recordAttempt({
      deliveryId: d1.id, claimToken: claimed[0]!.claimToken, at: T + 2, ok: false, statusCode: null,
      error: `connect ECONNREFUSED ${'x'.repeat(1000)}`, durationMs: 1, retryAt: null,
    }), true);
    const failed = await store.getDelivery(d1.id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.nextAttemptAt, null);
    assert.equal(failed?.lastError?.length, 500, 'errors are clipped');

    const log = await store.listDeliveries({ accountId: a });
    assert.deepEqual(log.map((d) => d.id), [d2.id, d1.id]);
    assert.equal(log[1]?.attemptLog.length, 1);
    assert.deepEqual((await store.listDeliveries({ accountId: a, status: 'failed' })).map((d) => d.id), [d1.id]);
    assert.deepEqual((await store.listDeliveries({ accountId: a, limit: 1 })).map((d) => d.id), [d2.id]);
    assert.ok((await store.listDeliveries({ limit: 500 })).some((d) => d.id === d1.id), 'the operator sees every account');
  });

  await t.test('deleting a rule keeps its deliveries in the log', async () => {
    const a = await fx.newAccount();
    const rule = await store.createRule({ accountId: a, kind: 'grant_expiring', params: { withinDays: 3 }, channels: [hook] }, 1);
    const { delivery: d } = await store.createDelivery(delivery(a, { ruleId: rule.id, dedupeKey: 'k:deleted', now: FAR_FUTURE }));
    await store.deleteRule(rule.id);
    assert.equal((await store.getDelivery(d.id))?.ruleId, rule.id);
  });
}
