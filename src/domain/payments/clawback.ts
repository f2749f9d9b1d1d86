// What a refund or a dispute takes back from a purchase: the refunded share of the credits it granted, but only from
// what is still unspent of that grant and not reserved by open holds, so the available balance never goes below zero.
import type { Pico } from '../money/pico.js';

/**
 * Credits owed back after `takenBackCents` (Σ refunds and disputes so far, cumulative) of a payment of
 * `amountCents` that granted `credits`: proportional, rounded down (never takes back more than was bought).
 */
export function creditsOwed(credits: Pico, amountCents: number, takenBackCents: number): Pico {
  if (amountCents <= 0) return 0n;
  const cents = Math.min(Math.max(takenBackCents, 0), amountCents);
  return (credits * BigInt(cents)) / BigInt(amountCents);
}

/**
 * The part of `due` that can be taken now: at most what remains of the purchase grant (`grantRemaining`, 0 if it
 * expired or was voided), and at most the account's unreserved balance (`available` = active grants − open holds).
 */
export function takeable(due: Pico, grantRemaining: Pico, available: Pico): Pico {
  let take = due;
  if (grantRemaining < take) take = grantRemaining;
  if (available < take) take = available;
  return take > 0n ? take : 0n;
}
