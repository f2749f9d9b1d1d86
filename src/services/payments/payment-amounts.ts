// Joins the money paid into receipts: a purchase or auto-recharge receipt shows the amount and currency of the
// payment that made its grant. Refund receipts keep `amount: null`: a refund entry's credits come from the cumulative
// refunded cents of its payment (GET /v1/tollgate/payments shows them), not from one provider amount per entry.
import type { Money, PaymentAmounts, Receipt } from '../receipts/receipts.js';
import type { PaymentStore } from './payment-store.js';

export function paymentAmountsFrom(payments: PaymentStore): PaymentAmounts {
  return {
    async amountsFor(accountId: string, receipts: readonly Receipt[]): Promise<ReadonlyMap<string, Money>> {
      const paid = receipts.filter((r) => r.grantId !== null && (r.kind === 'purchase' || r.kind === 'auto_recharge'));
      if (paid.length === 0) return new Map();
      const byGrant = new Map<string, Money>();
      for (const p of await payments.listPayments(accountId)) {
        if (p.status === 'succeeded' && p.grantId !== null) byGrant.set(p.grantId, { amountCents: p.amountCents, currency: p.currency });
      }
      const out = new Map<string, Money>();
      for (const r of paid) {
        const money = byGrant.get(r.grantId!);
        if (money) out.set(r.id, money);
      }
      return out;
    },
  };
}
