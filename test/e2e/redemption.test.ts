// Redemption codes and receipts end to end, on both stores: a code redeems once (never twice, even raced), not after
// its expiry, within its batch's per-account limit; guessing is throttled; the CSV export is exactly the batch; the
// receipts list what was redeemed; every route checks who is asking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCode, hashCode, normalizeCode } from '../../src/domain/redemption/code.js';
import { issueKey } from '../../src/services/api-keys.js';
import { redemptionFor, resumeRedemptions } from '../../src/services/redemption/gateway-redemption.js';
import { completePending } from '../../src/services/redemption/redemption-service.js';
import { runCli } from '../support/child-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertLedgerBalances } from '../support/ledger-check.js';
import { raceAgent, type RawResponse } from '../support/raw-http.js';
import { request, type Agent } from 'undici';

const TOKEN = 'admin-token-redemption';
const DAY_MS = 86_400_000;

async function call(h: Harness, method: string, path: string, bearer: string | null, body?: unknown, dispatcher?: Agent): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  const res = await request(`${h.gateway.url}${path}`, {
    method: method as 'GET', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(dispatcher ? { dispatcher } : {}),
  });
  const text = await res.body.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.statusCode, headers: res.headers, text, json };
}

const j = (r: RawResponse) => r.json as any;
const errCode = (r: RawResponse) => j(r)?.error?.code as string | null | undefined;

/** A funded-or-not account with an account admin key (for /v1/tollgate/*) and a project key. */
async function account(h: Harness, credits = '0') {
  const a = await h.account(credits);
  const { secret } = await issueKey(h.store, { accountId: a.accountId, admin: true }, Date.now());
  return { ...a, adminKey: secret };
}

async function batch(h: Harness, body: Record<string, unknown>): Promise<{ id: string; codes: Array<{ id: string; code: string }> }> {
  const r = await call(h, 'POST', '/admin/v1/redemption_batches', TOKEN, body);
  assert.equal(r.status, 201, r.text);
  return j(r);
}

async function redemptionGrants(h: Harness, accountId: string) {
  return (await h.store.listGrants(accountId)).filter((g) => g.source === 'redemption');
}

function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

test('an account redeems a code once; the credit is spendable at once; another account cannot reuse it; receipts list it', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await account(h);
    const b = await account(h);
    const { id: batchId, codes } = await batch(h, { amount: '10', count: 2, grant_expires_days: 30 });
    assert.equal(codes.length, 2);

    const refused = await h.client(a.key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    assert.equal(refused.status, 429, 'no credit before the redemption');

    const first = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: codes[0]!.code.toLowerCase() });
    assert.equal(first.status, 201, first.text);
    assert.equal(j(first).credits, '10');
    assert.equal(j(first).batch_id, batchId);
    assert.equal(j(first).available, '10');
    const expiresAt = Date.parse(j(first).expires_at);
    assert.ok(Math.abs(expiresAt - (Date.parse(j(first).redeemed_at) + 30 * DAY_MS)) < 1000);

    // The serving wallet (in memory on SQLite) sees the grant on the very next request.
    const reply = await h.client(a.key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 });
    assert.ok(reply.choices[0]?.message.content);

    const again = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: codes[0]!.code });
    assert.equal(again.status, 400);
    assert.equal(errCode(again), 'code_already_redeemed');
    const stolen = await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, { code: codes[0]!.code });
    assert.equal(stolen.status, 400);
    assert.equal(errCode(stolen), 'invalid_code', 'to another account a used code looks like no code at all');
    const unknown = await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, { code: generateCode() });
    assert.deepEqual(j(unknown), j(stolen));
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, { code: 'not a code' })).status, 400);
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, {})).status, 400);
    assert.equal((await redemptionGrants(h, a.accountId)).length, 1);
    assert.equal((await redemptionGrants(h, b.accountId)).length, 0);

    await call(h, 'POST', `/admin/v1/accounts/${a.accountId}/grants`, TOKEN, { amount: '5', source: 'purchase' });
    const receipts = await call(h, 'GET', '/v1/tollgate/receipts', a.adminKey);
    assert.equal(receipts.status, 200);
    const data = j(receipts).data as any[];
    assert.deepEqual(data.map((r) => r.kind), ['purchase', 'redemption'], 'newest first; the adjustment grant is not a receipt');
    const redemption = data[1];
    assert.equal(redemption.credits, '10');
    assert.equal(Date.parse(redemption.expires_at), expiresAt);
    assert.equal(redemption.grant_id, j(first).grant.id);
    assert.equal(redemption.redemption.batch_id, batchId);
    assert.equal(redemption.redemption.code_id, codes[0]!.id);
    assert.equal(redemption.redemption.code_hint, `…-${codes[0]!.code.slice(-4)}`);
    assert.equal(redemption.amount, null, 'money amounts come with the payments join');
    const adminView = await call(h, 'GET', `/admin/v1/accounts/${a.accountId}/receipts`, TOKEN);
    assert.deepEqual(j(adminView).data, data);
    const batchView = await call(h, 'GET', `/admin/v1/redemption_batches/${batchId}`, TOKEN);
    assert.equal(j(batchView).redeemed, 1);
    assert.equal(j(batchView).codes, undefined, 'codes are shown only at generation');
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});

