// Receipts: every purchase, auto-recharge, redemption and refund of an account, newest first, built from what the
// ledger already records (grants by source, `refund` entries) and the redeemed codes. The money paid is joined in
// through PaymentAmounts, which the payments module implements; until then `amount` is null.
import type { Pico } from '../../domain/money/pico.js';
import { formatCredits } from '../../domain/money/pico.js';
import type { GrantRecord, LedgerEntry } from '../../store/records.js';
import type { CodeRecord } from '../redemption/redemption-store.js';
import { iso } from '../../views/views.js';

export type ReceiptKind = 'purchase' | 'auto_recharge' | 'redemption' | 'refund';

/** Money as the payment provider states it: integer minor units (cents) and an ISO 4217 currency code. */
export interface Money {
  amountCents: number;
  currency: string;
}

export interface Receipt {
  id: string;
  kind: ReceiptKind;
  createdAt: number;
  /** Credits granted (purchase, auto_recharge, redemption) or taken back (refund). */
  credits: Pico;
  expiresAt: number | null;
  voidedAt: number | null;
  grantId: string | null;
  redemption: { codeId: string; batchId: string; codeHint: string; redeemedAt: number | null } | null;
  /** What was paid or refunded; null until a PaymentAmounts source knows it. */
  amount: Money | null;
}

/**
 * The join point for payments: given the receipts of an account, the money of those it knows, by receipt id
 * (a grant receipt's id is `rcpt_<grant id>`, a refund's `rcpt_refund_<ledger seq>`; both carry grantId).
 */
export interface PaymentAmounts {
  amountsFor(accountId: string, receipts: readonly Receipt[]): Promise<ReadonlyMap<string, Money>>;
}

export const NO_PAYMENTS: PaymentAmounts = { amountsFor: async () => new Map() };

const GRANT_KINDS: ReadonlySet<string> = new Set(['purchase', 'auto_recharge', 'redemption']);

/** Pure: the receipts from an account's grants, its refund entries and the codes it redeemed, newest first. */
export function buildReceipts(grants: readonly GrantRecord[], refunds: readonly LedgerEntry[], codes: readonly CodeRecord[]): Receipt[] {
  const codeByGrant = new Map(codes.filter((c) => c.grantId !== null).map((c) => [c.grantId!, c]));
  const grantById = new Map(grants.map((g) => [g.id, g]));
  const out: Receipt[] = [];
  for (const g of grants) {
    if (!GRANT_KINDS.has(g.source)) continue;
    const code = codeByGrant.get(g.id);
    out.push({
      id: `rcpt_${g.id}`, kind: g.source as ReceiptKind, createdAt: g.createdAt, credits: g.amount, expiresAt: g.expiresAt,
      voidedAt: g.voidedAt, grantId: g.id,
      redemption: code ? { codeId: code.id, batchId: code.batchId, codeHint: code.hint, redeemedAt: code.redeemedAt } : null,
      amount: null,
    });
  }
  for (const e of refunds) {
    if (e.kind !== 'refund') continue;
    const g = e.grantId === null ? undefined : grantById.get(e.grantId);
    out.push({
      id: `rcpt_refund_${e.seq}`, kind: 'refund', createdAt: e.createdAt, credits: e.amount, expiresAt: null,
      voidedAt: null, grantId: g?.id ?? e.grantId, redemption: null, amount: null,
    });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export async function withAmounts(accountId: string, receipts: Receipt[], payments: PaymentAmounts): Promise<Receipt[]> {
  const amounts = await payments.amountsFor(accountId, receipts);
  return receipts.map((r) => ({ ...r, amount: amounts.get(r.id) ?? null }));
}

export function receiptView(r: Receipt) {
  return {
    id: r.id, object: 'receipt', kind: r.kind, created_at: iso(r.createdAt), credits: formatCredits(r.credits),
    expires_at: iso(r.expiresAt), voided_at: iso(r.voidedAt), grant_id: r.grantId,
    redemption: r.redemption && {
      code_id: r.redemption.codeId, batch_id: r.redemption.batchId, code_hint: r.redemption.codeHint, redeemed_at: iso(r.redemption.redeemedAt),
    },
    amount: r.amount && { amount_cents: r.amount.amountCents, currency: r.amount.currency },
  };
}
