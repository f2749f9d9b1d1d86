// Grant lots as the wallet sees them, and the burn order that decides which lot a capture draws from.
import type { Pico } from '../money/pico.js';

export const GRANT_SOURCES = ['signup', 'purchase', 'promo', 'redemption', 'auto_recharge', 'adjustment'] as const;
export type GrantSource = (typeof GRANT_SOURCES)[number];

/** Lower burns first: free and promotional credit is spent before purchased credit. */
export const DEFAULT_PRIORITY: Record<GrantSource, number> = {
  promo: 10,
  signup: 10,
  redemption: 20,
  adjustment: 30,
  purchase: 50,
  auto_recharge: 50,
};

export interface Lot {
  id: string;
  remaining: Pico;
  priority: number;
  effectiveAt: number;
  expiresAt: number | null;
  /** Creation order, for the "oldest first" tie-break. */
  createdAt: number;
}

export function isActive(lot: Lot, now: number): boolean {
  return lot.effectiveAt <= now && (lot.expiresAt === null || lot.expiresAt > now);
}

/** Burn order: priority, then soonest expiry (no expiry last), then oldest, then id for a total order. */
export function compareBurnOrder(a: Lot, b: Lot): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ae = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const be = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (ae !== be) return ae < be ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function spendable(lots: readonly Lot[], now: number): Pico {
  let sum = 0n;
  for (const lot of lots) if (isActive(lot, now)) sum += lot.remaining;
  return sum;
}

export interface Draw {
  lotId: string;
  amount: Pico;
}

/**
 * Splits `amount` over the active lots in burn order (lots must already be sorted with compareBurnOrder).
 * Returns the draws and the part no lot could cover (`short`); never draws more than a lot holds.
 * Pure: the caller applies the draws.
 */
export function allocate(lots: readonly Lot[], amount: Pico, now: number): { draws: Draw[]; short: Pico } {
  const draws: Draw[] = [];
  let left = amount;
  for (const lot of lots) {
    if (left === 0n) break;
    if (!isActive(lot, now) || lot.remaining === 0n) continue;
    const take = lot.remaining < left ? lot.remaining : left;
    draws.push({ lotId: lot.id, amount: take });
    left -= take;
  }
  return { draws, short: left };
}
