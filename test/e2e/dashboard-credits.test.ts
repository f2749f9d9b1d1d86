// The dashboard's credit routes end to end (both stores): the forecast is the account API's forecast; a code redeems
// once from the dashboard (and is then used for the API too), with the same throttle; receipts list it; the usage
// series sums the credits the response cache saved; an owner buys a pack (checkout, then the webhook grants once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { issueKey } from '../../src/services/api-keys.js';
import { redemptionStoreFor } from '../../src/services/redemption/gateway-redemption.js';
import { generateBatch } from '../../src/services/redemption/redemption-service.js';
import { signedIn } from '../support/dashboard-client.js';
import { startHarness, type Harness } from '../support/harness.js';
import { ADMIN_TOKEN, startPaymentsFixture } from '../support/payments-fixture.js';

async function codes(h: Harness, amount: bigint, count = 1): Promise<string[]> {
  const made = await generateBatch(redemptionStoreFor(h.store), { amount, count, expiresAt: null, perAccountLimit: null, grantExpiresDays: null, note: null }, Date.now());
  return made.codes.map((c) => c.code);
}

test('the dashboard forecast is the account API forecast: burn rate, run-out, budget projection', async () => {
  const clock = { t: Date.UTC(2026, 10, 20, 12) };
  const h = await startHarness({ now: () => clock.t });
  try {
    const a = await h.account('1');
    const reader = await signedIn(h, a.accountId, 'reader@a.test', 'reader');
    const owner = await signedIn(h, a.accountId, 'owner@a.test', 'owner');
    for (let i = 0; i < 3; i++) {
      await h.client(a.key).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 40, messages: [{ role: 'user', content: `spend ${i}` }] });
    }
    clock.t += 3_600_000;
    assert.equal((await owner.call('PUT', '/dashboard/api/budgets', { limit: '0.5', period: 'month' })).status, 200);
    const dash = await reader.call('GET', '/dashboard/api/forecast');
    assert.equal(dash.status, 200);
    const { secret } = await issueKey(h.store, { accountId: a.accountId, admin: true }, clock.t);
    const api = await request(`${h.baseURL}/tollgate/forecast`, { headers: { authorization: `Bearer ${secret}` } });
    const fromApi = (await api.body.json()) as any;
    assert.deepEqual(fromApi, dash.json, 'one forecast, two doors');
    assert.equal(dash.json.object, 'tollgate.forecast');
    assert.notEqual(dash.json.burn_rate_per_day, '0');
    assert.match(dash.json.burn_rate_per_day, /^\d+(\.\d+)?$/);
    assert.ok(dash.json.runs_out_at && Date.parse(dash.json.runs_out_at) > clock.t, 'a run-out date in the future');
    assert.ok(Number.isInteger(dash.json.days_left));
    assert.equal(dash.json.lost_to_expiry, '0');
    assert.equal(dash.json.budgets.length, 1);
    assert.equal(dash.json.budgets[0].limit, '0.5');
    assert.equal(typeof dash.json.budgets[0].projected_over, 'boolean');
  } finally {
    await h.close();
  }
});

test('redeeming from the dashboard: the balance rises once, a second try says already redeemed, receipts list it', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('1');
    const member = await signedIn(h, a.accountId, 'member@a.test', 'member');
    const [code] = await codes(h, 5_000_000_000_000n);
    const first = await member.call('POST', '/dashboard/api/redeem', { code: ` ${code!.toLowerCase()} ` });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.credits, '5');
    assert.equal(first.json.available, '6');
    assert.equal((await member.call('GET', '/dashboard/api/balance')).json.available, '6');
    const again = await member.call('POST', '/dashboard/api/redeem', { code });
    assert.deepEqual([again.status, again.json.error.code], [400, 'code_already_redeemed']);
    assert.match(again.json.error.message, /already redeemed/);
    assert.equal((await h.balance(a.accountId)).available, 6_000_000_000_000n, 'exactly one grant');
    // The account API sees the same code as used by this account.
    const { secret } = await issueKey(h.store, { accountId: a.accountId, admin: true }, Date.now());
    const viaApi = await request(`${h.baseURL}/tollgate/redeem`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ code }),
    });
    assert.equal(((await viaApi.body.json()) as any).error.code, 'code_already_redeemed');
    const receipts = await member.call('GET', '/dashboard/api/receipts');
    assert.equal(receipts.json.data.length, 1);
    const r = receipts.json.data[0];
    assert.deepEqual([r.kind, r.credits, r.grant_id], ['redemption', '5', first.json.grant.id]);
    assert.equal(r.redemption.code_hint, first.json.code_hint);
    // Bad input is a clear 400, not a 500.
    assert.equal((await member.call('POST', '/dashboard/api/redeem', {})).status, 400);
    assert.equal((await member.call('POST', '/dashboard/api/redeem', { code: 'x'.repeat(101) })).status, 400);
  } finally {
    await h.close();
  }
});

