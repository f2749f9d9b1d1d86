// tollgate receipts --account ID: every purchase, auto-recharge, redemption and refund of the account, newest first.
import { paymentAmountsFrom } from '../services/payments/payment-amounts.js';
import { paymentStoreFor } from '../services/payments/gateway-payments.js';
import { accountReceipts } from '../services/receipts/account-receipts.js';
import { receiptView } from '../services/receipts/receipts.js';
import { redemptionStoreFor } from '../services/redemption/gateway-redemption.js';
import type { Store } from '../store/store.js';
import { CliError, parse, printJson, required } from './args.js';

export async function receiptsCommand(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, json: { type: 'boolean' } });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const list = (await accountReceipts({ store, codes: redemptionStoreFor(store), payments: paymentAmountsFrom(paymentStoreFor(store)) }, accountId, Date.now())).map(receiptView);
  if (v.json) return printJson(list);
  for (const r of list) {
    const extra = r.redemption ? `\tcode ${r.redemption.code_hint} (${r.redemption.batch_id})` : '';
    process.stdout.write(`${r.created_at}\t${r.kind}\t${r.credits} credits\texpires ${r.expires_at ?? 'never'}${extra}\n`);
  }
}
