// The operator's admin API: token checks, accounts, credits, keys, budgets, usage, metrics, end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startHarness, type Harness } from '../support/harness.js';
import { assertLedgerBalances } from '../support/ledger-check.js';

const TOKEN = 'admin-secret-token';

async function call(h: Harness, method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await request(`${h.gateway.url}${path}`, {
    method: method as 'GET', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : text, headers: res.headers };
}

test('the admin API refuses without the token, and does not exist without TOLLGATE_ADMIN_TOKEN', async () => {
  const off = await startHarness();
  const on = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    assert.equal((await call(off, 'GET', '/admin/v1/accounts')).status, 404);
    const missing = await call(on, 'GET', '/admin/v1/accounts', undefined, null);
    assert.equal(missing.status, 401);
    assert.equal((missing.json as any).error.type, 'invalid_request_error');
    assert.equal((await call(on, 'GET', '/admin/v1/accounts', undefined, 'wrong')).status, 401);
    assert.equal((await call(on, 'GET', '/admin/v1/accounts')).status, 200);
    assert.equal((await call(on, 'PATCH', '/admin/v1/accounts')).status, 405);
  } finally {
    await off.close();
    await on.close();
  }
});

test('an operator opens an account, grants credits, issues a key that works, sets a budget, revokes the key', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN, TOLLGATE_SIGNUP_CREDITS: '5' } });
  try {
    const created = await call(h, 'POST', '/admin/v1/accounts', { name: 'Acme', tier: 'tier-1' });
    assert.equal(created.status, 201);
    const accountId = (created.json as any).id as string;
    assert.equal((created.json as any).signup_grant.amount, '5');

    const grant = await call(h, 'POST', `/admin/v1/accounts/${accountId}/grants`, { amount: '20.5', source: 'purchase', idempotency_key: 'order-1' });
    assert.equal(grant.status, 201);
    const again = await call(h, 'POST', `/admin/v1/accounts/${accountId}/grants`, { amount: '20.5', source: 'purchase', idempotency_key: 'order-1' });
    assert.equal(again.status, 200);
    assert.equal((again.json as any).created, false);
    assert.equal((await call(h, 'POST', `/admin/v1/accounts/${accountId}/grants`, { amount: 20.5 })).status, 400, 'numbers are refused for money');
    assert.equal((await call(h, 'POST', `/admin/v1/accounts/${accountId}/grants`, { amount: '-1' })).status, 400);

    const balance = await call(h, 'GET', `/admin/v1/accounts/${accountId}/balance`);
    assert.equal((balance.json as any).available, '25.5');

    const key = await call(h, 'POST', `/admin/v1/accounts/${accountId}/keys`, { name: 'ci' });
    assert.equal(key.status, 201);
    const secret = (key.json as any).key as string;
    assert.match(secret, /^tg-/);
    const client = h.client(secret);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

    const budget = await call(h, 'PUT', `/admin/v1/accounts/${accountId}/budgets`, { limit: '3', period: 'week', timezone: 'Europe/Berlin' });
    assert.equal(budget.status, 200);
    assert.equal((budget.json as any).limit, '3');
    const budgets = await call(h, 'GET', `/admin/v1/accounts/${accountId}/budgets`);
    assert.equal((budgets.json as any).data.length, 1);
    assert.notEqual((budgets.json as any).data[0].spent, '0', 'a budget set mid-period counts the spend so far');
    assert.equal((await call(h, 'PUT', `/admin/v1/accounts/${accountId}/budgets`, { limit: '3', timezone: 'Mars/Base' })).status, 400);

    const usage = await call(h, 'GET', `/admin/v1/accounts/${accountId}/usage`);
    assert.equal((usage.json as any).data.length, 1);
    assert.equal((usage.json as any).data[0].status, 'ok');

    assert.equal((await call(h, 'DELETE', `/admin/v1/keys/${(key.json as any).id}`)).status, 200);
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      (err: any) => err.status === 401,
    );
    assert.equal((await call(h, 'GET', '/admin/v1/accounts/acct_nope/balance')).status, 404);
    const metrics = await call(h, 'GET', '/admin/v1/metrics');
    assert.match(String(metrics.json), /tollgate_requests_total \d+/);
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});
