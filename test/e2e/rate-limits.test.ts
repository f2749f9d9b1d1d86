// Usage tiers and rate limits end to end: OpenAI's headers, 429 rate_limit_exceeded with retry-after, the SDK's
// retry succeeding once the window allows, promotion after a purchase, project overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { parseCredits } from '../../src/domain/money/pico.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { waitFor } from '../support/billing-checks.js';

const BODY = { model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hello' }] };

async function chat(h: Harness, key: string, body: unknown = BODY) {
  const res = await request(`${h.baseURL}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = (await res.body.json()) as { error?: { type: string; code: string; message: string } };
  return { status: res.statusCode, headers: res.headers, json };
}

test('free tier: RPM enforced with exact headers; the refusal is rate_limit_exceeded with retry-after, and free', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('5', { tier: 'free' });
    const first = await chat(h, acct.key);
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-ratelimit-limit-requests'], '3');
    assert.equal(first.headers['x-ratelimit-remaining-requests'], '2');
    assert.match(String(first.headers['x-ratelimit-reset-requests']), /^\d+(\.\d+)?(ms|s)$|^\d+m\d+(\.\d+)?s$/);
    assert.equal(first.headers['x-ratelimit-limit-tokens'], '40000');
    assert.ok(Number(first.headers['x-ratelimit-remaining-tokens']) < 40000);
    assert.equal((await chat(h, acct.key)).headers['x-ratelimit-remaining-requests'], '1');
    assert.equal((await chat(h, acct.key)).status, 200);
    const before = (await h.balance(acct.accountId)).available;
    const calls = h.upstream.requests.length;
    const refused = await chat(h, acct.key);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error?.code, 'rate_limit_exceeded');
    assert.equal(refused.json.error?.type, 'requests');
    assert.match(refused.json.error?.message ?? '', /Rate limit reached for gpt-4o-mini .* on requests per min \(RPM\): Limit 3, Used 3, Requested 1/);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 20, `retry-after ${retryAfter}`);
    assert.ok(Number(refused.headers['retry-after-ms']) > 0);
    assert.equal(refused.headers['x-ratelimit-remaining-requests'], '0');
    assert.equal(h.upstream.requests.length, calls, 'a refused request never reaches upstream');
    assert.equal((await h.balance(acct.accountId)).available, before, 'and costs nothing');
    const usage = await h.store.listUsage({ accountId: acct.accountId });
    assert.equal(usage.filter((u) => u.status === 'rate_limited').length, 1);
  } finally {
    await h.close();
  }
});

test('a TPM refusal is retried by the openai SDK and succeeds once the window allows', async () => {
  // The gateway's clock stands still until the test moves it, so the SDK's first attempt is surely refused.
  let now = Date.now();
  const h = await startHarness({ now: () => now });
  try {
    const acct = await h.account('5');
    // 6,000 tokens per minute: 100 per second, so a ~30-token request waits a fraction of a second.
    await h.store.setRateLimitOverride(acct.projectId, { family: 'gpt-4o-mini', rpm: null, tpm: 6_000, rpd: null }, now);
    let refused = 0;
    for (let i = 0; i < 1000 && refused === 0; i++) {
      const r = await chat(h, acct.key);
      if (r.status === 429) {
        refused++;
        assert.equal(r.json.error?.type, 'tokens');
        assert.ok(Number(r.headers['retry-after-ms']) < 2_000);
      }
    }
    assert.equal(refused, 1, 'the override was enforced');
    const rateLimited = async () => (await h.store.listUsage({ accountId: acct.accountId })).filter((u) => u.status === 'rate_limited').length;
    const client = h.client(acct.key, { maxRetries: 3 });
    const call = client.chat.completions.create(BODY as never).withResponse();
    // Once the SDK's first attempt was refused, let a minute pass before its retry.
    await waitFor('the SDK refused once', async () => ((await rateLimited()) >= 2 ? true : undefined), 10_000);
    now += 60_000;
    const { response } = await call;
    assert.equal(response.status, 200);
    assert.equal(await rateLimited(), 2, 'refused once, then served on the retry');
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});

test('a purchase that crosses a threshold promotes the tier, and the limits follow', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('1', { tier: 'free' });
    assert.equal((await chat(h, acct.key)).headers['x-ratelimit-limit-requests'], '3');
    await h.store.insertGrant({ accountId: acct.accountId, source: 'purchase', amount: parseCredits('5') }, Date.now());
    const promoted = await chat(h, acct.key);
    assert.equal(promoted.status, 200);
    assert.equal(promoted.headers['x-ratelimit-limit-requests'], '500', 'tier 1 for gpt-4o-mini');
    assert.equal(promoted.headers['x-ratelimit-limit-tokens'], '200000');
  } finally {
    await h.close();
  }
});

test('an oversized request is refused as too large, never retried', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('100', { tier: 'free' });
    const r = await chat(h, acct.key, { ...BODY, max_tokens: 16_000, n: 3 });
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-should-retry'], 'false');
    assert.match(r.json.error?.message ?? '', /too large/i);
  } finally {
    await h.close();
  }
});
