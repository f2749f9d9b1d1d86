import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { WebhookSignatureError } from './provider.js';
import { normalize, StripeProvider, WebhookPayloadError } from './stripe-provider.js';

const SECRET = 'whsec_unit';

test('Stripe events normalize to ours; foreign and unpaid ones are ignored', () => {
  const paid = normalize('evt_1', 'checkout.session.completed', {
    id: 'cs_1', payment_status: 'paid', amount_total: 1000, currency: 'usd', payment_intent: 'pi_1', customer: 'cus_1',
    metadata: { tollgate_account_id: 'acct_1', tollgate_reference: 'pay_1' },
  });
  assert.deepEqual(paid, {
    type: 'payment_succeeded', eventId: 'evt_1', via: 'checkout', paymentId: 'cs_1', paymentIntentId: 'pi_1', accountId: 'acct_1',
    amountCents: 1000, currency: 'usd', customerId: 'cus_1', paymentMethodId: null, reference: 'pay_1',
  });
  assert.equal(normalize('evt_2', 'checkout.session.completed', { id: 'cs_2', payment_status: 'unpaid' }).type, 'ignored');
  assert.equal(normalize('evt_3', 'payment_intent.succeeded', { id: 'pi_9', amount: 5, currency: 'usd', metadata: {} }).type, 'ignored');
  const recharge = normalize('evt_4', 'payment_intent.succeeded', {
    id: 'pi_2', amount: 500, amount_received: 500, currency: 'usd', metadata: { tollgate_kind: 'auto_recharge', tollgate_reference: 'recharge:acct_1:3' },
  });
  assert.equal(recharge.type === 'payment_succeeded' && recharge.reference, 'recharge:acct_1:3');
  assert.deepEqual(normalize('evt_5', 'charge.refunded', { id: 'ch_1', payment_intent: { id: 'pi_1' }, amount_refunded: 250 }), {
    type: 'refunded', eventId: 'evt_5', paymentIntentId: 'pi_1', reversalId: 'refund:ch_1', refundedCents: 250,
  });
  const won = normalize('evt_6', 'charge.dispute.closed', { id: 'dp_1', payment_intent: 'pi_1', amount: 1000, status: 'won' });
  assert.equal(won.type === 'disputed' && won.lost, false);
  assert.equal(normalize('evt_7', 'customer.created', {}).type, 'ignored');
  assert.throws(() => normalize('evt_8', 'charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', amount_refunded: 1.5 }), WebhookPayloadError);
});

test('parseWebhook verifies the signature with Stripe\'s library before reading anything', () => {
  const provider = new StripeProvider({ secretKey: 'sk_test_unit', webhookSecret: SECRET });
  const signer = new Stripe('sk_test_unit');
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_1', amount_refunded: 100 } } });
  const header = signer.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  assert.equal(provider.parseWebhook(Buffer.from(payload), { 'stripe-signature': header }).type, 'refunded');
  assert.throws(() => provider.parseWebhook(Buffer.from(payload.replace('100', '900')), { 'stripe-signature': header }), WebhookSignatureError);
  assert.throws(() => provider.parseWebhook(Buffer.from(payload), {}), WebhookSignatureError);
  const old = signer.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 301 });
  assert.throws(() => provider.parseWebhook(Buffer.from(payload), { 'stripe-signature': old }), WebhookSignatureError);
});
