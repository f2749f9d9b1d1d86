// The dashboard's JSON API end to end: sessions and cookie flags, CSRF, roles, per-route account isolation,
// sign-in throttling, open sign-up with its grant, the playground through the metered path, operator refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startHarness } from '../support/harness.js';
import { DashboardClient, signedIn } from '../support/dashboard-client.js';
import { ensureWebBuilt } from '../support/web-build.js';
import { redemptionStoreFor } from '../../src/services/redemption/gateway-redemption.js';
import { generateBatch } from '../../src/services/redemption/redemption-service.js';

async function oneCode(h: { store: Parameters<typeof redemptionStoreFor>[0] }, amount: bigint): Promise<string> {
  const made = await generateBatch(redemptionStoreFor(h.store), { amount, count: 1, expiresAt: null, perAccountLimit: null, grantExpiresDays: null, note: null }, Date.now());
  return made.codes[0]!.code;
}

const TOKEN = 'admin-secret-token';

test('sign-in sets a hashed, HttpOnly SameSite cookie; a wrong password or no session is refused', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const c = await signedIn(h, a.accountId, 'Owner@Example.com', 'owner');
    const again = new DashboardClient(h.gateway.url);
    const res = await again.signIn('owner@example.com');
    assert.equal(res.status, 200);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^tg_session=[A-Za-z0-9_-]{40,};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/dashboard/);
    assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag');
    const overHttps = await request(`${h.gateway.url}/dashboard/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'correct horse battery' }),
    });
    await overHttps.body.text();
    assert.match(String(overHttps.headers['set-cookie']), /; Secure/);
    assert.equal(res.json.role, 'owner');
    assert.equal(res.json.account_id, a.accountId);
    assert.equal((await c.call('GET', '/dashboard/api/me')).status, 200);
    assert.equal((await new DashboardClient(h.gateway.url).signIn('owner@example.com', 'wrong password!')).status, 401);
    assert.equal((await new DashboardClient(h.gateway.url).signIn('nobody@example.com')).status, 401);
    assert.equal((await new DashboardClient(h.gateway.url).call('GET', '/dashboard/api/balance')).status, 401);
    // The session id is stored only as its hash.
    const raw = c.cookie.split('=')[1]!;
    const rows = h.storeKind === 'sqlite'
      ? (h.store as any).db.prepare('SELECT id_hash FROM dashboard_sessions').all()
      : (await (h.store as any).pool.query('SELECT id_hash FROM dashboard_sessions')).rows;
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r: { id_hash: string }) => r.id_hash !== raw && /^[0-9a-f]{64}$/.test(r.id_hash)));
    // Sign-out ends the session.
    assert.equal((await c.call('DELETE', '/dashboard/api/session')).status, 200);
    assert.equal((await c.call('GET', '/dashboard/api/me')).status, 401);
  } finally {
    await h.close();
  }
});

test('sign-in attempts are throttled per email (and a success is not possible while throttled)', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('1');
    await signedIn(h, a.accountId, 'victim@example.com', 'owner');
    for (let i = 0; i < 5; i++) assert.equal((await new DashboardClient(h.gateway.url).signIn('victim@example.com', `guess-${i}-xxxx`)).status, 401);
    const blocked = await new DashboardClient(h.gateway.url).signIn('victim@example.com');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // Per IP: 20 failures over many emails block this client for every email.
    for (let i = 0; i < 15; i++) await new DashboardClient(h.gateway.url).signIn(`other${i}@example.com`, 'nope-nope-nope');
    assert.equal((await new DashboardClient(h.gateway.url).signIn('fresh@example.com', 'whatever-123')).status, 429);
  } finally {
    await h.close();
  }
});

test('state-changing calls need the CSRF header; readers cannot write; members cannot manage budgets', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const owner = await signedIn(h, a.accountId, 'owner@a.test', 'owner');
    const member = await signedIn(h, a.accountId, 'member@a.test', 'member');
    const reader = await signedIn(h, a.accountId, 'reader@a.test', 'reader');
    assert.equal((await owner.call('POST', '/dashboard/api/keys', { name: 'x' }, { csrf: false })).status, 403);
    assert.equal((await reader.call('GET', '/dashboard/api/balance')).status, 200);
    assert.equal((await reader.call('POST', '/dashboard/api/keys', { name: 'x' })).status, 403);
    assert.equal((await reader.call('DELETE', `/dashboard/api/keys/${a.keyId}`)).status, 403);
    assert.equal((await reader.call('PUT', '/dashboard/api/budgets', { limit: '5' })).status, 403);
    assert.equal((await reader.call('POST', '/dashboard/api/playground/chat', { model: 'gpt-4o-mini', messages: [] })).status, 403);
    // Redeeming a code is for members and owners: a reader is refused and the code stays unused.
    const code = await oneCode(h, 2_000_000_000_000n);
    const refused = await reader.call('POST', '/dashboard/api/redeem', { code });
    assert.equal(refused.status, 403);
    assert.equal((await h.balance(a.accountId)).available, 10_000_000_000_000n, 'a refused reader added nothing');
    assert.equal((await reader.call('GET', '/dashboard/api/receipts')).json.data.length, 0);
    assert.equal((await owner.call('POST', '/dashboard/api/redeem', { code }, { csrf: false })).status, 403, 'redeem needs the CSRF token');
    const redeemed = await member.call('POST', '/dashboard/api/redeem', { code });
    assert.equal(redeemed.status, 201);
    assert.equal(redeemed.json.available, '12');
    assert.equal((await reader.call('GET', '/dashboard/api/receipts')).json.data[0].kind, 'redemption', 'a reader reads receipts');
    assert.equal((await reader.call('GET', '/dashboard/api/forecast')).status, 200, 'a reader reads the forecast');
    assert.equal((await member.call('PUT', '/dashboard/api/budgets', { limit: '5' })).status, 403);
    assert.equal((await member.call('GET', '/dashboard/api/members')).status, 403);
    const made = await member.call('POST', '/dashboard/api/keys', { name: 'made by member' });
    assert.equal(made.status, 201);
    assert.match(made.json.key, /^tg-/);
    assert.equal((await h.client(made.json.key).models.list()).data.length > 0, true);
    assert.equal((await member.call('DELETE', `/dashboard/api/keys/${made.json.id}`)).status, 200);
    await assert.rejects(h.client(made.json.key).models.list(), /401/);
    const budget = await owner.call('PUT', '/dashboard/api/budgets', { limit: '5', period: 'month' });
    assert.equal(budget.status, 200);
    assert.equal(budget.json.limit, '5');
    assert.equal((await owner.call('GET', '/dashboard/api/members')).json.data.length, 3);
  } finally {
    await h.close();
  }
});

test("a member of one account can neither read nor change another account's anything (every route)", async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await h.account('10');
    const b = await h.account('20');
    const ownerA = await signedIn(h, a.accountId, 'owner@a.test', 'owner');
    const ownerB = await signedIn(h, b.accountId, 'owner@b.test', 'owner');
    await h.client(b.key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'b only' }] });
    const budgetB = await ownerB.call('PUT', '/dashboard/api/budgets', { limit: '7' });
    const codeB = await oneCode(h, 3_000_000_000_000n);
    assert.equal((await ownerB.call('POST', '/dashboard/api/redeem', { code: codeB })).status, 201);
    // B's used code is, to A, just an invalid code: nothing about it leaks and A gets nothing.
    const stolen = await ownerA.call('POST', '/dashboard/api/redeem', { code: codeB });
    assert.deepEqual([stolen.status, stolen.json.error.code], [400, 'invalid_code']);
    const projectB = b.projectId;
    // Writes naming B's ids: all 404, and nothing of B changed.
    assert.equal((await ownerA.call('DELETE', `/dashboard/api/keys/${b.keyId}`)).status, 404);
    assert.equal((await ownerA.call('DELETE', `/dashboard/api/budgets/${budgetB.json.id}`)).status, 404);
    assert.equal((await ownerA.call('PUT', '/dashboard/api/budgets', { scope: 'project', scope_id: projectB, limit: '1' })).status, 404);
    assert.equal((await ownerA.call('POST', '/dashboard/api/keys', { project_id: projectB })).status, 404);
    assert.equal((await h.client(b.key).models.list()).data.length > 0, true, "B's key still works");
    assert.equal((await ownerB.call('GET', '/dashboard/api/budgets')).json.data[0].limit, '7');
    assert.equal((await ownerB.call('GET', '/dashboard/api/receipts')).json.data.length, 1, "B's own receipt");
    // Reads: A sees only A's data on every read route.
    const reads: Record<string, (json: any) => void> = {
      '/dashboard/api/me': (j) => assert.equal(j.account_id, a.accountId),
      '/dashboard/api/balance': (j) => { assert.equal(j.account_id, a.accountId); assert.equal(j.available, '10'); },
      '/dashboard/api/projects': (j) => assert.deepEqual(j.data.map((p: any) => p.id), [a.projectId]),
      '/dashboard/api/keys': (j) => assert.ok(j.data.every((k: any) => k.account_id === a.accountId) && !j.data.some((k: any) => k.id === b.keyId)),
      '/dashboard/api/budgets': (j) => assert.equal(j.data.length, 0),
      '/dashboard/api/usage?group_by=key': (j) => { assert.equal(j.totals.requests, 0); assert.equal(j.series.length, 0); },
      '/dashboard/api/alerts': (j) => assert.deepEqual([j.rules.length, j.deliveries.length], [0, 0]),
      '/dashboard/api/members': (j) => assert.deepEqual(j.data.map((m: any) => m.email), ['owner@a.test']),
      '/dashboard/api/forecast': (j) => { assert.equal(j.account_id, a.accountId); assert.equal(j.available, '10'); assert.equal(j.burn_rate_per_day, '0'); },
      '/dashboard/api/receipts': (j) => assert.deepEqual(j.data, [], "none of B's receipts"),
    };
    for (const [path, check] of Object.entries(reads)) {
      const res = await ownerA.call('GET', path);
      assert.equal(res.status, 200, path);
      check(res.json);
    }
    // A's session is no admin token: the operator API refuses it.
    assert.equal((await ownerA.call('GET', '/admin/v1/accounts')).status, 401);
    assert.equal((await ownerA.call('POST', `/admin/v1/accounts/${a.accountId}/grants`, { amount: '100' })).status, 401);
    const withToken = await request(`${h.gateway.url}/admin/v1/prices`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(withToken.statusCode, 200);
    assert.ok(((await withToken.body.json()) as { data: unknown[] }).data.length > 0);
    const tiers = await request(`${h.gateway.url}/admin/v1/tiers`, { headers: { authorization: 'Bearer wrong' } });
    await tiers.body.text();
    assert.equal(tiers.statusCode, 401);
  } finally {
    await h.close();
  }
});

test('the playground spends credits through the metered path and reports the cost; usage shows it', async () => {
  const h = await startHarness();
  try {
    const a = await h.account('10');
    const member = await signedIn(h, a.accountId, 'member@a.test', 'member');
    const res = await member.call('POST', '/dashboard/api/playground/chat', {
      model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }],
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.object, 'chat.completion');
    const cost = String(res.headers['x-tollgate-cost']);
    assert.match(cost, /^0\.\d+$/);
    const balance = await h.balance(a.accountId);
    assert.equal(balance.available, 10_000_000_000_000n - BigInt(cost.replace('0.', '').padEnd(12, '0')));
    const usage = await member.call('GET', '/dashboard/api/usage?group_by=model&days=7');
    assert.equal(usage.json.totals.requests, 1);
    assert.equal(usage.json.totals.cost, cost);
    assert.equal(usage.json.series[0].name, 'gpt-4o-mini');
    assert.equal(usage.json.days.length, 7);
    const keys = await member.call('GET', '/dashboard/api/keys');
    assert.ok(keys.json.data.some((k: any) => k.name === 'dashboard playground'));
    // A budget applies to the playground like to any key: a tiny account budget refuses the next call.
    const owner = await signedIn(h, a.accountId, 'owner@a.test', 'owner');
    assert.equal((await owner.call('PUT', '/dashboard/api/budgets', { limit: '0.000001' })).status, 200);
    const refused = await member.call('POST', '/dashboard/api/playground/chat', {
      model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'again' }],
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'insufficient_quota');
  } finally {
    await h.close();
  }
});

test('sign-up: closed by default; open mode creates an account with the sign-up grant and an owner', async () => {
  const closed = await startHarness();
  const open = await startHarness({ env: { TOLLGATE_SIGNUP_MODE: 'open', TOLLGATE_SIGNUP_CREDITS: '5' } });
  try {
    const body = { email: 'new@example.com', password: 'long enough password', account_name: 'New Co' };
    assert.equal((await new DashboardClient(closed.gateway.url).call('POST', '/dashboard/api/signup', body)).status, 403);
    const c = new DashboardClient(open.gateway.url);
    assert.equal((await c.call('POST', '/dashboard/api/signup', { ...body, password: 'short' })).status, 400);
    const res = await c.call('POST', '/dashboard/api/signup', body);
    assert.equal(res.status, 201);
    assert.equal(res.json.role, 'owner');
    c.csrf = res.json.csrf_token;
    const balance = await c.call('GET', '/dashboard/api/balance');
    assert.equal(balance.json.available, '5');
    assert.equal(balance.json.grants[0].source, 'signup');
    assert.ok(balance.json.grants[0].expires_at);
    assert.equal((await new DashboardClient(open.gateway.url).call('POST', '/dashboard/api/signup', body)).status, 409);
  } finally {
    await closed.close();
    await open.close();
  }
});

test('the web app is served with content types, cache headers and a CSP', async () => {
  ensureWebBuilt();
  const h = await startHarness();
  try {
    const index = await request(`${h.gateway.url}/dashboard/`);
    const html = await index.body.text();
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'; script-src 'self'/);
    const js = /src="\/dashboard\/(main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert.ok(js, html);
    const asset = await request(`${h.gateway.url}/dashboard/${js}`);
    await asset.body.text();
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const escape = await request(`${h.gateway.url}/dashboard/..%2f..%2fpackage.json`);
    await escape.body.text();
    assert.notEqual(escape.statusCode, 200);
    assert.equal((await request(`${h.gateway.url}/dashboard/nope.js`)).statusCode, 404);
  } finally {
    await h.close();
  }
});

test('invitations: an owner invites into their account; the operator invites a new account in invite mode; each is used once', async () => {
  const h = await startHarness({ env: { TOLLGATE_SIGNUP_CREDITS: '3' } });
  const inv = await startHarness({ env: { TOLLGATE_SIGNUP_MODE: 'invite', TOLLGATE_SIGNUP_CREDITS: '3' } });
  try {
    const a = await h.account('10');
    const owner = await signedIn(h, a.accountId, 'owner@a.test', 'owner');
    const member = await signedIn(h, a.accountId, 'member@a.test', 'member');
    assert.equal((await member.call('POST', '/dashboard/api/invites', { email: 'x@a.test' })).status, 403);
    const made = await owner.call('POST', '/dashboard/api/invites', { email: 'Reader@A.test', role: 'reader' });
    assert.equal(made.status, 201);
    assert.match(made.json.link, /^\/dashboard\/#\/join\/[A-Za-z0-9_-]{30,}$/);
    const token = made.json.token;
    const pw = 'reader password 1';
    const wrongEmail = await new DashboardClient(h.gateway.url).call('POST', '/dashboard/api/signup', { email: 'other@a.test', password: pw, invite_token: token });
    assert.equal(wrongEmail.status, 403);
    const joined = await new DashboardClient(h.gateway.url).call('POST', '/dashboard/api/signup', { email: 'reader@a.test', password: pw, invite_token: token });
    assert.equal(joined.status, 201);
    assert.deepEqual([joined.json.account_id, joined.json.role], [a.accountId, 'reader']);
    const again = await new DashboardClient(h.gateway.url).call('POST', '/dashboard/api/signup', { email: 'reader@a.test', password: pw, invite_token: token });
    assert.equal(again.status, 403, 'used once');
    // Operator mode: an operator's new-account invitation is refused.
    const { issueInvite } = await import('../../src/services/dashboard/sign-up.js');
    const { memberStoreFor } = await import('../../src/services/dashboard/open-member-store.js');
    const closedInvite = await issueInvite(memberStoreFor(h.store), { accountId: null, email: 'new@b.test', role: 'owner' }, Date.now());
    assert.equal((await new DashboardClient(h.gateway.url).call('POST', '/dashboard/api/signup',
      { email: 'new@b.test', password: 'long enough password', invite_token: closedInvite.token })).json.error.code, 'signup_closed');
    // Invite mode: sign-up needs an invitation; the operator's creates an account with the sign-up grant.
    const body = { email: 'new@b.test', password: 'long enough password' };
    const none = await new DashboardClient(inv.gateway.url).call('POST', '/dashboard/api/signup', body);
    assert.deepEqual([none.status, none.json.error.code], [403, 'invite_required']);
    const opInvite = await issueInvite(memberStoreFor(inv.store), { accountId: null, email: 'new@b.test', role: 'owner' }, Date.now());
    const c = new DashboardClient(inv.gateway.url);
    const created = await c.call('POST', '/dashboard/api/signup', { ...body, invite_token: opInvite.token });
    assert.equal(created.status, 201);
    assert.equal(created.json.role, 'owner');
    const balance = await c.call('GET', '/dashboard/api/balance');
    assert.equal(balance.json.available, '3');
    assert.equal(balance.json.grants[0].source, 'signup');
  } finally {
    await h.close();
    await inv.close();
  }
});
