// Wire shapes (snake_case, credits as decimal strings) of batches and redemptions, shared by the HTTP API and CLI.
import { formatCredits, type Pico } from '../../domain/money/pico.js';
import { grantView, iso } from '../../views/views.js';
import type { BatchRecord } from './redemption-store.js';
import type { GeneratedBatch, Redemption } from './redemption-service.js';

export function batchView(b: BatchRecord) {
  return {
    id: b.id, object: 'redemption_batch', credits: formatCredits(b.amount), count: b.count, redeemed: b.redeemed,
    expires_at: iso(b.expiresAt), per_account_limit: b.perAccountLimit, grant_expires_days: b.grantExpiresDays,
    note: b.note, created_at: iso(b.createdAt),
  };
}

export function generatedView(g: GeneratedBatch) {
  return { ...batchView(g.batch), codes: g.codes.map((c) => ({ id: c.id, code: c.code })) };
}

export function redemptionView(r: Redemption, now: number, available?: Pico) {
  return {
    object: 'redemption', code_id: r.code.id, batch_id: r.batch.id, code_hint: r.code.hint, account_id: r.code.redeemedBy,
    redeemed_at: iso(r.code.redeemedAt), credits: formatCredits(r.grant.amount), expires_at: iso(r.grant.expiresAt),
    grant: grantView(r.grant, now), ...(available !== undefined ? { available: formatCredits(available) } : {}),
  };
}
