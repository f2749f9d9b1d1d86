// Payments end to end: Stripe's real library against the local stand-in, webhooks signed with the library's own
// test-header helper. A paid checkout grants exactly once however it is redelivered; a tampered or stale signature
// is refused and grants nothing; a refund takes back only what is still unspent of that purchase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredits, parseCredits } from '../../src/domain/money/pico.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { ADMIN_TOKEN, WEBHOOK_SECRET, startPaymentsFixture } from '../support/payments-fixture.js';

test('a paid checkout grants once; replayed and duplicated events grant nothing more', async () => {
  const f = await startPaymentsFixture();
  try {
    const put = await f.call('PUT', '/admin/v1/plans/pack-10', ADMIN_TOKEN, { kind: 'pack', name: '10 credits', price_cents: 1000, credits: '10', bonus_credits: '2' });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const acct = await f.h.account('1');
    const key = await f.adminKey(acct.accountId);
    const plans = await f.call('GET', '/v1/tollgate/plans', key);
    assert.deepEqual(plans.json.data.map((p: { id: string; total_credits: string }) => [p.id, p.total_credits]), [['pack-10', '12']]);

    const checkout = await f.call('POST', '/v1/tollgate/checkout', key, { plan_id: 'pack-10' });
    assert.equal(checkout.status, 201, JSON.stringify(checkout.json));
    assert.match(checkout.json.url, /^https:\/\/checkout\.stripe\.test\//);
    assert.match(checkout.json.id, /^cs_test_/);
    const sent = f.stripe.requests.find((r) => r.path === '/v1/checkout/sessions')!;
    assert.equal((sent.body.line_items as any)['0'].price_data.unit_amount, '1000');
    assert.equal((sent.body.metadata as any).tollgate_account_id, acct.accountId);
    assert.ok(sent.idempotencyKey);

    const event = f.stripe.checkoutCompleted(checkout.json.id);
    const first = await f.deliver(event);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json.granted, true);
    // Stripe redelivers the same event, several at once, and a second event for the same session.
    const again = await Promise.all([f.deliver(event), f.deliver(event), f.deliver(event)]);
    for (const r of again) assert.deepEqual([r.status, r.json.granted], [200, false]);
    const duplicate = await f.deliver(f.stripe.checkoutCompleted(checkout.json.id));
    assert.deepEqual([duplicate.status, duplicate.json.granted], [200, false]);

    const balance = await f.h.balance(acct.accountId);
    assert.equal(formatCredits(balance.available), '13');
    const purchases = balance.grants.filter((g) => g.source === 'purchase');
    assert.equal(purchases.length, 1);
    assert.equal(purchases[0]!.amount, parseCredits('12'));
    assert.equal(purchases[0]!.priority, 50);
    const days = (purchases[0]!.expiresAt! - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365, `expires in ${days} days`);
    const payments = await f.call('GET', '/v1/tollgate/payments', key);
    assert.equal(payments.json.data[0].status, 'succeeded');
    assert.equal(payments.json.data[0].grant_id, purchases[0]!.id);
    // The receipt shows the money paid next to the credits granted and their expiry.
    const receipts = await f.call('GET', '/v1/tollgate/receipts', key);
    const receipt = receipts.json.data.find((r: { grant_id: string }) => r.grant_id === purchases[0]!.id);
    assert.equal(receipt.kind, 'purchase');
    assert.equal(receipt.credits, '12');
    assert.deepEqual(receipt.amount, { amount_cents: 1000, currency: 'usd' });
    assert.ok(receipt.expires_at);
    // The sign-up/promo credit (priority 10) burns before the purchase.
    await f.h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const after = await f.h.balance(acct.accountId);
    assert.equal(after.grants.find((g) => g.source === 'purchase')!.remaining, parseCredits('12'));
    await assertLedgerBalances(f.h.store, acct.accountId);
    await assertNoOpenHolds(f.h.store);
  } finally {
    await f.close();
  }
});

test('a custom amount is priced within bounds; bad input is a 4xx and starts nothing', async () => {
  const f = await startPaymentsFixture();
  try {
    await f.call('PUT', '/admin/v1/plans/custom', ADMIN_TOKEN, { kind: 'custom', min_cents: 500, max_cents: 100_000 });
    const acct = await f.h.account('0');
    const ok = await f.call('POST', `/admin/v1/accounts/${acct.accountId}/checkout`, ADMIN_TOKEN, { plan_id: 'custom', amount_cents: 2550 });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.payment.credits, '25.5');
    const key = await f.adminKey(acct.accountId);
    for (const [body, status] of [[{ plan_id: 'custom', amount_cents: 499 }, 400], [{ plan_id: 'custom' }, 400], [{ plan_id: 'nope' }, 404],
      [{ plan_id: 'custom', amount_cents: 12.5 }, 400], [{}, 400]] as const) {
      const res = await f.call('POST', '/v1/tollgate/checkout', key, body);
      assert.equal(res.status, status, JSON.stringify(res.json));
      assert.ok(res.json.error.message);
    }
    assert.equal((await f.call('POST', '/v1/tollgate/checkout', acct.key, { plan_id: 'custom', amount_cents: 600 })).status, 403);
    assert.equal(f.stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').length, 1);
    const bad = await f.call('PUT', '/admin/v1/plans/x', ADMIN_TOKEN, { kind: 'pack', price_cents: 0, credits: '1' });
    assert.equal(bad.status, 400);
  } finally {
    await f.close();
  }
});

