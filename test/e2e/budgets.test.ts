// Budgets end to end: a hard limit holds under concurrency, a new period starts from zero, scopes apply only where set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { parseCredits } from '../../src/domain/money/pico.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hi there' }] });

async function chat(h: Harness, key: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const res = await request(`${h.baseURL}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: BODY,
  });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: { code: string; message: string } } };
}

test('a hard budget is never exceeded by 500 concurrent requests, and refusals name the budget', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('100');
    const limit = parseCredits('0.0002');
    const budget = await h.store.setBudget({
      accountId: acct.accountId, scope: 'project', scopeId: acct.projectId, period: 'month', timeZone: 'UTC', limit, thresholds: [50, 100],
    }, Date.now());
    const results = await Promise.all(Array.from({ length: 500 }, () => chat(h, acct.key)));
    const served = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    assert.equal(served + refused.length, 500);
    assert.ok(served > 0 && refused.length > 0, `served ${served}`);
    for (const r of refused) {
      assert.equal(r.body.error?.code, 'insufficient_quota');
      assert.match(r.body.error?.message ?? '', new RegExp(`budget ${budget.id} is reached`));
    }
    await h.gateway.deps.wallet.flush();
    const [status] = await h.store.budgetStatus(acct.accountId, Date.now());
    assert.ok(status && status.spent <= limit, `spent ${status?.spent} over ${limit}`);
    const usage = await h.store.listUsage({ accountId: acct.accountId });
    const charged = usage.reduce((sum, u) => sum + u.cost, 0n);
    assert.equal(charged, status!.spent, 'budget spend equals the charges');
    // The balance itself was far from exhausted: the budget alone stopped spending.
    assert.ok((await h.balance(acct.accountId)).available > parseCredits('99'));
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('spend from the old month never leaks into the new one (injected clock)', async () => {
  let now = Date.parse('2026-11-30T23:50:00Z');
  const h = await startHarness({ now: () => now });
  try {
    const acct = await h.account('10');
    await h.store.setBudget({
      accountId: acct.accountId, scope: 'account', scopeId: acct.accountId, period: 'month', timeZone: 'UTC',
      limit: parseCredits('0.00005'), thresholds: [100],
    }, now);
    let served = 0;
    for (let i = 0; i < 20; i++) if ((await chat(h, acct.key)).status === 200) served++;
    assert.ok(served > 0 && served < 20, `served ${served} in November`);
    assert.equal((await chat(h, acct.key)).status, 429);

    now = Date.parse('2026-12-01T00:00:01Z');
    assert.equal((await chat(h, acct.key)).status, 200, 'the new month starts from zero');
    await h.gateway.deps.wallet.flush();
    const [december] = await h.store.budgetStatus(acct.accountId, now);
    assert.equal(december?.periodKey, '2026-12');
    const usage = await h.store.listUsage({ accountId: acct.accountId });
    const last = usage.filter((u) => u.status === 'ok').sort((a, b) => a.createdAt - b.createdAt).at(-1)!;
    assert.equal(december?.spent, last.cost, 'December holds only December spend');
  } finally {
    await h.close();
  }
});

test('a key budget applies to that key only, and a budget change takes effect on the next request', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const other = await h.account('10');
    await h.store.setBudget({
      accountId: acct.accountId, scope: 'key', scopeId: acct.keyId, period: 'day', timeZone: 'UTC', limit: 0n, thresholds: [],
    }, Date.now());
    assert.equal((await chat(h, acct.key)).status, 429);
    assert.equal((await chat(h, other.key)).status, 200);
    await h.store.setBudget({
      accountId: acct.accountId, scope: 'key', scopeId: acct.keyId, period: 'day', timeZone: 'UTC', limit: parseCredits('1'), thresholds: [],
    }, Date.now());
    assert.equal((await chat(h, acct.key)).status, 200);
  } finally {
    await h.close();
  }
});