test('50 concurrent attempts at one code, from 50 accounts over both routes: exactly one grant', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  const agent = raceAgent(64);
  try {
    const accounts = await Promise.all(Array.from({ length: 50 }, () => account(h)));
    const { codes } = await batch(h, { amount: '3', count: 1 });
    const code = codes[0]!.code;
    // 25 through the account route (one attempt each, under the throttle) and 25 through the admin route.
    const results = await Promise.all(accounts.map((a, i) => (i % 2 === 0
      ? call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code }, agent)
      : call(h, 'POST', `/admin/v1/accounts/${a.accountId}/redeem`, TOKEN, { code }, agent))));
    const wins = results.filter((r) => r.status === 201);
    assert.equal(wins.length, 1, results.map((r) => r.status).join(','));
    for (const r of results) if (r.status !== 201) assert.equal(errCode(r), 'invalid_code', r.text);
    let grants = 0;
    for (const a of accounts) grants += (await redemptionGrants(h, a.accountId)).length;
    assert.equal(grants, 1);

    // One account racing itself: one win, the rest told it already redeemed the code, still one grant.
    const { codes: [own] } = await batch(h, { amount: '3', count: 1 });
    const self = accounts[7]!;
    const mine = await Promise.all(Array.from({ length: 20 }, () => call(h, 'POST', `/admin/v1/accounts/${self.accountId}/redeem`, TOKEN, { code: own!.code }, agent)));
    assert.equal(mine.filter((r) => r.status === 201).length, 1);
    for (const r of mine) if (r.status !== 201) assert.equal(errCode(r), 'code_already_redeemed', r.text);
    assert.equal((await redemptionGrants(h, self.accountId)).filter((g) => g.idempotencyKey === `redeem:${own!.id}`).length, 1);
    await assertLedgerBalances(h.store);
  } finally {
    await agent.close();
    await h.close();
  }
});

