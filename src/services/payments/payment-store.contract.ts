// The behaviour both PaymentStore adapters must have, run against each (src/store/*/payments-store.test.ts): a
// refund takes back only credit that is unspent and not reserved by an open hold, once, as a `refund` posting.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { parseCredits } from '../../domain/money/pico.js';
import type { Store } from '../../store/store.js';
import type { Wallet } from '../wallet/wallet.js';
import type { PaymentStore } from './payment-store.js';

export interface PaymentStoreSubject {
  store: Store;
  wallet: Wallet;
  payments: PaymentStore;
}

const META = { projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions', stream: false };

export async function runPaymentStoreContract(t: TestContext, s: PaymentStoreSubject): Promise<void> {
  const now = Date.now();
  const { account } = await s.store.createAccount({ name: 'payments', now });
  const { grant } = await s.store.insertGrant({ accountId: account.id, source: 'purchase', amount: parseCredits('10'), idempotencyKey: 'stripe:cs_1' }, now);
  await s.payments.insertPayment({
    id: 'cs_1', provider: 'stripe', kind: 'checkout', accountId: account.id, planId: 'p', paymentIntentId: null, amountCents: 1000,
    currency: 'usd', credits: parseCredits('10'),
  }, now);
  await s.payments.markSucceeded('cs_1', { grantId: grant.id, paymentIntentId: 'pi_1' }, now);
  s.wallet.invalidate();

  await t.test('a refund never takes credit an open hold reserved', async () => {
    assert.deepEqual(await s.wallet.hold({ requestId: 'req_hold_1', accountId: account.id, amount: parseCredits('7'), meta: META }), { ok: true });
    const r = await s.payments.reverse({ reversalId: 'refund:ch_1', kind: 'refund', paymentIntentId: 'pi_1', cents: 1000 }, now);
    assert.ok(r);
    assert.equal(r.due, parseCredits('10'));
    assert.equal(r.taken, parseCredits('3'));
    assert.equal(r.payment.takenBackCents, 1000);
    const balance = await s.wallet.balance(account.id);
    assert.equal(balance.available, 0n);
    assert.equal(balance.held, parseCredits('7'));
    const refused = await s.wallet.hold({ requestId: 'req_hold_2', accountId: account.id, amount: 1n, meta: META });
    assert.equal(refused.ok, false);
  });

  await t.test('replays and a dispute over an already refunded payment take nothing more', async () => {
    const again = await s.payments.reverse({ reversalId: 'refund:ch_1', kind: 'refund', paymentIntentId: 'pi_1', cents: 1000 }, now);
    assert.deepEqual([again!.due, again!.taken], [0n, 0n]);
    const dispute = await s.payments.reverse({ reversalId: 'dispute:dp_1', kind: 'dispute', paymentIntentId: 'pi_1', cents: 1000 }, now);
    assert.deepEqual([dispute!.due, dispute!.taken, dispute!.payment.takenBackCents], [0n, 0n, 1000]);
    assert.equal(await s.payments.reverse({ reversalId: 'refund:ch_x', kind: 'refund', paymentIntentId: 'pi_unknown', cents: 5 }, now), undefined);
    const refunds = (await s.store.listLedger(account.id)).filter((e) => e.kind === 'refund');
    assert.deepEqual(refunds.map((e) => [e.amount, e.grantId]), [[parseCredits('3'), grant.id]]);
    const totals = await s.store.ledgerTotals(account.id);
    assert.equal(totals.granted - totals.expired - totals.voided - totals.captured - totals.refunded, totals.remaining);
    assert.equal(totals.remaining, parseCredits('7'));
  });

  await t.test('one attempt per (account, episode); the next episode opens only after it finished', async () => {
    const attempt = { accountId: account.id, episode: 1, status: 'pending' as const, monthKey: '2026-12', credits: parseCredits('5'), amountCents: 500, createdAt: now };
    await s.payments.putRecharge({ accountId: account.id, enabled: true, threshold: parseCredits('1'), amount: parseCredits('5'), target: null, monthlyCap: parseCredits('9') }, now);
    const claims = await Promise.all(Array.from({ length: 8 }, () => s.payments.claimAttempt(attempt)));
    assert.equal(claims.filter(Boolean).length, 1);
    assert.equal(await s.payments.nextEpisode(account.id, 1, now), false, 'pending: no next episode');
    assert.equal(await s.payments.rechargedInMonth(account.id, '2026-12'), parseCredits('5'));
    await s.payments.finishAttempt(account.id, 1, { status: 'failed', paymentId: 'pi_f', error: 'card_declined' }, now);
    assert.equal(await s.payments.rechargedInMonth(account.id, '2026-12'), 0n);
    const failure = { error: 'card_declined', retryAt: now + 60_000, maxFailures: 2 };
    const advanced = await Promise.all([s.payments.nextEpisode(account.id, 1, now, failure), s.payments.nextEpisode(account.id, 1, now, failure)]);
    assert.equal(advanced.filter(Boolean).length, 1);
    const settings = (await s.payments.getRecharge(account.id))!;
    assert.deepEqual([settings.episode, settings.consecutiveFailures, settings.enabled, settings.retryAt], [2, 1, true, now + 60_000]);
  });
}
