// Auto-recharge end to end against the Stripe stand-in: concurrent requests crossing the threshold (and, on
// PostgreSQL, a second replica checking at the same time) charge exactly once; the monthly cap holds; a declined
// charge alerts the account, backs off, and turns auto-recharge off after repeated failures.
import { test } from 'node:test';
import { toFile } from 'openai';
import assert from 'node:assert/strict';
import { formatCredits, parseCredits } from '../../src/domain/money/pico.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startPayments } from '../../src/services/payments/gateway-payments.js';
import { PgWallet } from '../../src/services/wallet/pg-wallet.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { ADMIN_TOKEN, startPaymentsFixture, type PaymentsFixture } from '../support/payments-fixture.js';

const charges = (f: PaymentsFixture) => f.stripe.requests.filter((r) => r.path === '/v1/payment_intents');

async function setRecharge(f: PaymentsFixture, accountId: string, body: Record<string, unknown>) {
  const res = await f.call('PUT', `/admin/v1/accounts/${accountId}/auto_recharge`, ADMIN_TOKEN, {
    customer_id: 'cus_test_1', payment_method_id: 'pm_test_1', ...body,
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

test('concurrent requests crossing the threshold trigger exactly one charge, granted once', async () => {
  const f = await startPaymentsFixture();
  const replica2: Array<() => Promise<void>> = [];
  try {
    const acct = await f.h.account('0.01003');
    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '50' });
    const recharge = f.h.gateway.deps.payments.recharge;
    await recharge.idle();
    assert.equal(charges(f).length, 0, 'above the threshold: no charge');

    // On PostgreSQL a second replica on the same database checks the account at the same time.
    let other: ReturnType<typeof startPayments> | undefined;
    if (f.h.storeKind === 'postgres') {
      const store2 = await PgStore.open(f.h.databaseUrl!);
      const wallet2 = new PgWallet(store2, Date.now, silentLogger, { replicaId: 'replica-2', replicaTimeoutMs: 30_000 });
      other = startPayments(store2, wallet2, f.h.config, Date.now, silentLogger, f.h.gateway.deps.alerts);
      replica2.push(async () => { await other!.close(); await store2.close(); });
    }
    const client = f.h.client(acct.key);
    await Promise.all(Array.from({ length: 10 }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hello there' }] });
      if (other) await other.recharge.check(acct.accountId);
    }));
    await Promise.all([recharge.idle(), other?.recharge.idle(), recharge.check(acct.accountId), other?.recharge.check(acct.accountId)]);
    await recharge.sweep();
    assert.equal(charges(f).length, 1, 'exactly one charge');
    const charge = charges(f)[0]!;
    assert.deepEqual([charge.body.amount, charge.body.off_session, charge.body.confirm], ['500', 'true', 'true']);
    assert.equal(charge.idempotencyKey, `tollgate-recharge:${acct.accountId}:1`);

    const balance = await f.h.balance(acct.accountId);
    const recharges = balance.grants.filter((g) => g.source === 'auto_recharge');
    assert.deepEqual(recharges.map((g) => formatCredits(g.amount)), ['5']);
    // Stripe's webhook for the same payment intent grants nothing more.
    const intent = [...f.stripe.intents.values()][0]!;
    const res = await f.deliver(f.stripe.paymentIntentSucceeded(intent));
    assert.deepEqual([res.status, res.json.granted], [200, false]);
    assert.equal((await f.h.balance(acct.accountId)).grants.filter((g) => g.source === 'auto_recharge').length, 1);
    const payments = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/payments`, ADMIN_TOKEN)).json.data;
    assert.deepEqual(payments.map((p: { kind: string; status: string }) => [p.kind, p.status]), [['auto_recharge', 'succeeded']]);

    // The next crossing, checked by many at the very same moment (and by both replicas on PostgreSQL): one charge.
    await recharge.idle();
    assert.equal((await f.call('POST', `/admin/v1/grants/${recharges[0]!.id}/void`, ADMIN_TOKEN)).status, 200);
    await Promise.all(Array.from({ length: 10 }, () => [recharge.check(acct.accountId), other?.recharge.check(acct.accountId)]).flat());
    await Promise.all([recharge.idle(), other?.recharge.idle()]);
    assert.equal(charges(f).length, 2, 'one charge for the second crossing');
    assert.equal(charges(f)[1]!.idempotencyKey, `tollgate-recharge:${acct.accountId}:2`);
    assert.equal((await f.h.balance(acct.accountId)).grants.filter((g) => g.source === 'auto_recharge' && g.voidedAt === null).length, 1);
    await assertLedgerBalances(f.h.store, acct.accountId);
    await assertNoOpenHolds(f.h.store);
  } finally {
    for (const close of replica2) await close();
    await f.close();
  }
});

test('the monthly cap holds across crossings', async () => {
  const f = await startPaymentsFixture();
  try {
    const acct = await f.h.account('0.005');
    const recharge = f.h.gateway.deps.payments.recharge;
    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '6' });
    await recharge.idle();
    assert.deepEqual(charges(f).map((c) => c.body.amount), ['500']);
    // Each void of the recharge grant is a new crossing; the cap leaves 1 credit, then nothing.
    for (const expected of [['500', '100'], ['500', '100']]) {
      const grant = (await f.h.balance(acct.accountId)).grants.find((g) => g.source === 'auto_recharge' && g.voidedAt === null)!;
      assert.equal((await f.call('POST', `/admin/v1/grants/${grant.id}/void`, ADMIN_TOKEN)).status, 200);
      await recharge.check(acct.accountId);
      await recharge.idle();
      assert.deepEqual(charges(f).map((c) => c.body.amount), expected);
    }
    const status = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/auto_recharge`, ADMIN_TOKEN)).json;
    assert.equal(status.enabled, true);
    assert.equal((await f.h.balance(acct.accountId)).available, parseCredits('0.005'));
    await assertLedgerBalances(f.h.store, acct.accountId);
  } finally {
    await f.close();
  }
});