test('a code is refused after its expiry, and a redeemed grant expires after grant_expires_days', async () => {
  const c = clock();
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN }, now: c.now });
  try {
    const a = await account(h);
    const { codes } = await batch(h, { amount: '1', count: 2, expires_at: new Date(c.now() + 3_600_000).toISOString(), grant_expires_days: 1 });
    const ok = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: codes[0]!.code });
    assert.equal(ok.status, 201);
    assert.equal(Date.parse(j(ok).expires_at), c.now() + DAY_MS);
    c.advance(2 * 3_600_000);
    const late = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: codes[1]!.code });
    assert.equal(late.status, 400);
    assert.equal(errCode(late), 'code_expired');
    assert.equal((await call(h, 'POST', `/admin/v1/accounts/${a.accountId}/redeem`, TOKEN, { code: codes[1]!.code })).status, 400);
    assert.equal((await redemptionGrants(h, a.accountId)).length, 1);
    const past = await call(h, 'POST', '/admin/v1/redemption_batches', TOKEN, { amount: '1', count: 1, expires_at: new Date(c.now() - 1000).toISOString() });
    assert.equal(past.status, 400);
    assert.equal(j(past).error.param, 'expires_at');
    for (const [body, param] of [
      [{ amount: 1, count: 1 }, 'amount'], [{ amount: '0', count: 1 }, 'amount'], [{ amount: '1' }, 'count'],
      [{ amount: '1', count: 10_001 }, 'count'], [{ amount: '1', count: 1, per_account_limit: 0 }, 'per_account_limit'],
      [{ amount: '1', count: 1, grant_expires_days: -1 }, 'grant_expires_days'], [{ amount: '1', count: 1, format: 'xml' }, 'format'],
    ] as const) {
      const bad = await call(h, 'POST', '/admin/v1/redemption_batches', TOKEN, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(j(bad).error.param, param, bad.text);
    }
    assert.equal(j(await call(h, 'GET', '/admin/v1/redemption_batches', TOKEN)).data.length, 1, 'refused requests made no batch');
  } finally {
    await h.close();
  }
});

test('the per-account limit caps how many codes of one batch an account redeems, even when raced', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await account(h);
    const b = await account(h);
    const { codes } = await batch(h, { amount: '2', count: 6, per_account_limit: 2 });
    const raced = await Promise.all(codes.slice(0, 5).map((c) => call(h, 'POST', `/admin/v1/accounts/${a.accountId}/redeem`, TOKEN, { code: c.code })));
    assert.equal(raced.filter((r) => r.status === 201).length, 2, raced.map((r) => r.text).join('\n'));
    for (const r of raced) if (r.status !== 201) assert.equal(errCode(r), 'redemption_limit_reached');
    const third = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: codes[5]!.code });
    assert.equal(errCode(third), 'redemption_limit_reached');
    const other = await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, { code: codes[5]!.code });
    assert.equal(other.status, 201, 'the limit is per account; the code was left unused');
    assert.equal((await redemptionGrants(h, a.accountId)).length, 2);
    assert.equal((await h.balance(a.accountId)).available, 4_000_000_000_000n);
  } finally {
    await h.close();
  }
});

test('guessing is throttled per account and per address: 429 with retry-after, counting only failures', async () => {
  const c = clock();
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN }, now: c.now });
  try {
    const [a, b, d, e, f] = await Promise.all(Array.from({ length: 5 }, () => account(h)));
    const { codes } = await batch(h, { amount: '1', count: 3 });
    // A success is not a failure: it does not use up the allowance.
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', a!.adminKey, { code: codes[0]!.code })).status, 201);
    for (let i = 0; i < 10; i++) {
      const wrong = await call(h, 'POST', '/v1/tollgate/redeem', a!.adminKey, { code: generateCode() });
      assert.equal(wrong.status, 400, `attempt ${i + 1}`);
    }
    const throttled = await call(h, 'POST', '/v1/tollgate/redeem', a!.adminKey, { code: codes[1]!.code });
    assert.equal(throttled.status, 429);
    assert.equal(errCode(throttled), 'rate_limit_exceeded');
    assert.ok(Number(throttled.headers['retry-after']) >= 1);
    assert.ok(Number(throttled.headers['retry-after-ms']) >= 1);
    assert.equal((await redemptionGrants(h, a!.accountId)).length, 1, 'a throttled attempt redeems nothing, even a right code');
    c.advance(Number(throttled.headers['retry-after-ms']));
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', a!.adminKey, { code: codes[1]!.code })).status, 201, 'the bucket refills');

    // Per address: 30 failures from 127.0.0.1 over three accounts, and a fourth account is held off too.
    c.advance(120_000);
    for (const who of [b!, d!, e!]) {
      for (let i = 0; i < 10; i++) assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', who.adminKey, { code: generateCode() })).status, 400);
    }
    const byAddress = await call(h, 'POST', '/v1/tollgate/redeem', f!.adminKey, { code: codes[2]!.code });
    assert.equal(byAddress.status, 429);
    assert.match(j(byAddress).error.message, /address/);
    // The operator's route is not throttled.
    assert.equal((await call(h, 'POST', `/admin/v1/accounts/${f!.accountId}/redeem`, TOKEN, { code: codes[2]!.code })).status, 201);
  } finally {
    await h.close();
  }
});

