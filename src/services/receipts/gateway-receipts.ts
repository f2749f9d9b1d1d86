// The serving gateway's receipts of an account: its grants, refunds and redeemed codes, with the money its payments
// record joined in. One call for the account API, the operator API and the dashboard.
import type { GatewayDeps } from '../gateway-deps.js';
import { paymentAmountsFrom } from '../payments/payment-amounts.js';
import { redemptionFor } from '../redemption/gateway-redemption.js';
import { accountReceipts } from './account-receipts.js';
import type { Receipt } from './receipts.js';

export function receiptsOf(deps: GatewayDeps, accountId: string): Promise<Receipt[]> {
  return accountReceipts(
    { store: deps.store, codes: redemptionFor(deps).codes, payments: paymentAmountsFrom(deps.payments.store) }, accountId, deps.now(),
  );
}
