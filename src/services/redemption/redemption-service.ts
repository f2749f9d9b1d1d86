// Redemption codes, end to end: generate a batch (codes shown once), redeem a code for an account (claim, then the
// grant with idempotency key `redeem:<code id>`), and finish any claim whose grant a crash interrupted.
import { newId } from '../../domain/ids/ids.js';
import { batchProblem, grantExpiry, type BatchRequest } from '../../domain/redemption/batch.js';
import { codeHint, generateCode, hashCode, normalizeCode } from '../../domain/redemption/code.js';
import type { GrantRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { BatchRecord, CodeRecord, RedemptionStore } from './redemption-store.js';
import {
  CodeAlreadyRedeemedError, CodeExpiredError, InvalidCodeError, RedemptionLimitError,
} from './redemption-errors.js';

export class BatchRequestError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface GeneratedBatch {
  batch: BatchRecord;
  /** The codes in clear, in generation order: returned once, never stored. */
  codes: Array<{ id: string; code: string }>;
}

export interface Redemption {
  code: CodeRecord;
  batch: BatchRecord;
  grant: GrantRecord;
}

export interface RedemptionDeps {
  store: Store;
  codes: RedemptionStore;
}

export async function generateBatch(codes: RedemptionStore, req: BatchRequest, now: number): Promise<GeneratedBatch> {
  const problem = batchProblem(req, now);
  if (problem) throw new BatchRequestError(problem[0], `'${problem[0]}' ${problem[1]}`);
  const made: Array<{ id: string; code: string; hash: string; hint: string }> = [];
  const hashes = new Set<string>();
  while (made.length < req.count) {
    const code = generateCode();
    const canonical = normalizeCode(code)!;
    const hash = hashCode(canonical);
    if (hashes.has(hash)) continue; // 2^-80 per pair; cheap to rule out within a batch
    hashes.add(hash);
    made.push({ id: newId('rcode'), code, hash, hint: codeHint(canonical) });
  }
  const batch = await codes.createBatch({ ...req, id: newId('rbatch'), createdAt: now, codes: made });
  return { batch, codes: made.map(({ id, code }) => ({ id, code })) };
}

/**
 * Redeems `input` for the account, or throws the refusal (InvalidCodeError, CodeAlreadyRedeemedError,
 * CodeExpiredError, RedemptionLimitError). The claim decides once; the grant is idempotent on the code's id, so a
 * retry after a failure between the two completes the same grant instead of making a second.
 */
export async function redeemCode(deps: RedemptionDeps, accountId: string, input: string, now: number): Promise<Redemption> {
  const canonical = normalizeCode(input);
  if (canonical === undefined) throw new InvalidCodeError();
  const outcome = await deps.codes.claim(hashCode(canonical), accountId, now);
  switch (outcome.kind) {
    case 'unknown': throw new InvalidCodeError();
    case 'expired': throw new CodeExpiredError();
    case 'limit_reached': throw new RedemptionLimitError(outcome.batch.perAccountLimit ?? 0);
    case 'already_redeemed': {
      const { code, batch } = outcome;
      if (code.redeemedBy !== accountId) throw new InvalidCodeError();
      // Our own earlier claim: make sure its grant exists (it may have been interrupted), then say it was used.
      const grant = code.grantId === null ? await completeGrant(deps, code, batch, now) : undefined;
      throw new CodeAlreadyRedeemedError(code.redeemedAt ?? now, grant?.id ?? code.grantId);
    }
    case 'claimed': {
      const grant = await completeGrant(deps, outcome.code, outcome.batch, now);
      return { code: { ...outcome.code, grantId: grant.id }, batch: outcome.batch, grant };
    }
  }
}

/** Makes (or finds) the grant of a claimed code and records it on the code. Safe to run any number of times. */
export async function completeGrant(deps: RedemptionDeps, code: CodeRecord, batch: BatchRecord, now: number): Promise<GrantRecord> {
  if (code.redeemedBy === null || code.redeemedAt === null) throw new Error(`code ${code.id} is not redeemed`);
  const { grant } = await deps.store.insertGrant({
    accountId: code.redeemedBy, source: 'redemption', amount: batch.amount,
    effectiveAt: code.redeemedAt, expiresAt: grantExpiry(batch.grantExpiresDays, code.redeemedAt),
    idempotencyKey: `redeem:${code.id}`, note: `redemption code ${code.hint} of batch ${batch.id}`,
  }, now);
  await deps.codes.setGrant(code.id, grant.id);
  return grant;
}

/** Finishes every claim whose grant is missing (of one account, or all): run at start and before receipts. */
export async function completePending(deps: RedemptionDeps, now: number, accountId?: string): Promise<number> {
  const pending = await deps.codes.pending(accountId);
  for (const { code, batch } of pending) await completeGrant(deps, code, batch, now);
  return pending.length;
}