test('a priced cache hit that crosses the threshold wakes auto-recharge itself, without the sweep', async () => {
  const f = await startPaymentsFixture({ env: { TOLLGATE_CACHE_HIT_PERCENT: '100' } });
  try {
    const recharge = f.h.gateway.deps.payments.recharge;
    const cache = f.h.gateway.deps.cache!;
    const enable = async (accountId: string) => {
      await cache.settingsStore.put({ accountId, scope: 'account', scopeId: accountId, enabled: true, ttlSeconds: 600, updatedAt: Date.now() });
      await cache.reload();
    };
    const ask = (key: string) => f.h.client(key).chat.completions
      .create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hello there' }] }).withResponse();
    // What this request costs (the simulator answers it the same way every time), from a throwaway account.
    const probe = await f.h.account('1');
    await ask(probe.key);
    const spent = parseCredits('1') - (await f.h.balance(probe.accountId)).available;
    assert.ok(spent > 0n);
    // The account starts one and a half requests above the 1-cent threshold: the miss leaves it above, the hit
    // (charged in full) takes it below.
    const threshold = parseCredits('0.01');
    const acct = await f.h.account(formatCredits(threshold + spent + spent / 2n));
    await enable(acct.accountId);
    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '50' });
    await recharge.idle();
    assert.equal((await ask(acct.key)).response.headers.get('x-tollgate-cache'), 'miss');
    await recharge.idle();
    assert.equal(charges(f).length, 0, 'still above the threshold after the miss');
    const hit = await ask(acct.key);
    assert.equal(hit.response.headers.get('x-tollgate-cache'), 'hit');
    assert.equal(hit.response.headers.get('x-tollgate-cost'), formatCredits(spent), 'the hit is charged in full');
    await recharge.idle();
    assert.deepEqual(charges(f).map((c) => c.body.amount), ['500'], 'charged once, woken by the hit');
    assert.equal((await f.h.balance(acct.accountId)).available, threshold - spent / 2n + parseCredits('5'));
    await assertLedgerBalances(f.h.store, acct.accountId);
    await assertNoOpenHolds(f.h.store);
  } finally {
    await f.close();
  }
});

