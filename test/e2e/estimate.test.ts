// POST /v1/tollgate/estimate and `tollgate estimate` end to end: with the upstream's output length fixed, the estimate
// equals what the real request for the same body is charged; it applies the key's policies, spends and records nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCredits } from '../../src/domain/money/pico.js';
import { available, expectedCharge, usageOf } from '../support/billing-checks.js';
import { runCli } from '../support/child-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { postJson, type RawResponse } from '../support/raw-http.js';

interface EstimateJson {
  object: string;
  endpoint: string;
  model: string;
  requested_model: string;
  prompt_tokens: number;
  max_output_tokens: number;
  max_cost: string;
  expected_output_tokens: number;
  expected_output_basis: 'history' | 'default';
  expected_cost: string;
}

async function estimateOf(h: Harness, key: string, body: unknown, endpoint?: string): Promise<EstimateJson> {
  const r = await postJson(h.gateway.url, `/v1/tollgate/estimate${endpoint ? `?endpoint=${endpoint}` : ''}`, key, body);
  assert.equal(r.status, 200, r.text);
  return r.json as EstimateJson;
}

/** The real request's charge (x-tollgate-cost), after checking it succeeded. */
function costOf(r: RawResponse): string {
  assert.equal(r.status, 200, r.text);
  return String(r.headers['x-tollgate-cost']);
}

const CHAT = { model: 'gpt-4o-mini', max_tokens: 12, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is a gateway?' }] };
const RESPONSES = { model: 'gpt-4.1-mini', max_output_tokens: 20, input: 'Tell me about toll roads.' };
const COMPLETIONS = { model: 'gpt-3.5-turbo-instruct', max_tokens: 9, prompt: 'Once upon a time' };
const EMBEDDINGS = { model: 'text-embedding-3-small', input: 'hello embeddings' };

test('the estimate equals the charge of the real request when the output length is fixed, on every endpoint', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['chat.completions', '/chat/completions', CHAT], ['responses', '/responses', RESPONSES],
      ['completions', '/completions', COMPLETIONS], ['embeddings', '/embeddings', EMBEDDINGS],
    ];
    for (const [endpoint, path, body] of cases) {
      const before = await available(h, acct.accountId);
      const count = (await usageOf(h, acct.accountId)).length;
      const upstreamCalls = h.upstream.requests.length;
      const est = await estimateOf(h, acct.key, body);
      assert.equal(est.object, 'tollgate.estimate');
      assert.equal(est.endpoint, endpoint, 'the endpoint is told from the body');
      assert.equal(await available(h, acct.accountId), before, 'an estimate holds and charges nothing');
      assert.equal((await usageOf(h, acct.accountId)).length, count, 'an estimate leaves no usage record');
      assert.equal(h.upstream.requests.length, upstreamCalls, 'an estimate never calls the upstream');

      // The simulator's reply is 48 tokens, cut at the request's cap: the output is exactly the cap.
      const real = await postJson(h.baseURL, path, acct.key, body);
      const charged = costOf(real);
      assert.equal(est.max_cost, charged, `${endpoint}: max_cost is the real charge`);
      const [record] = (await usageOf(h, acct.accountId)).slice(-1);
      assert.equal(est.prompt_tokens, record!.inputTokens, `${endpoint}: prompt tokens as the upstream counted them`);
      assert.equal(est.max_output_tokens, record!.outputTokens);
      assert.equal(formatCredits(record!.hold), est.max_cost, 'max_cost is exactly what was held');
      if (endpoint === 'embeddings') {
        assert.equal(est.max_output_tokens, 0);
        assert.equal(est.expected_cost, est.max_cost);
      }
    }
    // A stream of the same body: the same estimate, and the same charge once the stream has settled.
    const stream = { ...CHAT, stream: true };
    const est = await estimateOf(h, acct.key, stream);
    const real = await postJson(h.baseURL, '/chat/completions', acct.key, stream);
    assert.equal(real.status, 200, real.text);
    const [record] = (await usageOf(h, acct.accountId)).slice(-1);
    assert.equal(record!.stream, true);
    assert.equal(formatCredits(record!.cost), est.max_cost, 'a stream is charged what its estimate said');
  } finally {
    await h.close();
  }
});

