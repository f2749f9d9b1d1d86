// When the credit runs out at a constant burn rate: grants are consumed in burn order, each stops counting at its
// expiry (what it still holds then is lost), and a grant that is not yet effective joins when it becomes effective.
import { allocate, compareBurnOrder, isActive, type Lot } from '../ledger/lots.js';
import type { Pico } from '../money/pico.js';
import { DAY_MS } from './burn-rate.js';

export interface BurnSimulation {
  /** The first instant at which no credit is left (ms); null when the burn rate is zero or it is past FORECAST_HORIZON_MS. */
  runsOutAt: number | null;
  /** Credit consumed from `now` until `horizon` (or until it ran out, if sooner). */
  consumedByHorizon: Pico;
  /** Credit that expires unspent before it is reached in burn order, up to the run-out. */
  lostToExpiry: Pico;
}

/** A run-out further away than this is reported as none (null): it is no forecast, and past what a Date can hold. */
export const FORECAST_HORIZON_MS = 100 * 365 * DAY_MS;

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * Simulates spending `ratePerDay` pico-credits per day from `now`. `held` (open holds) is taken first, in burn order,
 * as if captured now. Exact: amounts in pico, times in whole ms; a partial stretch consumes ⌊rate × ms ÷ day⌋.
 * `horizon` (ms, ≥ now) bounds consumedByHorizon; the run-out search itself is not bounded.
 */
export function simulateBurn(lots: readonly Lot[], held: Pico, ratePerDay: Pico, now: number, horizon = now): BurnSimulation {
  const left = new Map<string, Lot>();
  const sorted = [...lots].filter((l) => l.remaining > 0n).sort(compareBurnOrder);
  for (const lot of sorted) left.set(lot.id, { ...lot });
  for (const draw of allocate(sorted, held, now).draws) {
    const lot = left.get(draw.lotId)!;
    lot.remaining -= draw.amount;
  }
  if (ratePerDay <= 0n) return { runsOutAt: null, consumedByHorizon: 0n, lostToExpiry: 0n };
  const rate = ratePerDay;
  const day = BigInt(DAY_MS);
  let consumed = 0n;
  let lost = 0n;
  let t = now;
  /** Adds the part of consuming `amount` over [from, to) that falls before the horizon. */
  const consume = (from: number, to: number, amount: Pico) => {
    if (to <= horizon) consumed += amount;
    else if (from < horizon) consumed += (rate * BigInt(horizon - from)) / day;
  };
  for (;;) {
    const pool = [...left.values()].filter((l) => l.remaining > 0n);
    for (const lot of pool) {
      if (lot.expiresAt !== null && lot.expiresAt <= t) { // ended before it was reached: its remainder is lost
        lost += lot.remaining;
        lot.remaining = 0n;
      }
    }
    const active = pool.filter((l) => l.remaining > 0n && isActive(l, t)).sort(compareBurnOrder);
    if (active.length === 0) return { runsOutAt: t, consumedByHorizon: consumed, lostToExpiry: lost };
    const current = active[0]!;
    // The next instant the set of spendable lots changes: a lot expires, or a pending lot becomes effective.
    let next: number | null = null;
    for (const lot of pool) {
      if (lot.remaining === 0n) continue;
      const at = lot.effectiveAt > t ? lot.effectiveAt : lot.expiresAt;
      if (at !== null && (next === null || at < next)) next = at;
    }
    const toEmptyExact = ceilDiv(current.remaining * day, rate);
    if (next === null && toEmptyExact > BigInt(now + FORECAST_HORIZON_MS - t)) {
      consume(t, Number.MAX_SAFE_INTEGER, current.remaining); // past any horizon: only the part before it counts
      return { runsOutAt: null, consumedByHorizon: consumed, lostToExpiry: lost };
    }
    // Capped just past the next event, so the Number stays exact; the comparison below decides the same either way.
    const toEmpty = next === null ? Number(toEmptyExact) : Number(toEmptyExact < BigInt(next - t) + 1n ? toEmptyExact : BigInt(next - t) + 1n);
    if (next === null || t + toEmpty <= next) {
      consume(t, t + toEmpty, current.remaining);
      current.remaining = 0n;
      t += toEmpty;
    } else {
      const used = (rate * BigInt(next - t)) / day;
      consume(t, next, used);
      current.remaining -= used;
      t = next;
    }
  }
}
