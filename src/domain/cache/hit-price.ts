// What a cache hit is charged: a whole percentage of what the cached answer would cost now (default 0: free).
import type { Pico } from '../money/pico.js';

export interface HitCharge {
  cost: Pico;
  /** The full price minus the charge: the credits the hit saved. */
  saved: Pico;
}

/** Integer arithmetic only; the charge is rounded down to the pico-credit. */
export function hitCharge(fullCost: Pico, percent: number): HitCharge {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`hit price percent must be 0..100, got ${percent}`);
  const cost = (fullCost * BigInt(percent)) / 100n;
  return { cost, saved: fullCost - cost };
}