test('expected cost: a documented default without history, the account\'s recent average output with it', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const open = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say something' }] };
    const fresh = await estimateOf(h, acct.key, open);
    assert.equal(fresh.expected_output_basis, 'default');
    assert.equal(fresh.expected_output_tokens, 256, 'min(cap, 256) with no history');
    assert.equal(fresh.max_output_tokens, 16_384, 'no cap in the body: the model maximum is held');
    const small = await estimateOf(h, acct.key, { ...open, max_tokens: 100, n: 2 });
    assert.equal(small.expected_output_tokens, 200, 'the default is per choice');
    assert.equal(small.max_output_tokens, 200);

    // History: two calls whose upstream reports 30 output tokens.
    h.upstream.script({ kind: 'ok', usage: { completionTokens: 30 } }, { kind: 'ok', usage: { completionTokens: 30 } });
    costOf(await postJson(h.baseURL, '/chat/completions', acct.key, open));
    costOf(await postJson(h.baseURL, '/chat/completions', acct.key, open));
    const est = await estimateOf(h, acct.key, open);
    assert.equal(est.expected_output_basis, 'history');
    assert.equal(est.expected_output_tokens, 30);
    h.upstream.script({ kind: 'ok', usage: { completionTokens: 30 } });
    const real = await postJson(h.baseURL, '/chat/completions', acct.key, open);
    assert.equal(est.expected_cost, costOf(real), 'the expected cost is the charge at the typical output length');
    const other = await estimateOf(h, acct.key, { ...open, model: 'gpt-4.1-mini' });
    assert.equal(other.expected_output_basis, 'default', 'history is per model');
  } finally {
    await h.close();
  }
});

test('the estimate applies the key\'s policies: substitution, default output, refusals', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    await h.gateway.deps.policies.store.setPolicy({ accountId: acct.accountId, scope: 'key', scopeId: acct.keyId }, {
      allowedModels: ['gpt-4o-mini'], maxOutputTokens: 40, defaultOutputTokens: 7, maxPromptTokens: 100,
      substitutions: { 'gpt-4o': 'gpt-4o-mini' },
    }, Date.now());
    h.gateway.deps.policies.invalidate();
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };
    const est = await estimateOf(h, acct.key, body);
    assert.equal(est.model, 'gpt-4o-mini');
    assert.equal(est.requested_model, 'gpt-4o');
    assert.equal(est.max_output_tokens, 7, 'the policy default is what would be held');
    const real = await postJson(h.baseURL, '/chat/completions', acct.key, body);
    assert.equal(real.headers['x-tollgate-model-substituted'], 'gpt-4o -> gpt-4o-mini');
    assert.equal(est.max_cost, costOf(real));
    const [record] = await usageOf(h, acct.accountId);
    assert.equal(est.max_cost, formatCredits(expectedCharge(h, 'gpt-4o-mini', { input: record!.inputTokens, output: 7 })));

    const refused = await postJson(h.gateway.url, '/v1/tollgate/estimate', acct.key, { ...body, model: 'gpt-4.1' });
    assert.equal(refused.status, 404);
    assert.equal((refused.json as { error: { code: string } }).error.code, 'model_not_found');
    const tooMuch = await postJson(h.gateway.url, '/v1/tollgate/estimate', acct.key, { ...body, max_tokens: 41 });
    assert.equal(tooMuch.status, 400);
    assert.equal((tooMuch.json as { error: { param: string } }).error.param, 'max_tokens');
    const noKey = await postJson(h.gateway.url, '/v1/tollgate/estimate', 'tg-nope', body);
    assert.equal(noKey.status, 401);
    const unknown = await postJson(h.gateway.url, '/v1/tollgate/estimate', acct.key, { model: 'gpt-4o-mini' });
    assert.equal(unknown.status, 400, 'a body that names no input is a clear 400');
  } finally {
    await h.close();
  }
});

test('tollgate estimate FILE prints the same estimate as the HTTP endpoint', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const env = { TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url, ...(h.databaseUrl ? { DATABASE_URL: h.databaseUrl } : {}) };
    const file = join(h.dir, 'body.json');
    writeFileSync(file, JSON.stringify(CHAT));
    const http = await estimateOf(h, acct.key, CHAT);
    const cli = await runCli(['estimate', file, '--account', acct.accountId, '--json'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), http);
    const text = await runCli(['estimate', file], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`most it can cost: ${http.max_cost.replace('.', '\\.')} credits`));
    const missing = await runCli(['estimate', join(h.dir, 'nope.json')], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  } finally {
    await h.close();
  }
});
