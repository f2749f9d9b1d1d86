// The forecast end to end, on both stores: a synthetic history with a known burn rate yields the expected run-out
// date (grant expiry considered) and budget projection, through both APIs; runs_out_soon reaches a webhook once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { formatCredits, parseCredits } from '../../src/domain/money/pico.js';
import { issueKey } from '../../src/services/api-keys.js';
import { insertUsages, PgStore } from '../../src/store/postgres/pg-store.js';
import type { UsageRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { waitFor } from '../support/billing-checks.js';
import { startHarness, type Harness } from '../support/harness.js';

const TOKEN = 'forecast-admin-token';
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12); // 2026-11-20T12:00Z

function spend(accountId: string, at: number, credits: string, i: number): UsageRecord {
  return {
    requestId: `req_hist_${i}_${accountId.slice(-6)}`, accountId, projectId: null, keyId: null, model: 'gpt-4o-mini',
    endpoint: 'chat.completions', inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0,
    cost: parseCredits(credits), uncollected: 0n, hold: parseCredits(credits), priceEffectiveFrom: null, cacheHit: false,
    status: 'ok', httpStatus: 200, stream: false, aborted: false, latencyMs: 1, createdAt: at,
  };
}

async function seed(store: Store, rows: UsageRecord[]): Promise<void> {
  if (store instanceof SqliteStore) await store.commitBatch({ holds: [], settlements: [], usages: rows });
  else if (store instanceof PgStore) await insertUsages(store.pool, rows);
  else throw new Error('unknown store');
}

/**
 * An account opened ten days before NOW that spent 2 credits on each of the six days before today and 1 credit
 * today by 01:00: 13 credits over the 6.5 days of the window so far = exactly 2 credits a day. It holds a promo grant
 * of 4 credits expiring a day after NOW (burnt first) and 10 purchased credits.
 */
async function history(h: Harness, clock: { t: number }) {
  clock.t = NOW - 10 * DAY;
  const acct = await h.account('0');
  await h.store.insertGrant({ accountId: acct.accountId, source: 'purchase', amount: parseCredits('10') }, clock.t);
  await h.store.insertGrant({ accountId: acct.accountId, source: 'promo', amount: parseCredits('4'), expiresAt: NOW + DAY }, clock.t);
  const rows = [0, 1, 2, 3, 4, 5].map((d) => spend(acct.accountId, Date.UTC(2026, 10, 14 + d, 9), '2', d));
  rows[0] = { ...rows[0]!, projectId: acct.projectId }; // the project's own share: 2 of the 13 credits
  rows.push(spend(acct.accountId, Date.UTC(2026, 10, 20, 1), '1', 6));
  await seed(h.store, rows);
  clock.t = NOW;
  await h.store.setBudget({ accountId: acct.accountId, scope: 'account', scopeId: acct.accountId, period: 'month', timeZone: 'UTC', limit: parseCredits('20'), thresholds: [100] }, NOW);
  const project = await h.store.setBudget({ accountId: acct.accountId, scope: 'project', scopeId: acct.projectId, period: 'month', timeZone: 'UTC', limit: parseCredits('5'), thresholds: [100] }, NOW);
  h.gateway.deps.wallet.invalidate();
  return { ...acct, projectBudgetId: project.id };
}

