// What an operator asks for when generating codes, and the checks every entry point (CLI, admin API) applies to it.
import type { Pico } from '../money/pico.js';

export const MAX_BATCH_COUNT = 10_000;
/** A grant's amount is one signed 64-bit column of pico-credits. */
export const MAX_CODE_AMOUNT = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;

export interface BatchRequest {
  /** Credits each code grants. */
  amount: Pico;
  count: number;
  /** After this instant no code of the batch can be redeemed (null: never). */
  expiresAt: number | null;
  /** How many codes of this batch one account may redeem (null: no limit). */
  perAccountLimit: number | null;
  /** The redeemed grant expires this many days after redemption (null: never). */
  grantExpiresDays: number | null;
  note: string | null;
}

/** The first problem with a request, as [field, message], or undefined when it is valid. */
export function batchProblem(b: BatchRequest, now: number): [field: string, message: string] | undefined {
  if (b.amount <= 0n) return ['amount', 'must be above zero'];
  if (b.amount > MAX_CODE_AMOUNT) return ['amount', 'is larger than one grant can hold'];
  if (!Number.isSafeInteger(b.count) || b.count < 1 || b.count > MAX_BATCH_COUNT) return ['count', `must be a whole number from 1 to ${MAX_BATCH_COUNT}`];
  if (b.expiresAt !== null && b.expiresAt <= now) return ['expires_at', 'is in the past'];
  if (b.perAccountLimit !== null && (!Number.isSafeInteger(b.perAccountLimit) || b.perAccountLimit < 1)) {
    return ['per_account_limit', 'must be a whole number of at least 1'];
  }
  if (b.grantExpiresDays !== null && (!Number.isSafeInteger(b.grantExpiresDays) || b.grantExpiresDays < 1 || b.grantExpiresDays > 36_500)) {
    return ['grant_expires_days', 'must be a whole number of days from 1 to 36500'];
  }
  return undefined;
}

/** When a grant made from a code redeemed at `redeemedAt` expires. */
export function grantExpiry(grantExpiresDays: number | null, redeemedAt: number): number | null {
  return grantExpiresDays === null ? null : redeemedAt + grantExpiresDays * DAY_MS;
}
