import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAlertEvent } from './alert-event.js';
import { evaluateRule, MissingFactError } from './evaluate-rule.js';
import { DAY_MS } from './grant-expiring.js';
import type { RunOutFact } from './facts.js';
import { definitionToWire, parseDefinition, AlertRuleError } from './rule-wire.js';
import type { AlertRule, RuleState } from './rule.js';

const C = 1_000_000_000_000n;
const r: AlertRule = { kind: 'runs_out_soon', params: { withinDays: 7 }, id: 'alert_r', accountId: 'acct_1', channels: [], enabled: true };
const fact = (runsOutAt: number | null): RunOutFact => ({ runsOutAt, burnRatePerDay: 2n * C, available: 10n * C });

test('runs_out_soon fires once per episode while the run-out is within the window, and re-arms when it is not', () => {
  let state: RuleState = {};
  const at = (runsOutAt: number | null, now: number) => {
    const out = evaluateRule(r, state, { runOut: fact(runsOutAt) }, now);
    state = out.state;
    return out.firings.map((f) => f.dedupeKey);
  };
  const now = 1_000_000;
  assert.deepEqual(at(now + 8 * DAY_MS, now), [], 'eight days away is outside a 7-day window');
  assert.deepEqual(at(null, now), [], 'no spend: no run-out');
  assert.deepEqual(at(now + 7 * DAY_MS, now), [`runs_out_soon:alert_r:${now}`], 'exactly seven days is within it');
  assert.deepEqual(at(now + 1000 + 3 * DAY_MS, now + 1000), [`runs_out_soon:alert_r:${now}`], 'the same episode, the same key');
  assert.deepEqual(at(now + 2000 + 30 * DAY_MS, now + 2000), [], 'credit bought: the episode ends');
  assert.deepEqual(state, {});
  assert.deepEqual(at(now + 3000 + DAY_MS, now + 3000), [`runs_out_soon:alert_r:${now + 3000}`], 'a new episode, a new key');
});

test('runs_out_soon needs the runOut fact; its event and wire form are exact', () => {
  assert.throws(() => evaluateRule(r, {}, {}, 0), MissingFactError);
  const [firing] = evaluateRule(r, {}, { runOut: fact(Date.UTC(2026, 10, 25, 12)) }, Date.UTC(2026, 10, 20, 12)).firings;
  const event = buildAlertEvent(firing!);
  assert.equal(event.type, 'runs_out_soon');
  assert.deepEqual(event.data, {
    within_days: 7, runs_out_at: Date.UTC(2026, 10, 25, 12) / 1000, burn_rate_per_day: '2', available: '10', since: Date.UTC(2026, 10, 20, 12) / 1000,
  });
  assert.match(event.summary, /At 2 credits a day, the 10 credits available run out at 2026-11-25T12:00:00.000Z, within 7 days\./);
  assert.deepEqual(parseDefinition('runs_out_soon', { within_days: 7 }), { kind: 'runs_out_soon', params: { withinDays: 7 } });
  assert.deepEqual(definitionToWire({ kind: 'runs_out_soon', params: { withinDays: 3 } }), { kind: 'runs_out_soon', params: { within_days: 3 } });
  for (const bad of [{}, { within_days: 0 }, { within_days: 1.5 }, { within_days: 7, extra: 1 }]) {
    assert.throws(() => parseDefinition('runs_out_soon', bad), AlertRuleError);
  }
});
