import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRule, MissingFactError } from './evaluate-rule.js';
import { DAY_MS } from './grant-expiring.js';
import type { AccountFacts, DaySpend } from './facts.js';
import type { AlertDefinition, AlertRule, RuleState } from './rule.js';

const C = 1_000_000_000_000n; // one credit in pico
const rule = (def: AlertDefinition, id = 'alert_1'): AlertRule =>
  ({ ...def, id, accountId: 'acct_1', channels: [], enabled: true }) as AlertRule;

test('low_balance fires once per episode and re-arms only after the balance went back above the threshold', () => {
  const r = rule({ kind: 'low_balance', params: { threshold: 5n * C, rearmAt: null } });
  let state: RuleState = {};
  const at = (available: bigint, now: number) => {
    const out = evaluateRule(r, state, { balance: { available } }, now);
    state = out.state;
    return out.firings.map((f) => f.dedupeKey);
  };
  assert.deepEqual(at(6n * C, 1000), []);
  assert.deepEqual(at(4n * C, 2000), ['low_balance:alert_1:2000']);
  // Still low later: the same episode, the same key (the store deduplicates it).
  assert.deepEqual(at(1n * C, 3000), ['low_balance:alert_1:2000']);
  assert.deepEqual(at(5n * C, 4000), [], 'exactly at the threshold is not below it');
  assert.deepEqual(state, {});
  assert.deepEqual(at(5n * C - 1n, 5000), ['low_balance:alert_1:5000'], 'a new crossing is a new episode');
});

test('low_balance with a re-arm level stays in its episode until the balance reaches that level', () => {
  const r = rule({ kind: 'low_balance', params: { threshold: 5n * C, rearmAt: 8n * C } });
  let out = evaluateRule(r, {}, { balance: { available: 4n * C } }, 10);
  assert.equal(out.firings[0]?.dedupeKey, 'low_balance:alert_1:10');
  out = evaluateRule(r, out.state, { balance: { available: 7n * C } }, 20);
  assert.deepEqual(out, { firings: [], state: { lowSince: 10 } });
  out = evaluateRule(r, out.state, { balance: { available: 4n * C } }, 30);
  assert.equal(out.firings[0]?.dedupeKey, 'low_balance:alert_1:10', 'no re-arm in between: same episode');
  out = evaluateRule(r, out.state, { balance: { available: 8n * C } }, 40);
  out = evaluateRule(r, out.state, { balance: { available: 4n * C } }, 50);
  assert.equal(out.firings[0]?.dedupeKey, 'low_balance:alert_1:50');
  assert.deepEqual(out.firings[0]?.data, { kind: 'low_balance', threshold: 5n * C, available: 4n * C, since: 50 });
});

test('budget_threshold fires per percent reached, exactly at the boundary, and re-arms with a new period', () => {
  const r = rule({ kind: 'budget_threshold', params: { budgetId: 'bud_1', percents: [80, 50, 100] } });
  const keys = (spent: bigint, periodStart = '2026-11', budgetId = 'bud_1') =>
    evaluateRule(r, {}, { budgets: [{ budgetId, periodStart, limit: 100n * C, spent }] }, 0).firings.map((f) => f.dedupeKey);
  assert.deepEqual(keys(50n * C - 1n), []);
  assert.deepEqual(keys(50n * C), ['budget:bud_1:2026-11:50']);
  assert.deepEqual(keys(85n * C), ['budget:bud_1:2026-11:50', 'budget:bud_1:2026-11:80']);
  assert.deepEqual(keys(100n * C), ['budget:bud_1:2026-11:50', 'budget:bud_1:2026-11:80', 'budget:bud_1:2026-11:100']);
  assert.deepEqual(keys(10n * C, '2026-12'), []);
  assert.deepEqual(keys(60n * C, '2026-12'), ['budget:bud_1:2026-12:50']);
  assert.deepEqual(keys(99n * C, '2026-11', 'bud_other'), [], 'another budget is not watched');
});