async function get(url: string, auth?: string) {
  const res = await request(url, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}

test('a synthetic history with a known burn rate yields the expected run-out date, through both APIs', async () => {
  const clock = { t: NOW };
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN }, now: () => clock.t });
  try {
    const acct = await history(h, clock);
    const { secret: admin } = await issueKey(h.store, { accountId: acct.accountId, admin: true }, NOW);
    const own = await get(`${h.baseURL}/tollgate/forecast`, admin);
    assert.equal(own.status, 200);
    // The project budget burns at its own rate: 2 credits over the 6.5 days of the window = ⌊4/13 credit⌋ a day; its
    // projection adds that × 10.5 days to the 2 credits it spent this month.
    const projectRate = (2_000_000_000_000n * 2n) / 13n;
    const projectBudget = own.json.budgets.find((b: any) => b.budget_id === acct.projectBudgetId);
    assert.deepEqual(projectBudget, {
      budget_id: acct.projectBudgetId, period_start: '2026-11-01T00:00:00.000Z', period_end: '2026-12-01T00:00:00.000Z',
      spent: '2', projected: formatCredits(2_000_000_000_000n + (projectRate * 21n) / 2n), limit: '5', projected_over: true,
    });
    assert.equal(projectBudget.projected, '5.230769230766');
    own.json.budgets = own.json.budgets.filter((b: any) => b !== projectBudget);
    // Day 0-1: 2 credits of the promo, its other 2 expire; then the 10 purchased credits last 5 days: NOW + 6 days.
    assert.deepEqual(own.json, {
      object: 'tollgate.forecast', account_id: acct.accountId, as_of: '2026-11-20T12:00:00.000Z', window_days: 7,
      burn_rate_per_day: '2', available: '14', runs_out_at: '2026-11-26T12:00:00.000Z', days_left: 6, lost_to_expiry: '2',
      budgets: [{
        budget_id: own.json.budgets[0].budget_id, period_start: '2026-11-01T00:00:00.000Z', period_end: '2026-12-01T00:00:00.000Z',
        // 13 spent + the 12 credits the account can still spend before it runs out (before the month ends).
        spent: '13', projected: '25', limit: '20', projected_over: true,
      }],
    });
    const operator = await get(`${h.gateway.url}/admin/v1/accounts/${acct.accountId}/forecast`, TOKEN);
    assert.equal(operator.status, 200);
    operator.json.budgets = operator.json.budgets.filter((b: any) => b.budget_id !== acct.projectBudgetId);
    assert.deepEqual(operator.json, own.json);

    // Another account's admin key gets its own forecast (no spend: never runs out), never this one's.
    const other = await h.account('3');
    const { secret: otherAdmin } = await issueKey(h.store, { accountId: other.accountId, admin: true }, NOW);
    const theirs = await get(`${h.baseURL}/tollgate/forecast`, otherAdmin);
    assert.equal(theirs.json.account_id, other.accountId);
    assert.equal(theirs.json.runs_out_at, null);
    assert.equal(theirs.json.burn_rate_per_day, '0');
    assert.equal((await get(`${h.baseURL}/tollgate/forecast`, acct.key)).status, 403);
    assert.equal((await get(`${h.baseURL}/tollgate/forecast`)).status, 401);
    assert.equal((await get(`${h.gateway.url}/admin/v1/accounts/${acct.accountId}/forecast`)).status, 401);
    assert.equal((await get(`${h.gateway.url}/admin/v1/accounts/${acct.accountId}/forecast`, admin)).status, 401);
    assert.equal((await get(`${h.gateway.url}/admin/v1/accounts/acct_nope/forecast`, TOKEN)).status, 404);
  } finally {
    await h.close();
  }
});

test('runs_out_soon is delivered once to a webhook when the run-out falls within the window', async () => {
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { received.push(body); res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const clock = { t: NOW };
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN }, now: () => clock.t });
  try {
    const acct = await history(h, clock);
    const create = (withinDays: number) => request(`${h.gateway.url}/admin/v1/accounts/${acct.accountId}/alert_rules`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'runs_out_soon', params: { within_days: withinDays }, channels: [{ type: 'webhook', url: hookUrl }] }),
    });
    // Six days left: a 5-day rule stays quiet, a 7-day rule fires.
    assert.equal((await create(5)).statusCode, 201);
    assert.equal((await create(7)).statusCode, 201);
    await waitFor('the runs_out_soon webhook', () => (received.length >= 1 ? true : undefined), 10_000);
    h.gateway.deps.alerts.schedule(acct.accountId);
    await new Promise((r) => setTimeout(r, 1_500));
    await h.gateway.deps.alerts.evaluator.evaluate(acct.accountId);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, 1);
    const event = JSON.parse(received[0]!) as { type: string; data: Record<string, unknown> };
    assert.equal(event.type, 'runs_out_soon');
    assert.deepEqual(event.data, {
      within_days: 7, runs_out_at: (NOW + 6 * DAY) / 1000, burn_rate_per_day: '2', available: '14', since: NOW / 1000,
    });
  } finally {
    await h.close();
    receiver.close();
  }
});