test('a settled batch that crosses the threshold wakes auto-recharge by itself, without the sweep', async () => {
  const f = await startPaymentsFixture({ env: { TOLLGATE_BATCH_POLL_MS: '3600000' } });
  try {
    const recharge = f.h.gateway.deps.payments.recharge;
    const jsonl = ['Name three rivers.', 'What is the capital of Peru?']
      .map((content, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content }] } }))
      .join('\n');
    const runBatch = async (key: string) => {
      const client = f.h.client(key);
      const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'input.jsonl'), purpose: 'batch' });
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      // The simulated upstream finishes a batch by its first retrieve, which settles it.
      assert.equal((await client.batches.retrieve(batch.id)).status, 'completed');
    };
    // What this batch costs at batch prices (the simulator answers it the same way every time), from a throwaway account.
    const probe = await f.h.account('1');
    await runBatch(probe.key);
    const spent = parseCredits('1') - (await f.h.balance(probe.accountId)).available;
    assert.ok(spent > 0n);
    // Half a batch above the 1-cent threshold: holding the batch's estimate checks nothing; its settlement crosses.
    const threshold = parseCredits('0.01');
    const acct = await f.h.account(formatCredits(threshold + spent / 2n));
    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '50' });
    await recharge.idle();
    assert.equal(charges(f).length, 0);
    await runBatch(acct.key);
    await recharge.idle();
    assert.deepEqual(charges(f).map((c) => c.body.amount), ['500'], 'charged once, woken by the batch settlement');
    assert.equal((await f.h.balance(acct.accountId)).available, threshold - spent + spent / 2n + parseCredits('5'));
    await assertLedgerBalances(f.h.store, acct.accountId);
    await assertNoOpenHolds(f.h.store);
  } finally {
    await f.close();
  }
});