test('the CSV export lists exactly the generated codes, each redeemable, none stored in clear', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await account(h);
    const res = await request(`${h.gateway.url}/admin/v1/redemption_batches?format=csv`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '0.5', count: 20, expires_at: '2099-01-01T00:00:00Z' }),
    });
    assert.equal(res.statusCode, 201);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const batchId = String(res.headers['x-tollgate-batch-id']);
    const lines = (await res.body.text()).split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'code,code_id,batch_id,credits,expires_at');
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.equal(rows.length, 20);
    assert.equal(new Set(rows.map((r) => r[0])).size, 20);
    for (const r of rows) {
      assert.match(r[0]!, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
      assert.deepEqual(r.slice(2), [batchId, '0.5', '2099-01-01T00:00:00.000Z']);
    }
    const { codes } = redemptionFor(h.gateway.deps);
    for (const r of rows) {
      const redeemed = await call(h, 'POST', `/admin/v1/accounts/${a.accountId}/redeem`, TOKEN, { code: r[0] });
      assert.equal(redeemed.status, 201);
      assert.equal(j(redeemed).code_id, r[1]);
      assert.equal(j(redeemed).batch_id, batchId);
    }
    const stored = await codes.getBatch(batchId);
    assert.equal(stored?.count, 20);
    assert.equal(stored?.redeemed, 20, 'the batch holds exactly the exported codes');
    // Only hashes are kept: the store answers to the hash, and its rows never hold the code.
    const code = rows[0]![0]!;
    assert.equal((await codes.claim(hashCode(normalizeCode(code)!), a.accountId, Date.now())).kind, 'already_redeemed');
    assert.equal((await codes.claim(code, a.accountId, Date.now())).kind, 'unknown');
    assert.ok(!JSON.stringify(await codes.redeemedBy(a.accountId)).includes(code.slice(0, 9)));
  } finally {
    await h.close();
  }
});

test('a claim whose grant never happened (a crash in between) is completed exactly once', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await account(h);
    const { codes: [first, second] } = await batch(h, { amount: '7', count: 2 });
    const { codes } = redemptionFor(h.gateway.deps);
    const claimed = await codes.claim(hashCode(normalizeCode(first!.code)!), a.accountId, Date.now());
    assert.equal(claimed.kind, 'claimed');
    assert.equal((await codes.pending()).length, 1);
    // The account retrying gets "already redeemed", and the grant is made then.
    const retry = await call(h, 'POST', '/v1/tollgate/redeem', a.adminKey, { code: first!.code });
    assert.equal(errCode(retry), 'code_already_redeemed');
    assert.equal((await redemptionGrants(h, a.accountId)).length, 1);
    assert.equal(await completePending({ store: h.store, codes }, Date.now()), 0);
    // The other path: what a gateway runs at start.
    const b = await account(h);
    assert.equal((await codes.claim(hashCode(normalizeCode(second!.code)!), b.accountId, Date.now())).kind, 'claimed');
    await resumeRedemptions(h.gateway.deps);
    await resumeRedemptions(h.gateway.deps);
    assert.equal((await redemptionGrants(h, b.accountId)).length, 1);
    assert.equal((await codes.pending()).length, 0);
    const receipts = j(await call(h, 'GET', '/v1/tollgate/receipts', a.adminKey)).data as any[];
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0].credits, '7');
    assert.equal(j(await call(h, 'GET', `/admin/v1/accounts/${a.accountId}/balance`, TOKEN)).available, '7');
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});

