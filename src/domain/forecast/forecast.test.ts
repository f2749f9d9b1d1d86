import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lot } from '../ledger/lots.js';
import { PICO_PER_CREDIT } from '../money/pico.js';
import { burnRatePerDay, DAY_MS, windowStart } from './burn-rate.js';
import { forecast } from './forecast.js';
import { periodEnd } from './period-end.js';
import { simulateBurn } from './run-out.js';

const C = PICO_PER_CREDIT;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0); // 2026-11-20T12:00Z
const lot = (id: string, remaining: bigint, over: Partial<Lot> = {}): Lot => ({
  id, remaining, priority: 50, effectiveAt: 0, expiresAt: null, createdAt: 0, ...over,
});

/** Daily spend history -> the window fact the service would build (spend from the window start on). */
function history(perDay: bigint, days: number, now: number, createdAt = 0) {
  const start = Math.max(windowStart(now), createdAt);
  const elapsed = now - start;
  return { start, spent: (perDay * BigInt(elapsed)) / BigInt(DAY_MS), days };
}

test('a synthetic history of 2 credits a day over the full window yields a rate of exactly 2 credits a day', () => {
  const w = history(2n * C, 7, NOW);
  assert.equal(w.start, Date.UTC(2026, 10, 14));
  assert.equal(burnRatePerDay(w, NOW), 2n * C);
});

test('a known burn rate yields the expected run-out date (10 credits at 2 a day: five days)', () => {
  const f = forecast({ now: NOW, window: history(2n * C, 7, NOW), lots: [lot('g', 10n * C)], held: 0n, available: 10n * C, budgets: [] });
  assert.equal(f.burnRatePerDay, 2n * C);
  assert.equal(f.runsOutAt, NOW + 5 * DAY_MS);
  assert.equal(new Date(f.runsOutAt!).toISOString(), '2026-11-25T12:00:00.000Z');
  assert.equal(f.daysLeft, 5);
});

test('credit that expires before it is reached is lost, and the run-out comes sooner', () => {
  // Burn order: 'first' (priority 10) before 'second' (50), although 'second' expires sooner.
  const lots = [lot('first', 4n * C, { priority: 10 }), lot('second', 6n * C, { expiresAt: NOW + 3 * DAY_MS })];
  const sim = simulateBurn(lots, 0n, 2n * C, NOW);
  // Day 0-2: 'first' (4 credits). Day 2-3: 2 credits of 'second'. At day 3 'second' expires with 4 left.
  assert.equal(sim.runsOutAt, NOW + 3 * DAY_MS);
  assert.equal(sim.lostToExpiry, 4n * C);
});

test('a grant that expires while it is being spent stops counting at its expiry', () => {
  const lots = [lot('soon', 10n * C, { expiresAt: NOW + DAY_MS }), lot('later', 3n * C)];
  const sim = simulateBurn(lots, 0n, 2n * C, NOW);
  // 2 spent from 'soon', 8 lost at its expiry, then 'later' lasts 1.5 days.
  assert.equal(sim.lostToExpiry, 8n * C);
  assert.equal(sim.runsOutAt, NOW + DAY_MS + 1.5 * DAY_MS);
});

test('open holds are taken first, as if captured now', () => {
  const sim = simulateBurn([lot('g', 10n * C)], 4n * C, 2n * C, NOW);
  assert.equal(sim.runsOutAt, NOW + 3 * DAY_MS);
});

test('a pending grant joins when it becomes effective; a gap before it is a run-out', () => {
  const gapless = simulateBurn([lot('a', 2n * C), lot('b', 2n * C, { effectiveAt: NOW + DAY_MS })], 0n, 2n * C, NOW);
  assert.equal(gapless.runsOutAt, NOW + 2 * DAY_MS);
  const gap = simulateBurn([lot('a', 2n * C), lot('b', 2n * C, { effectiveAt: NOW + 3 * DAY_MS })], 0n, 2n * C, NOW);
  assert.equal(gap.runsOutAt, NOW + DAY_MS);
});

test('no spend: no run-out date; no credit: runs out now', () => {
  assert.equal(simulateBurn([lot('g', C)], 0n, 0n, NOW).runsOutAt, null);
  assert.equal(simulateBurn([], 0n, C, NOW).runsOutAt, NOW);
  const f = forecast({ now: NOW, window: { start: windowStart(NOW), spent: 0n }, lots: [lot('g', C)], held: 0n, available: C, budgets: [] });
  assert.equal(f.runsOutAt, null);
  assert.equal(f.daysLeft, null);
});