test('a declined charge alerts the account, backs off, and turns auto-recharge off after repeated failures', async () => {
  let t = Date.now();
  const f = await startPaymentsFixture({ now: () => t });
  try {
    f.stripe.declineCharges = true;
    const acct = await f.h.account('0.005');
    const rule = await f.call('POST', `/admin/v1/accounts/${acct.accountId}/alert_rules`, ADMIN_TOKEN, {
      kind: 'grant_expiring', params: { within_days: 1 }, channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
    const recharge = f.h.gateway.deps.payments.recharge;
    const failedAlerts = async () => (await f.h.gateway.deps.alerts.store.listDeliveries({ accountId: acct.accountId }))
      .map((d) => JSON.parse(d.payload) as { type: string; data: { consecutive_failures: number; disabled: boolean } })
      .filter((p) => p.type === 'auto_recharge_failed');

    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '50' });
    await recharge.idle();
    assert.equal(charges(f).length, 1);
    let status = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/auto_recharge`, ADMIN_TOKEN)).json;
    assert.deepEqual([status.enabled, status.consecutive_failures], [true, 1]);
    assert.match(status.last_error, /card_declined/);
    assert.equal((await failedAlerts()).length, 1);
    // Stripe's payment_intent.payment_failed for the same charge counts no second failure.
    const declined = [...f.stripe.intents.values()][0]!;
    assert.equal((await f.deliver(f.stripe.paymentIntentFailed(declined))).status, 200);
    status = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/auto_recharge`, ADMIN_TOKEN)).json;
    assert.equal(status.consecutive_failures, 1);
    assert.equal((await failedAlerts()).length, 1);

    // Backing off: no new charge before the retry time, however often it is checked.
    await recharge.check(acct.accountId);
    await recharge.sweep();
    assert.equal(charges(f).length, 1);
    t += 61_000;
    await recharge.check(acct.accountId);
    assert.equal(charges(f).length, 2);
    await recharge.check(acct.accountId);
    assert.equal(charges(f).length, 2);
    t += 11 * 60_000;
    await recharge.check(acct.accountId);
    assert.equal(charges(f).length, 3);
    status = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/auto_recharge`, ADMIN_TOKEN)).json;
    assert.deepEqual([status.enabled, status.consecutive_failures], [false, 3], 'off after 3 failures');
    const alerts = await failedAlerts();
    assert.equal(alerts.length, 3);
    assert.ok(alerts.some((a) => a.data.disabled && a.data.consecutive_failures === 3));
    t += 2 * 3_600_000;
    await recharge.sweep();
    await recharge.check(acct.accountId);
    assert.equal(charges(f).length, 3, 'turned off: no more charges');
    const balance = await f.h.balance(acct.accountId);
    assert.equal(balance.available, parseCredits('0.005'));
    assert.equal(balance.grants.filter((g) => g.source === 'auto_recharge').length, 0);

    // Turned on again (with a working card) it charges at once.
    f.stripe.declineCharges = false;
    const on = await setRecharge(f, acct.accountId, { enabled: true });
    assert.equal(on.consecutive_failures, 0);
    await recharge.idle();
    assert.equal(charges(f).length, 4);
    assert.equal(formatCredits((await f.h.balance(acct.accountId)).available), '5.005');
    await assertLedgerBalances(f.h.store, acct.accountId);
  } finally {
    await f.close();
  }
});

test('a checkout with save_card keeps the card; the account then turns auto-recharge on itself', async () => {
  const f = await startPaymentsFixture();
  try {
    await f.call('PUT', '/admin/v1/plans/pack-5', ADMIN_TOKEN, { kind: 'pack', price_cents: 500, credits: '5' });
    const acct = await f.h.account('0');
    const key = await f.adminKey(acct.accountId);
    const checkout = await f.call('POST', '/v1/tollgate/checkout', key, { plan_id: 'pack-5', save_card: true });
    assert.equal(checkout.status, 201, JSON.stringify(checkout.json));
    const sent = f.stripe.requests.find((r) => r.path === '/v1/checkout/sessions')!;
    assert.equal((sent.body.payment_intent_data as Record<string, unknown>).setup_future_usage, 'off_session');
    const completed = f.stripe.checkoutCompleted(checkout.json.id);
    assert.equal((await f.deliver(completed)).json.granted, true);
    const saved = (await f.call('GET', '/v1/tollgate/auto_recharge', key)).json;
    assert.deepEqual([saved.enabled, saved.has_payment_method], [false, true]);
    assert.match(saved.payment_method_id, /^pm_test_/);

    assert.equal((await f.call('PUT', '/v1/tollgate/auto_recharge', key, { threshold: '10', amount: '5', monthly_cap: '20', customer_id: 'cus_x' })).status, 403);
    assert.equal((await f.call('PUT', '/v1/tollgate/auto_recharge', key, { threshold: '10', amount: '5', target: '30', monthly_cap: '20' })).status, 400);
    assert.equal((await f.call('PUT', '/v1/tollgate/auto_recharge', key, { threshold: '10', amount: '5.001', monthly_cap: '20' })).status, 400);
    const on = await f.call('PUT', '/v1/tollgate/auto_recharge', key, { threshold: '10', amount: '5', monthly_cap: '20' });
    assert.equal(on.status, 200, JSON.stringify(on.json));
    await f.h.gateway.deps.payments.recharge.idle();
    const charge = f.stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    assert.deepEqual(charge.map((c) => [c.body.amount, c.body.customer, c.body.payment_method]), [['500', saved.customer_id, saved.payment_method_id]]);
    assert.equal(formatCredits((await f.h.balance(acct.accountId)).available), '10');
  } finally {
    await f.close();
  }
});

test('a charge whose answer was lost is asked again with the same idempotency key and charged once', async () => {
  let t = Date.now();
  const f = await startPaymentsFixture({ now: () => t });
  try {
    f.stripe.dropAnswers = 3; // the first call and both of the library's own retries lose their answer
    const acct = await f.h.account('0.005');
    const recharge = f.h.gateway.deps.payments.recharge;
    await setRecharge(f, acct.accountId, { threshold: '0.01', amount: '5', monthly_cap: '50' });
    await recharge.idle();
    assert.equal(f.stripe.intents.size, 1, 'Stripe charged');
    assert.equal((await f.h.balance(acct.accountId)).grants.filter((g) => g.source === 'auto_recharge').length, 0, 'but Tollgate does not know yet');
    await recharge.check(acct.accountId);
    assert.equal(charges(f).length, 3, 'no new call while the outcome may still arrive');
    t += 3 * 60_000;
    await recharge.check(acct.accountId);
    const keys = new Set(charges(f).map((c) => c.idempotencyKey));
    assert.deepEqual([...keys], [`tollgate-recharge:${acct.accountId}:1`]);
    assert.equal(f.stripe.intents.size, 1, 'asked again, charged once');
    const balance = await f.h.balance(acct.accountId);
    assert.deepEqual(balance.grants.filter((g) => g.source === 'auto_recharge').map((g) => formatCredits(g.amount)), ['5']);
    await recharge.check(acct.accountId);
    await recharge.sweep();
    assert.equal(f.stripe.intents.size, 1);
    await assertLedgerBalances(f.h.store, acct.accountId);
  } finally {
    await f.close();
  }
});