test('budget_threshold without percents follows the budget thresholds, and skips a zero limit', () => {
  const r = rule({ kind: 'budget_threshold', params: { budgetId: null, percents: null } });
  const facts: AccountFacts = {
    budgets: [
      { budgetId: 'a', periodStart: '2026-11-25', limit: 10n, spent: 9n, thresholds: [25.5, 90] },
      { budgetId: 'b', periodStart: '2026-11', limit: 0n, spent: 5n },
      { budgetId: 'c', periodStart: '2026-11', limit: 4n, spent: 2n },
    ],
  };
  assert.deepEqual(evaluateRule(r, {}, facts, 0).firings.map((f) => f.dedupeKey), [
    'budget:a:2026-11-25:25.5', 'budget:a:2026-11-25:90', 'budget:c:2026-11:50',
  ]);
});

test('grant_expiring fires for grants with credit left that expire inside the window', () => {
  const now = 1_000 * DAY_MS;
  const r = rule({ kind: 'grant_expiring', params: { withinDays: 7 } });
  const facts: AccountFacts = {
    grants: [
      { id: 'g_soon', remaining: 3n * C, expiresAt: now + 7 * DAY_MS },
      { id: 'g_later', remaining: 3n * C, expiresAt: now + 7 * DAY_MS + 1 },
      { id: 'g_empty', remaining: 0n, expiresAt: now + DAY_MS },
      { id: 'g_never', remaining: 3n * C, expiresAt: null },
      { id: 'g_past', remaining: 3n * C, expiresAt: now },
      { id: 'g_void', remaining: 3n * C, expiresAt: now + DAY_MS, voidedAt: now - 1 },
    ],
  };
  const firings = evaluateRule(r, {}, facts, now).firings;
  assert.deepEqual(firings.map((f) => f.dedupeKey), ['grant_expiring:g_soon:7d']);
  assert.deepEqual(firings[0]?.data, { kind: 'grant_expiring', grantId: 'g_soon', remaining: 3n * C, expiresAt: now + 7 * DAY_MS, withinDays: 7 });
});

test('spend_spike compares today with factor × the trailing 7-day average, exactly, above a minimum', () => {
  const r = rule({ kind: 'spend_spike', params: { factorMilli: 2500n, minAmount: 1n * C } });
  const history = (today: bigint, trailing: bigint[]): DaySpend[] => [
    ...trailing.map((spent, i) => ({ day: `2026-11-${String(18 + i).padStart(2, '0')}`, spent })),
    { day: '2026-11-25', spent: today },
  ];
  const week = [7n, 7n, 7n, 7n, 7n, 7n, 7n].map((x) => x * C); // average 7 credits; 2.5× is 17.5
  const keys = (days: DaySpend[]) => evaluateRule(r, {}, { dailySpend: days }, 0).firings.map((f) => f.dedupeKey);
  assert.deepEqual(keys(history(17_500_000_000_000n - 1n, week)), []);
  assert.deepEqual(keys(history(17_500_000_000_000n, week)), ['spend_spike:alert_1:2026-11-25']);
  // An eighth, older day is not part of the trailing window.
  assert.deepEqual(keys([{ day: '2026-11-17', spent: 1000n * C }, ...history(17_500_000_000_000n, week)]), ['spend_spike:alert_1:2026-11-25']);
  // Short history counts missing days as zero; the minimum amount still applies.
  assert.deepEqual(keys(history(C - 1n, [])), []);
  assert.deepEqual(keys(history(C, [])), ['spend_spike:alert_1:2026-11-25']);
  assert.deepEqual(keys([]), []);
});

test('a rule whose fact is missing is an error, not a silent pass', () => {
  const r = rule({ kind: 'grant_expiring', params: { withinDays: 1 } });
  assert.throws(() => evaluateRule(r, {}, { balance: { available: 0n } }, 0), MissingFactError);
});