test('a run-out beyond the forecast horizon (a huge balance at a tiny rate) is none, not an overflow', () => {
  const f = forecast({ now: NOW, window: { start: windowStart(NOW), spent: 7n }, lots: [lot('g', 9_000_000n * C)], held: 0n, available: 9_000_000n * C,
    budgets: [{ budgetId: 'b', periodStart: Date.UTC(2026, 10, 1), periodEnd: Date.UTC(2026, 11, 1), spent: 0n, limit: C, windowSpent: null }] });
  assert.equal(f.runsOutAt, null);
  assert.equal(f.daysLeft, null);
  // 7 pico over 6.5 days = 1 pico a day; 10.5 days left: 10 pico more.
  assert.equal(f.budgets[0]!.projected, 10n);
  assert.equal(simulateBurn([lot('g', 99n * C)], 0n, C, NOW).runsOutAt, NOW + 99 * DAY_MS, 'within the horizon: a date');
});

test('run-out times round up to the whole ms at which the last pico is spent (exact integers)', () => {
  // 1 pico per day: 1 pico lasts a whole day; 3 pico at 2/day last 1.5 days.
  assert.equal(simulateBurn([lot('g', 1n)], 0n, 1n, NOW).runsOutAt, NOW + DAY_MS);
  assert.equal(simulateBurn([lot('g', 3n)], 0n, 2n, NOW).runsOutAt, NOW + 1.5 * DAY_MS);
  assert.equal(simulateBurn([lot('g', 1n)], 0n, 3n, NOW).runsOutAt, NOW + Math.ceil(DAY_MS / 3));
});

test('less than the full window of history: the rate is over the time since the account began (at least a day)', () => {
  const created = NOW - 2 * DAY_MS;
  assert.equal(burnRatePerDay({ start: created, spent: 6n * C }, NOW), 3n * C);
  // An account an hour old that spent 1 credit: counted over one day, not extrapolated to 24 credits a day.
  assert.equal(burnRatePerDay({ start: NOW - 3_600_000, spent: C }, NOW), C);
});

test('projected period spend: spent + rate × time left, over or under the limit, capped by the credit', () => {
  const monthEnd = periodEnd('month', 'UTC', NOW);
  assert.equal(monthEnd, Date.UTC(2026, 11, 1));
  const budgets = [
    { budgetId: 'b_over', periodStart: Date.UTC(2026, 10, 1), periodEnd: monthEnd, spent: 30n * C, limit: 50n * C, windowSpent: null },
    { budgetId: 'b_under', periodStart: Date.UTC(2026, 10, 1), periodEnd: monthEnd, spent: 30n * C, limit: 100n * C, windowSpent: null },
  ];
  // 10.5 days left at 2 credits a day = 21 credits.
  const rich = forecast({ now: NOW, window: history(2n * C, 7, NOW), lots: [lot('g', 1000n * C)], held: 0n, available: 1000n * C, budgets });
  assert.equal(rich.budgets[0]!.projected, 51n * C);
  assert.equal(rich.budgets[0]!.projectedOver, true);
  assert.equal(rich.budgets[1]!.projectedOver, false);
  // With only 5 credits left the account cannot spend 21 more: projected = 30 + 5.
  const poor = forecast({ now: NOW, window: history(2n * C, 7, NOW), lots: [lot('g', 5n * C)], held: 0n, available: 5n * C, budgets });
  assert.equal(poor.budgets[0]!.projected, 35n * C);
  assert.equal(poor.budgets[0]!.projectedOver, false);
});

test('a project or key budget projects at its own burn rate, still capped by the account credit', () => {
  const monthEnd = periodEnd('month', 'UTC', NOW);
  const window = history(2n * C, 7, NOW); // the account: 2 credits a day, 13 in the window so far
  // The project spent 3.25 of those 13 credits: half a credit a day; 10.5 days left = 5.25 more.
  const project = { budgetId: 'b_proj', periodStart: Date.UTC(2026, 10, 1), periodEnd: monthEnd, spent: 4n * C, limit: 9n * C, windowSpent: 3_250_000_000_000n };
  const rich = forecast({ now: NOW, window, lots: [lot('g', 1000n * C)], held: 0n, available: 1000n * C, budgets: [project] });
  assert.equal(rich.budgets[0]!.projected, 9_250_000_000_000n);
  assert.equal(rich.budgets[0]!.projectedOver, true);
  // The account can only pay for 3 more credits: the project cannot spend more than that either.
  const poor = forecast({ now: NOW, window, lots: [lot('g', 3n * C)], held: 0n, available: 3n * C, budgets: [project] });
  assert.equal(poor.budgets[0]!.projected, 7n * C);
});

test('period ends in the budget time zone, across DST', () => {
  assert.equal(periodEnd('day', 'Europe/Berlin', Date.UTC(2026, 9, 25, 12)), Date.UTC(2026, 9, 25, 23)); // 25-hour day
  assert.equal(periodEnd('week', 'UTC', NOW), Date.UTC(2026, 10, 23));
  assert.equal(periodEnd('month', 'Europe/Berlin', Date.UTC(2026, 1, 10)), Date.UTC(2026, 1, 28, 23));
});