test('per-route security: keys and tokens', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const a = await account(h);
    const b = await account(h);
    const { codes } = await batch(h, { amount: '1', count: 2 });
    await call(h, 'POST', '/v1/tollgate/redeem', b.adminKey, { code: codes[0]!.code });
    const mine = j(await call(h, 'GET', '/v1/tollgate/receipts', a.adminKey)).data as any[];
    assert.deepEqual(mine, [], "A's key reads A's receipts only");
    assert.equal((j(await call(h, 'GET', '/v1/tollgate/receipts', b.adminKey)).data as any[]).length, 1);
    assert.equal((await call(h, 'GET', '/v1/tollgate/receipts', a.key)).status, 403, 'a project key is not enough');
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', a.key, { code: codes[1]!.code })).status, 403);
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', null, { code: codes[1]!.code })).status, 401);
    assert.equal((await call(h, 'POST', '/v1/tollgate/redeem', 'tg-wrong', { code: codes[1]!.code })).status, 401);
    assert.equal((await call(h, 'GET', '/v1/tollgate/redeem', a.adminKey)).status, 405);
    for (const [method, path, body] of [
      ['POST', '/admin/v1/redemption_batches', { amount: '1', count: 1 }],
      ['GET', '/admin/v1/redemption_batches', undefined],
      ['POST', `/admin/v1/accounts/${a.accountId}/redeem`, { code: codes[1]!.code }],
      ['GET', `/admin/v1/accounts/${b.accountId}/receipts`, undefined],
    ] as const) {
      assert.equal((await call(h, method, path, null, body)).status, 401, `${method} ${path} without a token`);
      assert.equal((await call(h, method, path, a.adminKey, body)).status, 401, `${method} ${path} with an account key`);
    }
    assert.equal((await call(h, 'GET', '/admin/v1/accounts/acct_nope/receipts', TOKEN)).status, 404);
    assert.equal((await redemptionGrants(h, a.accountId)).length, 0);
  } finally {
    await h.close();
  }
});

test('the CLI generates a batch into a CSV file, redeems a code and lists receipts', async () => {
  const h = await startHarness();
  try {
    const a = await account(h);
    const env = { TOLLGATE_DB: h.dbPath, ...(h.databaseUrl === undefined ? {} : { DATABASE_URL: h.databaseUrl }) };
    const out = join(h.dir, 'codes.csv');
    const gen = await runCli(['codes', 'generate', '--amount', '2.5', '--count', '3', '--grant-expires-days', '7', '--out', out, '--json'], env);
    assert.equal(gen.code, 0, gen.stderr);
    assert.equal(JSON.parse(gen.stdout).codes, undefined, 'with --out the codes go to the file only');
    const clobber = await runCli(['codes', 'generate', '--amount', '1', '--count', '1', '--out', out], env);
    assert.equal(clobber.code, 2, 'an existing file is never overwritten, and no batch is made');
    const rows = readFileSync(out, 'utf8').split('\r\n').filter(Boolean).slice(1).map((l) => l.split(','));
    assert.equal(rows.length, 3);
    const redeemed = await runCli(['codes', 'redeem', '--account', a.accountId, '--code', rows[0]![0]!, '--json'], env);
    assert.equal(redeemed.code, 0, redeemed.stderr);
    assert.equal(JSON.parse(redeemed.stdout).credits, '2.5');
    const twice = await runCli(['codes', 'redeem', '--account', a.accountId, '--code', rows[0]![0]!], env);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /code_already_redeemed/);
    // The running gateway sees the CLI's grant at once.
    assert.equal((await h.balance(a.accountId)).available, 2_500_000_000_000n);
    const receipts = await runCli(['receipts', '--account', a.accountId, '--json'], env);
    assert.equal(receipts.code, 0, receipts.stderr);
    const list = JSON.parse(receipts.stdout) as any[];
    const batches = JSON.parse((await runCli(['codes', 'batches', '--json'], env)).stdout) as any[];
    assert.deepEqual(batches.map((b) => [b.count, b.redeemed]), [[3, 1]]);
    assert.equal(list.length, 1);
    assert.equal(list[0].kind, 'redemption');
    assert.equal(list[0].credits, '2.5');
    assert.ok(list[0].expires_at);
  } finally {
    await h.close();
  }
});
