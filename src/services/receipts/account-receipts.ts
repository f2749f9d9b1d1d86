// Loads an account's receipts from the stores: interrupted redemptions are finished first, so a redeemed code
// always shows with its grant.
import type { Store } from '../../store/store.js';
import type { RedemptionStore } from '../redemption/redemption-store.js';
import { completePending } from '../redemption/redemption-service.js';
import { buildReceipts, NO_PAYMENTS, withAmounts, type PaymentAmounts, type Receipt } from './receipts.js';

export async function accountReceipts(
  src: { store: Store; codes: RedemptionStore; payments?: PaymentAmounts }, accountId: string, now: number,
): Promise<Receipt[]> {
  await completePending(src, now, accountId);
  const [grants, refunds, codes] = await Promise.all([
    src.store.listGrants(accountId), src.codes.refunds(accountId), src.codes.redeemedBy(accountId),
  ]);
  return withAmounts(accountId, buildReceipts(grants, refunds, codes), src.payments ?? NO_PAYMENTS);
}
