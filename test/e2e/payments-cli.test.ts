// The payment commands of the CLI, as a child process on the running gateway's store: plans it sets are on sale at
// the next request, `checkout` returns a Stripe Checkout link (Stripe's library against the stand-in), and
// `recharge set` arms auto-recharge, which the gateway then runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredits } from '../../src/domain/money/pico.js';
import { runCli } from '../support/child-process.js';
import { WEBHOOK_SECRET, startPaymentsFixture, type PaymentsFixture } from '../support/payments-fixture.js';

function cli(f: PaymentsFixture, args: string[]) {
  return runCli(args, {
    TOLLGATE_DB: f.h.dbPath, OPENAI_BASE_URL: f.h.upstream.url,
    ...(f.h.databaseUrl === undefined ? {} : { DATABASE_URL: f.h.databaseUrl }),
    TOLLGATE_STRIPE_SECRET_KEY: 'sk_test_cli', TOLLGATE_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, TOLLGATE_STRIPE_API_BASE: f.stripe.url,
  });
}

test('tollgate plans, checkout and recharge drive the running gateway', async () => {
  const f = await startPaymentsFixture();
  try {
    const set = await cli(f, ['plans', 'set', '--id', 'starter', '--kind', 'pack', '--price-cents', '500', '--credits', '5', '--bonus', '0.5', '--json']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).total_credits, '5.5');
    const bad = await cli(f, ['plans', 'set', '--id', 'x', '--kind', 'pack', '--price-cents', '12.5', '--credits', '1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /price-cents/);
    const list = await cli(f, ['plans', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).data.map((p: { id: string }) => p.id), ['starter']);

    const acct = await f.h.account('0.005');
    const key = await f.adminKey(acct.accountId);
    assert.deepEqual((await f.call('GET', '/v1/tollgate/plans', key)).json.data.map((p: { id: string }) => p.id), ['starter']);

    const checkout = await cli(f, ['checkout', '--account', acct.accountId, '--plan', 'starter', '--json']);
    assert.equal(checkout.code, 0, checkout.stderr);
    const out = JSON.parse(checkout.stdout) as { id: string; url: string };
    assert.match(out.url, /^https:\/\/checkout\.stripe\.test\//);
    assert.equal((await f.deliver(f.stripe.checkoutCompleted(out.id))).json.granted, true);
    assert.equal(formatCredits((await f.h.balance(acct.accountId)).available), '5.505');

    const recharge = await cli(f, ['recharge', 'set', '--account', acct.accountId, '--threshold', '6', '--target', '20', '--monthly-cap', '100',
      '--customer', 'cus_cli', '--payment-method', 'pm_cli', '--json']);
    assert.equal(recharge.code, 0, recharge.stderr);
    assert.equal(JSON.parse(recharge.stdout).has_payment_method, true);
    await f.h.gateway.deps.payments.recharge.sweep();
    const charge = f.stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    assert.deepEqual(charge.map((c) => [c.body.amount, c.body.customer, c.body.payment_method]), [['1450', 'cus_cli', 'pm_cli']]);
    assert.equal(formatCredits((await f.h.balance(acct.accountId)).available), '20.005');
    const show = await cli(f, ['recharge', 'show', '--account', acct.accountId]);
    assert.equal(JSON.parse(show.stdout).target, '20');
    const both = await cli(f, ['recharge', 'set', '--account', acct.accountId, '--threshold', '1', '--amount', '5', '--target', '9', '--monthly-cap', '9']);
    assert.equal(both.code, 2);
  } finally {
    await f.close();
  }
});
