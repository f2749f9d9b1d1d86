// The `tollgate` CLI as a child process against the store of a running gateway (its SQLite file, or its PostgreSQL
// database): its JSON output is the contract (DESIGN.md), and what it changes takes effect on the very next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredits, parseCredits } from '../../src/domain/money/pico.js';
import { runCli, type CliResult } from '../support/child-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { postJson, type RawResponse } from '../support/raw-http.js';

const LITELLM_PRICES = '/work/shared/reference/model_prices_and_context_window.json';
const DAY_MS = 86_400_000;

/** Runs the CLI against the harness's store; `signup` is TOLLGATE_SIGNUP_CREDITS (unset = the default). */
function cli(h: Harness, args: string[], signup?: string): Promise<CliResult> {
  return runCli(args, {
    TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url,
    ...(h.databaseUrl === undefined ? {} : { DATABASE_URL: h.databaseUrl }),
    ...(signup === undefined ? {} : { TOLLGATE_SIGNUP_CREDITS: signup }),
  });
}

async function cliJson<T>(h: Harness, args: string[], signup?: string): Promise<T> {
  const r = await cli(h, [...args, '--json'], signup);
  assert.equal(r.code, 0, `tollgate ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function chat(h: Harness, key: string, content = 'Hello from the CLI test'): Promise<RawResponse> {
  return postJson(h.baseURL, '/chat/completions', key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
}

function errorOf(r: RawResponse): { type: string; code: string | null } {
  return (r.json as { error: { type: string; code: string | null } }).error;
}

interface AccountJson { id: string; default_project_id: string }
interface KeyJson { id: string; key: string }
interface GrantJson { id: string; source: string; amount: string; remaining: string; expires_at: string | null; created: boolean }
interface BalanceJson {
  account_id: string;
  available: string;
  held: string;
  grants: Array<{ id: string; source: string; amount: string; remaining: string; expires_at: string | null }>;
}
interface UsageJson { request_id: string; account_id: string; model: string; status: string; cost: string; input_tokens: number; output_tokens: number }

test('accounts, keys, grants, balance and usage through the CLI while the server runs', async () => {
  const h = await startHarness();
  try {
    // The default sign-up grant: 5 credits that expire after 90 days.
    const before = Date.now();
    const account = await cliJson<AccountJson>(h, ['accounts', 'create', '--name', 'Acme']);
    assert.match(account.id, /^acct_/);
    assert.match(account.default_project_id, /^proj_/);
    const project = await h.store.getProject(account.default_project_id);
    assert.equal(project?.accountId, account.id);

    const key = await cliJson<KeyJson>(h, ['keys', 'create', '--account', account.id]);
    assert.match(key.key, /^tg-/);
    assert.match(key.id, /^key_/);
    const stored = (await h.store.listKeys(account.id)).find((k) => k.id === key.id);
    assert.equal(stored?.projectId, account.default_project_id, 'a key without --project goes to the default project');
    assert.ok(!JSON.stringify(await h.store.listKeys(account.id)).includes(key.key), 'the secret itself is not stored');

    const first = await chat(h, key.key);
    assert.equal(first.status, 200, first.text);

    // An expiring promo grant, made idempotent by its key.
    const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
    const grantArgs = ['credits', 'grant', '--account', account.id, '--amount', '2.5', '--source', 'promo',
      '--expires-at', expiresAt, '--idempotency-key', 'promo-2026-launch'];
    const [g1, g2] = [await cliJson<GrantJson>(h, grantArgs), await cliJson<GrantJson>(h, grantArgs)];
    assert.equal(g1.created, true);
    assert.equal(g2.created, false, 'the same idempotency key twice is one grant');
    assert.equal(g2.id, g1.id);
    assert.equal(g1.source, 'promo');
    assert.equal(g1.amount, '2.5');
    assert.equal(g1.expires_at, expiresAt);
    const grants = await h.store.listGrants(account.id);
    assert.equal(grants.length, 2, 'sign-up grant + one promo grant');
    assert.equal((await h.store.listLedger(account.id)).filter((e) => e.kind === 'grant').length, 2);

    const second = await chat(h, key.key, 'second request');
    assert.equal(second.status, 200, second.text);
    const charged = parseCredits(String(first.headers['x-tollgate-cost'])) + parseCredits(String(second.headers['x-tollgate-cost']));
    assert.ok(charged > 0n);

    const balance = await cliJson<BalanceJson>(h, ['credits', 'balance', '--account', account.id]);
    assert.deepEqual(Object.keys(balance).sort(), ['account_id', 'available', 'grants', 'held']);
    assert.equal(balance.account_id, account.id);
    assert.equal(balance.held, '0');
    assert.equal(balance.available, formatCredits(parseCredits('7.5') - charged));
    assert.equal(balance.grants.length, 2);
    for (const g of balance.grants) {
      for (const field of ['id', 'source', 'amount', 'remaining', 'expires_at'] as const) assert.ok(field in g, `grant field ${field}`);
      assert.equal(typeof g.amount, 'string');
      assert.equal(typeof g.remaining, 'string');
    }
    const signup = balance.grants.find((g) => g.source === 'signup')!;
    const promo = balance.grants.find((g) => g.source === 'promo')!;
    assert.equal(signup.amount, '5');
    const signupExpiry = Date.parse(signup.expires_at!);
    assert.ok(signupExpiry >= before + 90 * DAY_MS && signupExpiry <= Date.now() + 90 * DAY_MS, signup.expires_at!);
    assert.deepEqual(promo, { ...promo, id: g1.id, amount: '2.5', expires_at: expiresAt });
    // Sign-up and promo credit both burn at priority 10; the sooner expiry (the promo grant) burns first.
    assert.equal(promo.remaining, formatCredits(parseCredits('2.5') - parseCredits(String(second.headers['x-tollgate-cost']))));
    assert.equal(signup.remaining, formatCredits(parseCredits('5') - parseCredits(String(first.headers['x-tollgate-cost']))));

    const usage = await cliJson<UsageJson[]>(h, ['usage', '--account', account.id]);
    assert.deepEqual(usage.map((u) => u.request_id).sort(), [first, second].map((r) => String(r.headers['x-request-id'])).sort());
    for (const r of [first, second]) {
      const u = usage.find((x) => x.request_id === r.headers['x-request-id'])!;
      assert.equal(u.status, 'ok');
      assert.equal(u.account_id, account.id);
      assert.equal(u.model, 'gpt-4o-mini');
      assert.equal(u.cost, r.headers['x-tollgate-cost']);
      const reported = (r.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      assert.equal(u.input_tokens, reported.prompt_tokens);
      assert.equal(u.output_tokens, reported.completion_tokens);
    }
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('a CLI grant is spendable, and a CLI revocation refused, on the very next request', async () => {
  const h = await startHarness();
  try {
    const account = await cliJson<AccountJson>(h, ['accounts', 'create', '--name', 'Broke'], '0');
    const key = await cliJson<KeyJson>(h, ['keys', 'create', '--account', account.id, '--name', 'app']);
    const refused = await chat(h, key.key);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(errorOf(refused).code, 'insufficient_quota');

    await cliJson<GrantJson>(h, ['credits', 'grant', '--account', account.id, '--amount', '1']);
    const served = await chat(h, key.key);
    assert.equal(served.status, 200, served.text);

    const revoked = await cliJson<{ id: string; revoked: boolean }>(h, ['keys', 'revoke', '--key', key.id]);
    assert.deepEqual(revoked, { id: key.id, revoked: true });
    const afterRevoke = await chat(h, key.key);
    assert.equal(afterRevoke.status, 401, afterRevoke.text);
    assert.equal(errorOf(afterRevoke).code, 'invalid_api_key');

    // An admin key belongs to the account, not a project, and is refused for model requests.
    const admin = await cliJson<KeyJson & { kind: string; project_id: string | null }>(h, ['keys', 'create', '--account', account.id, '--admin']);
    assert.match(admin.key, /^tg-/);
    assert.equal(admin.kind, 'admin');
    assert.equal(admin.project_id, null);
    const byAdmin = await chat(h, admin.key);
    assert.equal(byAdmin.status, 403, byAdmin.text);

    const balance = await h.balance(account.id);
    assert.equal(balance.available, parseCredits('1') - parseCredits(String(served.headers['x-tollgate-cost'])));
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('prices set and prices import change the charge of the very next request', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const charge = async (content: string) => {
      const r = await chat(h, acct.key, content);
      assert.equal(r.status, 200, r.text);
      const u = (r.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      return { r, prompt: BigInt(u.prompt_tokens), output: BigInt(u.completion_tokens), cost: parseCredits(String(r.headers['x-tollgate-cost'])) };
    };
    const builtin = await charge('priced by the built-in catalog');
    assert.equal(builtin.cost, builtin.prompt * 150_000n + builtin.output * 600_000n);

    const set = await cli(h, ['prices', 'set', '--model', 'gpt-4o-mini', '--input', '1', '--output', '2', '--cached-input', '0.5']);
    assert.equal(set.code, 0, set.stderr);
    const operator = await charge('priced by the operator');
    assert.equal(operator.cost, operator.prompt * 1_000_000n + operator.output * 2_000_000n, 'the new price, on the very next request');
    const stored = (await h.store.listUsage({ accountId: acct.accountId })).find((u) => u.requestId === operator.r.headers['x-request-id']);
    assert.equal(stored?.cost, operator.cost);

    const imported = await cliJson<{ imported: number; skipped: number }>(h, ['prices', 'import', LITELLM_PRICES]);
    assert.ok(imported.imported > 50, `imported ${imported.imported}`);
    assert.ok(imported.skipped > 0, 'entries that cannot be metered are skipped');
    const litellm = await charge('priced by the imported LiteLLM file');
    // The LiteLLM file lists gpt-4o-mini at $0.15 / $0.60 per 1M tokens.
    assert.equal(litellm.cost, litellm.prompt * 150_000n + litellm.output * 600_000n, 'the imported price, on the very next request');

    const balance = await h.balance(acct.accountId);
    assert.equal(balance.available, parseCredits('10') - builtin.cost - operator.cost - litellm.cost);
    await assertLedgerBalances(h.store);
  } finally {
    await h.close();
  }
});

test('bad CLI input exits non-zero with a clear message and changes nothing', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('1');
    const first = await cli(h, ['credits', 'grant', '--account', acct.accountId, '--amount', '1', '--idempotency-key', 'once']);
    assert.equal(first.code, 0, first.stderr);
    const ledgerBefore = (await h.store.listLedger(acct.accountId)).length;
    const cases: Array<{ args: string[]; message: RegExp }> = [
      { args: ['credits', 'grant', '--account', 'acct_nope', '--amount', '1'], message: /no account acct_nope/i },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1.2.3'], message: /--amount: invalid credit amount "1\.2\.3"/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount=-5'], message: /--amount: invalid credit amount "-5"/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '-5'], message: /--amount/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '0'], message: /--amount must be above zero/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1e3'], message: /--amount: invalid credit amount/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '10000000'], message: /--amount/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1', '--source', 'gift'], message: /--source must be one of/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1', '--expires-at', 'soon'], message: /--expires-at must be an ISO 8601 time/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1', '--expires-at', '2001-01-01T00:00:00Z'], message: /--expires-at is in the past/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '2', '--idempotency-key', 'once'], message: /idempotency key once was already used/ },
      { args: ['credits', 'balance', '--account', 'acct_nope', '--json'], message: /no account acct_nope/i },
      { args: ['keys', 'create', '--account', 'acct_nope'], message: /no account acct_nope/i },
      { args: ['keys', 'revoke', '--key', 'key_nope'], message: /key_nope/ },
      { args: ['accounts', 'create', '--json'], message: /--name is required/ },
      { args: ['prices', 'set', '--model', 'gpt-4o-mini', '--input', 'cheap', '--output', '1'], message: /--input/ },
      { args: ['prices', 'import', '/nonexistent/prices.json'], message: /cannot read \/nonexistent\/prices\.json/ },
      { args: ['credits', 'grant', '--account', acct.accountId, '--amount', '1', '--bogus'], message: /Unknown option '--bogus'/ },
    ];
    // Four at a time: each CLI process compiles the TypeScript through tsx, and eighteen at once on a loaded 2-core
    // machine ran past the CLI timeout.
    const results: Awaited<ReturnType<typeof cli>>[] = [];
    for (let i = 0; i < cases.length; i += 4) {
      results.push(...await Promise.all(cases.slice(i, i + 4).map((c) => cli(h, c.args))));
    }
    cases.forEach((c, i) => {
      const r = results[i]!;
      const what = `tollgate ${c.args.join(' ')}`;
      assert.notEqual(r.code, 0, `${what} exited 0`);
      assert.match(r.stderr, c.message, `${what}: ${r.stderr}`);
      assert.ok(!/\n\s+at /.test(r.stderr), `${what} printed a stack trace instead of a message:\n${r.stderr}`);
      assert.equal(r.stdout, '', `${what} printed to stdout`);
    });
    assert.equal((await h.store.listLedger(acct.accountId)).length, ledgerBefore, 'no bad command moved money');
    assert.equal((await h.balance(acct.accountId)).available, parseCredits('2'));
    assert.equal((await h.store.listAccounts()).length, 1, 'no account was created');
  } finally {
    await h.close();
  }
});