test('wrong codes from the dashboard are throttled like the API: 10 guesses a minute per account', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('1');
    const member = await signedIn(h, a.accountId, 'member@a.test', 'member');
    const [good] = await codes(h, 1_000_000_000_000n);
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      const r = await member.call('POST', '/dashboard/api/redeem', { code: `WRONG-CODE-${i}` });
      if (r.status === 429) refused++;
      else assert.equal(r.json.error.code, 'invalid_code');
    }
    assert.ok(refused >= 2, `guesses beyond the limit are refused (${refused})`);
    const blocked = await member.call('POST', '/dashboard/api/redeem', { code: good });
    assert.equal(blocked.status, 429, 'even a good code waits out the throttle');
    assert.equal((await h.balance(a.accountId)).available, 1_000_000_000_000n);
  } finally {
    await h.close();
  }
});

test('the usage series reports the credits the response cache saved, exactly', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const cache = h.gateway.deps.cache!;
    await cache.settingsStore.put({ accountId: a.accountId, scope: 'account', scopeId: a.accountId, enabled: true, ttlSeconds: 600, updatedAt: Date.now() });
    await cache.reload();
    const ask = () => h.client(a.key).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 30, messages: [{ role: 'user', content: 'cache me' }] });
    await ask();
    await ask();
    await ask();
    const reader = await signedIn(h, a.accountId, 'reader@a.test', 'reader');
    const usage = await reader.call('GET', '/dashboard/api/usage?group_by=model&days=7');
    const rows = await h.store.listUsage({ accountId: a.accountId });
    const miss = rows.find((r) => !r.cacheHit)!;
    assert.equal(usage.json.totals.cache_hits, 2);
    assert.ok(miss.cost > 0n);
    const expected = (2n * miss.cost).toString().padStart(13, '0');
    const decimal = `${expected.slice(0, -12)}.${expected.slice(-12)}`.replace(/\.?0+$/, '');
    assert.equal(usage.json.totals.saved_cost, decimal);
    assert.equal(usage.json.series[0].saved_cost, decimal);
  } finally {
    await h.close();
  }
});

test('buying from the dashboard: owners only, for their own account; the webhook grants once and the receipt shows the amount', async () => {
  const f = await startPaymentsFixture();
  try {
    assert.equal((await f.call('PUT', '/admin/v1/plans/pack-10', ADMIN_TOKEN, { kind: 'pack', name: '10 credits', price_cents: 1000, credits: '10', bonus_credits: '2' })).status, 200);
    const a = await f.h.account('1');
    const b = await f.h.account('1');
    const ownerA = await signedIn(f.h, a.accountId, 'owner@a.test', 'owner');
    const member = await signedIn(f.h, a.accountId, 'member@a.test', 'member');
    const reader = await signedIn(f.h, a.accountId, 'reader@a.test', 'reader');
    const ownerB = await signedIn(f.h, b.accountId, 'owner@b.test', 'owner');
    const plans = await reader.call('GET', '/dashboard/api/plans');
    assert.equal(plans.status, 200);
    assert.equal(plans.json.payments_enabled, true);
    assert.deepEqual(plans.json.data.map((p: any) => [p.id, p.total_credits, p.price_cents]), [['pack-10', '12', 1000]]);
    // Members and readers cannot start a payment; nor can anyone without the CSRF token. Nothing reaches Stripe.
    assert.equal((await reader.call('POST', '/dashboard/api/checkout', { plan_id: 'pack-10' })).status, 403);
    assert.equal((await member.call('POST', '/dashboard/api/checkout', { plan_id: 'pack-10' })).status, 403);
    assert.equal((await ownerA.call('POST', '/dashboard/api/checkout', { plan_id: 'pack-10' }, { csrf: false })).status, 403);
    assert.equal(f.stripe.requests.length, 0);
    assert.equal((await ownerA.call('POST', '/dashboard/api/checkout', { plan_id: 'nope' })).status, 404);
    assert.equal((await ownerA.call('POST', '/dashboard/api/checkout', {})).status, 400);
    // An account id in the body is ignored: the session's account pays and is credited.
    const checkout = await ownerA.call('POST', '/dashboard/api/checkout', { plan_id: 'pack-10', account_id: b.accountId });
    assert.equal(checkout.status, 201, JSON.stringify(checkout.json));
    assert.match(checkout.json.url, /^https:\/\/checkout\.stripe\.test\//);
    assert.equal(checkout.json.payment.account_id, a.accountId);
    assert.equal((f.stripe.requests.at(-1)!.body.metadata as any).tollgate_account_id, a.accountId);
    assert.equal((await f.h.balance(a.accountId)).available, 1_000_000_000_000n, 'nothing before the payment is confirmed');
    const event = f.stripe.checkoutCompleted(checkout.json.id);
    assert.equal((await f.deliver(event)).json.granted, true);
    assert.equal((await f.deliver(event)).json.granted, false, 'a redelivery grants nothing more');
    assert.equal((await ownerA.call('GET', '/dashboard/api/balance')).json.available, '13');
    const receipts = await reader.call('GET', '/dashboard/api/receipts');
    assert.equal(receipts.json.data.length, 1);
    assert.deepEqual([receipts.json.data[0].kind, receipts.json.data[0].credits, receipts.json.data[0].amount], ['purchase', '12', { amount_cents: 1000, currency: 'usd' }]);
    assert.deepEqual((await ownerB.call('GET', '/dashboard/api/receipts')).json.data, [], "B sees none of A's receipts");
    assert.equal((await ownerB.call('GET', '/dashboard/api/balance')).json.available, '1');
  } finally {
    await f.close();
  }
});