test('a tampered, stale, wrongly signed or unsigned webhook is refused with 400 and grants nothing', async () => {
  const f = await startPaymentsFixture();
  try {
    await f.call('PUT', '/admin/v1/plans/pack-5', ADMIN_TOKEN, { kind: 'pack', price_cents: 500, credits: '5' });
    const acct = await f.h.account('0');
    const checkout = await f.call('POST', `/admin/v1/accounts/${acct.accountId}/checkout`, ADMIN_TOKEN, { plan_id: 'pack-5' });
    const payload = JSON.stringify(f.stripe.checkoutCompleted(checkout.json.id));
    const tampered = payload.replace('"amount_total":500', '"amount_total":50000');
    assert.notEqual(tampered, payload);
    const cases: Array<[string, Record<string, string>, string]> = [
      ['tampered body', f.stripe.sign(payload, WEBHOOK_SECRET), tampered],
      ['stale timestamp', f.stripe.sign(payload, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600), payload],
      ['wrong secret', f.stripe.sign(payload, 'whsec_someone_else'), payload],
      ['no signature', { 'content-type': 'application/json' }, payload],
    ];
    for (const [what, headers, raw] of cases) {
      const res = await f.deliver(undefined, headers, raw);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.error.code, 'invalid_signature', what);
    }
    const balance = await f.h.balance(acct.accountId);
    assert.equal(balance.available, 0n);
    assert.equal(balance.grants.length, 0);
    const payments = await f.call('GET', `/admin/v1/accounts/${acct.accountId}/payments`, ADMIN_TOKEN);
    assert.equal(payments.json.data[0].status, 'pending');
    // Correctly signed, but for another amount than the one quoted: nothing is granted.
    const other = f.stripe.checkoutCompleted(checkout.json.id);
    (other.data as { object: Record<string, unknown> }).object.amount_total = 50_000;
    const mismatch = await f.deliver(other);
    assert.deepEqual([mismatch.status, mismatch.json.granted], [200, false]);
    assert.equal((await f.h.balance(acct.accountId)).grants.length, 0);
    // The genuine delivery still works afterwards.
    assert.equal((await f.deliver(undefined, undefined, payload)).json.granted, true);
    assert.equal(formatCredits((await f.h.balance(acct.accountId)).available), '5');
  } finally {
    await f.close();
  }
});

test('a refund claws back only what is unspent of that purchase, once, as a ledger posting', async () => {
  const f = await startPaymentsFixture();
  try {
    // A tiny pack, so a few real calls spend a good part of it.
    await f.call('PUT', '/admin/v1/plans/tiny', ADMIN_TOKEN, { kind: 'pack', price_cents: 1000, credits: '0.0001' });
    const acct = await f.h.account('0');
    const checkout = await f.call('POST', `/admin/v1/accounts/${acct.accountId}/checkout`, ADMIN_TOKEN, { plan_id: 'tiny' });
    const completed = f.stripe.checkoutCompleted(checkout.json.id);
    assert.equal((await f.deliver(completed)).json.granted, true);
    const intentId = (completed.data as any).object.payment_intent as string;
    const client = f.h.client(acct.key);
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hello there' }] });
    }
    const spent = parseCredits('0.0001') - (await f.h.balance(acct.accountId)).available;
    assert.ok(spent > 0n && spent < parseCredits('0.00007'), `spent ${formatCredits(spent)}`);

    // 30 % refunded: 0.00003 owed, all of it still unspent.
    const partial = await f.deliver(f.stripe.chargeRefunded(intentId, 300));
    assert.equal(partial.status, 200, JSON.stringify(partial.json));
    assert.equal(partial.json.clawed_back_pico, parseCredits('0.00003').toString());
    assert.equal((await f.h.balance(acct.accountId)).available, parseCredits('0.00007') - spent);
    // Fully refunded: the other 0.00007 is owed, but only what is left unspent can be taken.
    const full = f.stripe.chargeRefunded(intentId, 1000);
    const res = await f.deliver(full);
    assert.equal(res.json.clawed_back_pico, (parseCredits('0.00007') - spent).toString());
    assert.equal((await f.h.balance(acct.accountId)).available, 0n);
    // Redelivered, or delivered late and out of order: nothing more moves.
    assert.equal((await f.deliver(full)).json.clawed_back_pico, '0');
    assert.equal((await f.deliver(f.stripe.chargeRefunded(intentId, 300))).json.clawed_back_pico, '0');

    const payment = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/payments`, ADMIN_TOKEN)).json.data[0];
    assert.equal(payment.refunded_cents, 1000);
    assert.equal(payment.clawback_due, '0.0001');
    assert.equal(parseCredits(payment.clawed_back), parseCredits('0.0001') - spent);
    const refunds = (await f.h.store.listLedger(acct.accountId)).filter((e) => e.kind === 'refund');
    assert.equal(refunds.length, 2);
    const refundReceipts = (await f.call('GET', `/admin/v1/accounts/${acct.accountId}/receipts`, ADMIN_TOKEN)).json.data
      .filter((r: { kind: string }) => r.kind === 'refund');
    assert.equal(refundReceipts.length, 2, 'each refund posting is a receipt');
    assert.equal(refunds.reduce((s, e) => s + e.amount, 0n), parseCredits('0.0001') - spent);
    const totals = await f.h.store.ledgerTotals(acct.accountId);
    assert.equal(totals.refunded, parseCredits('0.0001') - spent);
    await assertLedgerBalances(f.h.store, acct.accountId);
    // The account can still not overspend: the next call is refused for quota.
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'more' }] }), { status: 429 });
  } finally {
    await f.close();
  }
});
