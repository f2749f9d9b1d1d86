import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GrantRecord, LedgerEntry } from '../../store/records.js';
import type { CodeRecord } from '../redemption/redemption-store.js';
import { buildReceipts, receiptView, withAmounts } from './receipts.js';

const grant = (id: string, source: GrantRecord['source'], createdAt: number, extra: Partial<GrantRecord> = {}): GrantRecord => ({
  id, accountId: 'acct_1', source, amount: 5_000_000_000_000n, remaining: 5_000_000_000_000n, priority: 50, effectiveAt: createdAt,
  expiresAt: null, voidedAt: null, expiredAt: null, idempotencyKey: `k-${id}`, note: null, createdAt, ...extra,
});

test('receipts: purchases, auto-recharges, redemptions and refunds, newest first; other grants left out', () => {
  const grants = [
    grant('grant_signup', 'signup', 1), grant('grant_buy', 'purchase', 2), grant('grant_auto', 'auto_recharge', 4),
    grant('grant_code', 'redemption', 3, { expiresAt: 99, amount: 1_000_000_000_000n }), grant('grant_adj', 'adjustment', 6),
  ];
  const refunds: LedgerEntry[] = [
    { seq: 17, accountId: 'acct_1', kind: 'refund', amount: 2_000_000_000_000n, grantId: 'grant_buy', requestId: null, idempotencyKey: 'r', createdAt: 5 },
  ];
  const codes: CodeRecord[] = [
    { id: 'rcode_1', batchId: 'rbatch_1', hint: '…-WXYZ', expiresAt: null, redeemedBy: 'acct_1', redeemedAt: 3, grantId: 'grant_code' },
  ];
  const list = buildReceipts(grants, refunds, codes);
  assert.deepEqual(list.map((r) => [r.id, r.kind]), [
    ['rcpt_refund_17', 'refund'], ['rcpt_grant_auto', 'auto_recharge'], ['rcpt_grant_code', 'redemption'], ['rcpt_grant_buy', 'purchase'],
  ]);
  const refund = receiptView(list[0]!);
  assert.equal(refund.credits, '2');
  assert.equal(refund.grant_id, 'grant_buy');
  const code = receiptView(list[2]!);
  assert.equal(code.credits, '1');
  assert.equal(code.expires_at, new Date(99).toISOString());
  assert.deepEqual(code.redemption, { code_id: 'rcode_1', batch_id: 'rbatch_1', code_hint: '…-WXYZ', redeemed_at: new Date(3).toISOString() });
  assert.equal(code.amount, null);
});

test('receipts: money amounts are joined in by receipt id from a PaymentAmounts source', async () => {
  const list = buildReceipts([grant('grant_buy', 'purchase', 2), grant('grant_auto', 'auto_recharge', 4)], [], []);
  let asked: string[] = [];
  const joined = await withAmounts('acct_1', list, {
    amountsFor: async (accountId, receipts) => {
      assert.equal(accountId, 'acct_1');
      asked = receipts.map((r) => r.id);
      return new Map([['rcpt_grant_buy', { amountCents: 500, currency: 'usd' }]]);
    },
  });
  assert.deepEqual(asked, ['rcpt_grant_auto', 'rcpt_grant_buy']);
  assert.deepEqual(joined.map((r) => receiptView(r).amount), [null, { amount_cents: 500, currency: 'usd' }]);
});
